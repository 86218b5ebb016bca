"""Scoring the sensitive-data guard against the labelled corpora in ``sensitive/tests/corpus``.

Used by the tests and by ``bench/scan_quality.py``, so both count the same way:

* Span corpora (``identifiers.jsonl``, ``special.jsonl``): one JSON object per line,
  ``{"lang": "de", "text": "...", "expect": [{"type": "health", "match": "schwanger"}]}``; ``match``
  is an exact substring of ``text`` and its first occurrence is the expected span. An expected
  entry that a finding of its type overlaps is one true positive, however many findings overlap
  it; an expected entry no finding of its type overlaps is a false negative; a finding that
  overlaps no expected entry of its type is a false positive.
* The drafts corpus (``drafts.jsonl``): ``{"lang": "pt", "text": "...", "expect": ["payment_card"]}``,
  kinds without spans. Per draft, a kind warned about and expected is a true positive, warned
  about and not expected a false positive, expected and not warned about a false negative.

Nothing here logs a text: corpora hold invented examples, but the habit matters.
"""

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sensitive.findings import CATEGORY_OF_TYPE, Category, Finding

CORPUS_DIR = Path(__file__).resolve().parent / "tests" / "corpus"
SPAN_CORPORA = ("identifiers.jsonl", "special.jsonl")
DRAFTS_CORPUS = "drafts.jsonl"

CHECKSUM_IDENTIFIER_TYPES = (
    "payment_card",
    "iban",
    "br_cpf",
    "br_cnpj",
    "nl_bsn",
    "de_idnr",
    "it_codice_fiscale",
    "pt_nif",
    "es_dni",
)
SPECIAL_CATEGORY_TYPES = tuple(t for t, c in CATEGORY_OF_TYPE.items() if c == Category.SPECIAL_CATEGORY)


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True)
class Target:
    name: str
    types: tuple[str, ...]
    precision: float
    recall: float

    def met_by(self, counts: Counts) -> bool:
        return counts.precision >= self.precision and counts.recall >= self.recall


# The identifier target is the one sensitive/tests/test_identifiers.py holds each type to.
TARGETS = (
    Target("checksum identifiers", CHECKSUM_IDENTIFIER_TYPES, precision=0.99, recall=0.98),
    Target("special categories", SPECIAL_CATEGORY_TYPES, precision=0.85, recall=0.90),
)
DRAFTS_TARGET = Target("draft guard", (), precision=0.90, recall=0.90)


def load_corpus(name_or_path: str | Path) -> list[dict]:
    """The lines of a corpus file, by name in ``CORPUS_DIR`` or by path."""
    path = Path(name_or_path)
    if not path.is_absolute() and not path.exists():
        path = CORPUS_DIR / path
    with path.open(encoding="utf-8") as corpus:
        return [json.loads(line) for line in corpus if line.strip()]


def expected_spans(line: dict) -> list[tuple[str, int, int]]:
    """(type, start, end) of each expected entry of a span-corpus line."""
    text = line["text"]
    spans = []
    for entry in line["expect"]:
        start = text.find(entry["match"])
        if start < 0:
            raise ValueError(f"expected match is not in the text: {entry['match']!r}")
        spans.append((entry["type"], start, start + len(entry["match"])))
    return spans


def score(
    corpus_lines: Iterable[dict],
    scan_fn: Callable[[str], Sequence[Finding]],
    *,
    types: Iterable[str] | None = None,
) -> dict[str, Counts]:
    """Counts per type of ``scan_fn``'s findings against the expected spans; ``types`` limits what is counted."""
    wanted = set(types) if types is not None else None
    counts: dict[str, Counts] = {}
    for line in corpus_lines:
        expected = [span for span in expected_spans(line) if wanted is None or span[0] in wanted]
        matched: set[int] = set()
        for finding in scan_fn(line["text"]):
            if wanted is not None and finding.type not in wanted:
                continue
            hits = [
                index
                for index, (kind, start, end) in enumerate(expected)
                if kind == finding.type and finding.start < end and start < finding.end
            ]
            if hits:
                matched.update(hits)
            else:
                counts.setdefault(finding.type, Counts()).fp += 1
        # Per label, not per finding: two findings on one label are one true positive, so a
        # detector that splits a span cannot raise its own precision or recall.
        for index, (kind, _, _) in enumerate(expected):
            tally = counts.setdefault(kind, Counts())
            if index in matched:
                tally.tp += 1
            else:
                tally.fn += 1
    return counts


def aggregate(counts: dict[str, Counts], types: Iterable[str]) -> Counts:
    total = Counts()
    for kind in types:
        total += counts.get(kind, Counts())
    return total


def score_drafts(corpus_lines: Iterable[dict], check_fn: Callable[[str], Sequence]) -> dict[str, Counts]:
    """Counts per kind of ``check_fn``'s warnings (objects with a ``kind``) against each draft's expected kinds."""
    counts: dict[str, Counts] = {}
    for line in corpus_lines:
        found = {warning.kind for warning in check_fn(line["text"])}
        expected = set(line["expect"])
        for kind in found | expected:
            tally = counts.setdefault(kind, Counts())
            if kind in found and kind in expected:
                tally.tp += 1
            elif kind in found:
                tally.fp += 1
            else:
                tally.fn += 1
    return counts
