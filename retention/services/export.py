"""The subject's export (GDPR Arts. 15 and 20, LGPD Art. 18 II and V): everything of theirs, in one ZIP.

The ZIP holds:
- ``data.json``: schema ``contactcenter.subject-export/1`` (``retention/export_schema.json``, a JSON Schema,
  also in the ZIP as ``schema.json``; README, "Export"): the subject, then every data category the registry
  declares, each a list of records (``{"record": <kind>, ...}``), decrypted, with the earlier versions of rows
  that keep history (``<kind>History``: a former name, a number no longer used, a past assignment);
- ``<category>.csv``: the same records, one CSV per category (nested values as JSON);
- ``media/<attachment id><extension>``: the files they sent, decrypted;
- ``summary.html``: in their language, the Art. 15(1)(a)-(h) information from the live configuration (purposes
  and legal bases, categories, recipients, retention per category, rights, the authority to complain to, the
  source, automated decisions) and the complete consent history with the notice version shown each time.

Invariants:
- Written to a file as it is read, row by row (``iterator``), and media one file at a time: a subject with
  10,000 messages and their media is never held in memory.
- Only the subject's own data: other customers never appear; staff appear by role ("Agent"), not by name.
- Read-only: an export changes nothing.
"""

import csv
import io
import json
import mimetypes
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from consent.declarations import CATEGORY_NAMES, Category, PersonalData, at, staff_role, staff_roles_remembered
from consent.jurisdictions import JURISDICTIONS
from consent.models import Purpose, Subject
from consent.public_links import subject_rights_url
from consent.selectors import consent_history
from conversations.services.media import attachment_read
from retention import registry
from retention.models import RetentionRule
from retention.services.erasure import RECIPIENTS

SCHEMA = "contactcenter.subject-export/1"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "export_schema.json"  # README, "Export", documents it
_CHUNK = 500
_COMPRESSED = {"image", "audio", "video"}


@dataclass(frozen=True, slots=True)
class ExportResult:
    path: Path
    counts: dict[str, int]
    media_files: int
    size: int


def _with_subject(declaration: PersonalData, subject: Subject, rows: Any) -> Iterator[Any]:
    """Rows with the subject instance whose key is unwrapped attached along their path: one key, no query per row."""
    if declaration.rows is not None or declaration.subject == "pk":
        yield from (subject,) if declaration.subject == "pk" else rows.iterator(chunk_size=_CHUNK)
        return
    steps = declaration.subject.split("__")
    if steps[-1] == "pk":
        steps = steps[:-1]
    if len(steps) == 2:
        # One step between (a message's conversation): the subject's few conversations read once and shared,
        # instead of one more model instance per message.
        link = rows.model._meta.get_field(steps[0])
        holders = {holder.pk: holder for holder in link.related_model._base_manager.filter(**{steps[1]: subject.pk})}
        for holder in holders.values():
            setattr(holder, steps[1], subject)
        for row in rows.order_by("pk").iterator(chunk_size=_CHUNK):
            holder = holders.get(getattr(row, link.attname))
            if holder is None:  # opened since the holders were read (she writes during her export)
                holder = holders[getattr(row, link.attname)] = getattr(row, steps[0])
                setattr(holder, steps[1], subject)
            setattr(row, steps[0], holder)
            yield row
        return
    if len(steps) > 1:
        rows = rows.select_related("__".join(steps[:-1]))
    for row in rows.order_by("pk").iterator(chunk_size=_CHUNK):
        holder = row
        for step in steps[:-1]:
            holder = getattr(holder, step)
        setattr(holder, steps[-1], subject)
        yield row


def _records(subject: Subject) -> Iterator[tuple[str, dict[str, Any]]]:
    """(category, record) for every exported row of the subject, category after category."""
    for category in Category:
        for declaration in registry.of_category(category):
            if declaration.export is None:
                continue
            kind = declaration.model.rsplit(".", 1)[1]
            rows = registry.subject_rows(declaration, subject.pk)
            for row in _with_subject(declaration, subject, rows):
                yield category, {"record": kind, **declaration.export(row)}
            yield from ((category, record) for record in _history(declaration, subject, kind))


_CHANGES = {"+": "created", "~": "changed", "-": "deleted"}


def _history(declaration: PersonalData, subject: Subject, kind: str) -> Iterator[dict[str, Any]]:
    """Earlier versions of the subject's rows (their simple-history rows: a former name, a number they no longer
    use, who a conversation was assigned to), oldest first, each as the row was then, exported as the row is."""
    history = registry.history_model(declaration)
    if history is None:
        return
    path = declaration.history_subject or declaration.subject
    versions = history._default_manager.filter(**{path: subject.pk}).order_by("history_date", "history_id")
    for version in versions.iterator(chunk_size=_CHUNK):
        row = version.instance
        if path == "id":  # the subject's own versions: their key is the subject's, already read
            row._state.fields_cache["data_key"] = subject.data_key
        elif path == "subject":
            row.subject = subject
        yield {
            "record": f"{kind}History",
            "changed_at": at(version.history_date),
            "change": _CHANGES.get(version.history_type, version.history_type),
            "changed_by": staff_role(version.history_user_id) if version.history_user_id else "system",
            **declaration.export(row),
        }


