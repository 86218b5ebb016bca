"""The subject's export: all of their data, decrypted, in one documented shape, with the Art. 15(1) information,
and nothing of anybody else's."""

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from consent.declarations import Category
from consent.tests.factories import SubjectFactory
from retention import registry
from retention.services import subject_export
from retention.services.export import SCHEMA_FILE
from retention.tests import scenario

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def export(world, tmp_path):
    path = tmp_path / "export.zip"
    result = subject_export(subject=world.wilhelmine, path=path)
    return result, zipfile.ZipFile(path)


def test_data_json_holds_every_category_decrypted_in_its_documented_schema(world, export):
    result, archive = export
    data = json.loads(archive.read("data.json"))
    assert data["schema"] == "contactcenter.subject-export/1"
    categories = data["categories"]
    assert scenario.categories_of_wilhelmine() - {Category.REALTIME_EVENTS} <= set(categories)
    [identity] = [r for r in categories["identity"] if r["record"] == "Subject"]
    assert identity["name"] == scenario.NAME and identity["public_id"] == str(world.wilhelmine.public_id)
    assert categories["contact_points"][0]["value"] == "+" + scenario.PHONE
    texts = [m["content"].get("text") for m in categories["messages"]]
    assert scenario.TEXT in texts  # her own words, whole: the card number is not masked for her
    assert any(m["content"].get("location", {}).get("name") == scenario.PLACE for m in categories["messages"])
    assert categories["notes"][0]["text"] == scenario.NOTE
    assert categories["access_log"][0]["reason"] == scenario.REVEAL_REASON
    assert [e["action"] for e in categories["consent_evidence"] if e["record"] == "ConsentEvent"] == [
        "granted", "withdrawn"]  # fmt: skip
    assert result.counts == {category: len(rows) for category, rows in categories.items()}


def test_the_files_are_there_decrypted_and_every_category_has_its_csv(export):
    _, archive = export
    [picture] = [name for name in archive.namelist() if name.startswith("media/")]
    assert archive.read(picture) == scenario.PICTURE and picture.endswith(".jpg")
    data = json.loads(archive.read("data.json"))
    for category, rows in data["categories"].items():
        table = list(csv.DictReader(io.StringIO(archive.read(f"{category}.csv").decode())))
        assert len(table) == len(rows), category
    notes = list(csv.DictReader(io.StringIO(archive.read("notes.csv").decode())))
    assert notes[0]["text"] == scenario.NOTE and notes[0]["by"] == "Agent"


def test_nobody_else_is_in_it_and_staff_appear_by_role(world, export):
    _, archive = export
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for other in (scenario.OTTO, scenario.OTTO_TEXT, scenario.OTTO_PHONE, "anton", "doris"):
        assert other.encode() not in everything, other
    authors = {m["from"] for m in json.loads(archive.read("data.json"))["categories"]["messages"]}
    assert authors == {"you", "Agent", "automatic"}


@pytest.mark.parametrize(("language", "heading", "rights"), [
    ("de", "Ihre Daten", "STOP"), ("nl", "Uw gegevens", "STOP"), ("it", "I suoi dati", "STOP"),
    ("pt-br", "Seus dados", "STOP"), ("en", "Your data", "STOP"),
])  # fmt: skip
def test_the_summary_speaks_her_language_with_the_art_15_information(world, tmp_path, language, heading, rights):
    world.wilhelmine.language = language
    world.wilhelmine.save(update_fields=["language"])
    subject_export(subject=world.wilhelmine, path=tmp_path / "e.zip")
    page = zipfile.ZipFile(tmp_path / "e.zip").read("summary.html").decode()
    assert f"<h1>{heading}</h1>" in page and rights in page
    assert "Art. 6(1)" in page and "Meta" in page  # legal bases; WhatsApp's provider as recipient
    assert "v1" in page  # the notice version shown when she agreed


def test_the_command_writes_the_zip_and_an_unknown_subject_fails_in_one_line(world, tmp_path, capsys):
    out = tmp_path / "cmd.zip"
    call_command("export_subject", "--phone", "+" + scenario.PHONE, "--out", str(out))
    assert zipfile.ZipFile(out).testzip() is None and "records" in capsys.readouterr().out
    with pytest.raises(CommandError) as unknown:
        call_command("export_subject", "--phone", "+4915100000000", "--out", str(tmp_path / "x.zip"))
    assert str(unknown.value) == "no subject has that contact point or public id"  # one line, no value
    assert not (tmp_path / "x.zip").exists()


def test_an_empty_subject_exports_an_empty_but_valid_archive(tmp_path):
    subject = SubjectFactory()
    result = subject_export(subject=subject, path=tmp_path / "e.zip")
    data = json.loads(zipfile.ZipFile(tmp_path / "e.zip").read("data.json"))
    assert set(data["categories"]) == {"identity", "contact_points"} and result.media_files == 0


def _schema() -> dict:
    return json.loads(SCHEMA_FILE.read_text())


def test_data_json_is_valid_under_its_published_schema_which_travels_in_the_zip(export):
    _, archive = export
    schema = _schema()
    assert json.loads(archive.read("schema.json")) == schema
    Draft202012Validator.check_schema(schema)
    data = json.loads(archive.read("data.json"))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).iter_errors(data)
    ]
    assert errors == []
    # It checks something: a record with a field the schema does not document is refused.
    data["categories"]["notes"][0]["author_name"] = "anton"
    assert not Draft202012Validator(schema).is_valid(data)


def test_every_kind_the_registry_exports_is_in_the_schema_and_in_the_readme():
    kinds = {d.model.rsplit(".", 1)[1] for d in registry.declarations() if d.export is not None}
    kinds |= {f"{d.model.rsplit('.', 1)[1]}History" for d in registry.declarations() if d.export and d.history}
    documented = {name: d for name, d in _schema()["$defs"].items() if name != "record"}
    assert kinds == set(documented)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("**Export**") : readme.index("**Erasure**")]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \|[^|]*\| (.*) \|$", section, re.M)}
    for name, definition in documented.items():
        fields = set(definition["properties"]) - {"record"}
        assert name in rows, f"README does not document {name}"
        assert set(re.findall(r"`(\w+)`", rows[name])) == fields, name


def test_history_rows_are_exported_as_the_earlier_versions_they_are(world, tmp_path):
    from consent.models import Subject

    her = Subject.objects.get(pk=world.wilhelmine.pk)
    her.display_name = "Wilhelmine Zauberstab-Neu"
    her._change_reason = "she changed her profile name"
    her.save()
    subject_export(subject=her, path=tmp_path / "e.zip")
    categories = json.loads(zipfile.ZipFile(tmp_path / "e.zip").read("data.json"))["categories"]
    versions = [r for r in categories["identity"] if r["record"] == "SubjectHistory"]
    assert [v["name"] for v in versions] == [scenario.NAME, "Wilhelmine Zauberstab-Neu"]
    assert [v["change"] for v in versions] == ["created", "changed"]
    assigned = [r for r in categories["conversations"] if r["record"] == "ConversationHistory"]
    assert "Agent" in {r["changed_by"] for r in assigned} <= {"Agent", "system"}  # by role, never "anton"


def test_the_summary_names_the_purpose_in_her_language_in_the_consent_history(world, tmp_path):
    subject_export(subject=world.wilhelmine, path=tmp_path / "e.zip")
    page = zipfile.ZipFile(tmp_path / "e.zip").read("summary.html").decode()
    assert page.count("<td>Offers de</td>") == 2 and "<td>offers</td>" not in page  # granted, then withdrawn
