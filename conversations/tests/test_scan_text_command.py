"""manage.py scan_text: one JSON line of findings per input line, offsets into that line."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

MANAGE_PY = Path(__file__).resolve().parents[2] / "manage.py"


def run(stdin: io.IOBase) -> list[dict]:
    out = io.StringIO()
    call_command("scan_text", stdin=stdin, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_result_per_line_with_offsets_into_that_line() -> None:
    lines = [
        "meine IBAN ist DE89 3704 0044 0532 0130 00 danke",
        "",
        "nothing to see here",
        "😀 cpf 390.533.447-05",
    ]
    results = run(io.BytesIO(("\n".join(lines) + "\n").encode()))
    assert len(results) == len(lines)
    assert results[0] == {"findings": [{"category": "financial", "type": "iban", "start": 15, "end": 42}]}
    assert results[1] == {"findings": []}
    assert results[2] == {"findings": []}
    (cpf,) = results[3]["findings"]
    assert (cpf["type"], cpf["category"]) == ("br_cpf", "national_id")
    assert lines[3][cpf["start"] : cpf["end"]] == "390.533.447-05"


def test_last_line_without_newline_and_crlf_endings() -> None:
    results = run(io.BytesIO(b"ruf an: 0151 23456789\r\nmail: ana@exemplo.com.br"))
    assert [[f["type"] for f in r["findings"]] for r in results] == [["phone"], ["email"]]
    assert results[0]["findings"][0]["end"] == len("ruf an: 0151 23456789")


def test_text_streams_are_accepted() -> None:
    assert run(io.StringIO("NIF 123456789\n")) == [
        {"findings": [{"category": "national_id", "type": "pt_nif", "start": 4, "end": 13}]}
    ]


def test_findings_never_contain_the_value() -> None:
    out = io.StringIO()
    call_command("scan_text", stdin=io.BytesIO(b"card 4111 1111 1111 1111\n"), stdout=out)
    assert "4111" not in out.getvalue()


def test_invalid_utf8_names_the_line() -> None:
    out = io.StringIO()
    with pytest.raises(CommandError, match="line 2 is not valid UTF-8"):
        call_command("scan_text", stdin=io.BytesIO(b"hello\nol\xe1 mundo\nmore\n"), stdout=out)
    assert out.getvalue().splitlines() == ['{"findings": []}']


def test_works_at_the_end_of_a_pipe_and_reports_bad_input_without_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, str(MANAGE_PY), "scan_text"],
        input=b"IBAN DE89 3704 0044 0532 0130 00\nhallo\n\xff\xfe\nnever read\n",
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert [bool(json.loads(line)["findings"]) for line in result.stdout.decode().splitlines()] == [True, False]
    assert result.returncode != 0
    assert b"line 3 is not valid UTF-8" in result.stderr
    assert b"Traceback" not in result.stderr