_JSON = json.JSONEncoder(ensure_ascii=False, default=str, sort_keys=True)
_RECORD = json.JSONEncoder(ensure_ascii=False, default=str)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return _JSON.encode(value)


def subject_export(*, subject: Subject, path: Path) -> ExportResult:
    """Write the subject's export ZIP to ``path``."""
    subject = Subject.objects.select_related("data_key").get(pk=subject.pk)
    exported_at = timezone.now()
    counts: dict[str, int] = {}
    media = 0
    with staff_roles_remembered(), zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        csv_files = _CsvFiles()
        with archive.open("data.json", "w") as raw:
            data = io.TextIOWrapper(raw, encoding="utf-8")
            data.write(json.dumps({"schema": SCHEMA, "exported_at": exported_at.isoformat()})[:-1])
            data.write(', "categories": {')
            current = None
            for category, record in _records(subject):
                if category != current:
                    data.write("]" if current is not None else "")
                    data.write(("," if current is not None else "") + json.dumps(category) + ": [")
                    current, first = category, True
                data.write(("" if first else ",") + _RECORD.encode(record))
                first = False
                counts[category] = counts.get(category, 0) + 1
                csv_files.add(category, record)
            data.write("]" if current is not None else "")
            data.write("}}")
            data.flush()
            data.detach()
        csv_files.write_to(archive)
        media = _media(archive, subject)
        archive.writestr("summary.html", _summary(subject, counts=counts, exported_at=exported_at))
        archive.write(SCHEMA_FILE, "schema.json")  # data.json's schema, so the archive explains itself
    return ExportResult(path=path, counts=counts, media_files=media, size=path.stat().st_size)


class _CsvFiles:
    """One CSV per category, each spooled to a temporary file as rows come (not held in memory), zipped at the end."""

    def __init__(self) -> None:
        self.files: dict[str, tuple[Any, csv.DictWriter]] = {}

    def add(self, category: str, record: dict[str, Any]) -> None:
        if category not in self.files:
            text = io.TextIOWrapper(tempfile.TemporaryFile(), encoding="utf-8", newline="")
            # Every kind of record of the category has its columns; a second kind adds its own (consent events,
            # then consent states), so the header is written once all are known: rows go in without it first.
            self.files[category] = (text, csv.DictWriter(text, fieldnames=[], extrasaction="ignore"))
        text, writer = self.files[category]
        for key in record:
            if key not in writer.fieldnames:
                writer.fieldnames.append(key)
        writer.writerow({key: _cell(value) for key, value in record.items()})

    def write_to(self, archive: zipfile.ZipFile) -> None:
        for category, (text, writer) in self.files.items():
            text.flush()
            text.seek(0)
            with archive.open(f"{category}.csv", "w") as dest:
                header = io.StringIO()
                csv.writer(header).writerow(writer.fieldnames)
                dest.write(header.getvalue().encode())
                shutil.copyfileobj(text.detach(), dest)


def _media(archive: zipfile.ZipFile, subject: Subject) -> int:
    written = 0
    for declaration in registry.of_category(Category.MEDIA):
        for attachment in _with_subject(declaration, subject, registry.subject_rows(declaration, subject.pk)):
            if attachment.status != "stored" or not attachment.file:
                continue
            plaintext = attachment_read(attachment=attachment)  # one file in memory at a time
            extension = mimetypes.guess_extension(attachment.mime_type or "") or ".bin"
            # Pictures, audio and video are compressed already: stored as they are, not deflated again.
            packed = zipfile.ZIP_STORED if (attachment.mime_type or "").split("/")[0] in _COMPRESSED else None
            archive.writestr(f"media/{attachment.pk}{extension}", plaintext, compress_type=packed)
            written += 1
    return written


def _summary(subject: Subject, *, counts: dict[str, int], exported_at: datetime) -> str:
    language = subject.language
    rules = {rule.category: rule for rule in RetentionRule.objects.all()}
    channels = set(subject.contact_points.values_list("kind", flat=True))
    jurisdiction = JURISDICTIONS[subject.jurisdiction]
    purposes = []
    for purpose in Purpose.objects.filter(active=True).order_by("code"):
        basis = jurisdiction.basis(purpose.basis_for(subject.jurisdiction))
        purposes.append(
            {
                "name": purpose.localized("name", language),
                "description": purpose.localized("description", language),
                "basis": basis.citation if basis else "",
            }
        )
    context = {
        "language": language,
        "jurisdiction": subject.jurisdiction,
        "exported_at": exported_at,
        "name": subject.display_name,
        "purposes": purposes,
        "categories": [
            {"name": CATEGORY_NAMES[c], "count": n, "retention": rules[c].reason_in(language) if c in rules else ""}
            for c, n in counts.items()
        ],
        "recipients": [RECIPIENTS[channel] for channel in sorted(channels) if channel in RECIPIENTS],
        "channels": sorted(channels),
        "rights_url": subject_rights_url(),
    }
    with translation.override(language):
        context["consent_history"] = [
            {"at": event.created_at, "purpose": event.purpose.localized("name", language),
             "action": event.get_action_display(), "notice": event.notice}
            for event in consent_history(subject=subject)
        ]  # fmt: skip
        return render_to_string("retention/summary.html", context)
