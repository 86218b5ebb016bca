"""Erasure (GDPR Art. 17, LGPD Art. 18 VI): nothing readable remains, the proof stays, a restore cannot undo it.

The scenario (``scenario.build``) leaves every kind of trace through the real services; the tests search a full
dump of the database (the raw SQLite file with its write-ahead log, or ``pg_dump``) and ``MEDIA_ROOT`` for her
values, and check that Otto, another customer, is untouched.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Q
from django_tasks_db.models import DBTaskResult

from consent.ledger import ledger_verify
from consent.models import AccessRecord, ConsentEvent, ContactPoint, DataKey, Subject
from consent.services import legal_hold_place, legal_hold_release
from conversations.models import Attachment, Conversation, EarlyStatus, Message
from retention import selectors
from retention.journal import journal_entries
from retention.models import ErasureReceipt
from retention.services import LegalHoldActive, subject_erase
from retention.tests import scenario

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def database_dump() -> bytes:
    """Everything the database holds, as someone with its files or a dump would see it."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        name = Path(connection.settings_dict["NAME"])
        raw = b"".join(p.read_bytes() for p in (name, Path(f"{name}-wal")) if p.exists())  # free pages included
        return raw + "\n".join(connection.connection.iterdump()).encode()
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    command = ["pg_dump", "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
               "-U", db["USER"], db["NAME"]]  # fmt: skip
    return subprocess.run(command, env=env, capture_output=True, check=True, timeout=120).stdout


def found(dump: bytes, values: list[str]) -> list[str]:
    return [value for value in values if value.encode() in dump]


def files_under(root: str) -> list[Path]:
    return [p for p in Path(root).rglob("*") if p.is_file()] if Path(root).exists() else []


def dump_forms(value: bytes) -> list[bytes]:
    """How a binary value shows in a dump: its bytes (the SQLite file), hex as PostgreSQL's ``\\x...``
    prints a bytea and as SQLite's ``X'...'`` literal."""
    return [value, value.hex().encode(), value.hex().upper().encode()]


def traces_of(subject: Subject) -> dict:
    """What of the subject the database holds that is no plaintext, so that a search for her values cannot
    find it: blind indexes, ciphertexts, her picture's hash, and the ids her rows have."""
    messages = Message.objects.filter(conversation__subject=subject)
    return {
        "blind indexes": list(ContactPoint.objects.filter(subject=subject).values_list("value_index", flat=True)),
        "ciphertexts": [
            bytes(value)
            for value in [
                Subject.objects.values_list("display_name_enc", flat=True).get(pk=subject.pk),
                *messages.exclude(content_enc=None).values_list("content_enc", flat=True),
                *ContactPoint.objects.filter(subject=subject).values_list("value_enc", flat=True),
            ]
        ],
        "sha256": list(
            Attachment.objects.filter(message__conversation__subject=subject).values_list("sha256", flat=True)
        ),
        "ids": {
            Subject: {subject.pk},
            Conversation: set(Conversation.objects.filter(subject=subject).values_list("pk", flat=True)),
            Message: set(messages.values_list("pk", flat=True)),
            ContactPoint: set(ContactPoint.objects.filter(subject=subject).values_list("pk", flat=True)),
        },
    }


def history_rows_naming(ids: dict) -> dict[str, int]:
    """Rows of any simple-history model that are a version of one of these rows or point at one."""
    naming: dict[str, int] = {}
    for model in apps.get_models():
        if not model.__name__.startswith("Historical") or not hasattr(model, "instance_type"):
            continue
        conditions = Q(pk__in=[])
        if model.instance_type in ids:  # the versions of the row itself: its primary key is a plain column here
            conditions |= Q(**{f"{model.instance_type._meta.pk.attname}__in": ids[model.instance_type]})
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model in ids:
                conditions |= Q(**{f"{field.attname}__in": ids[field.related_model]})
        if count := model._default_manager.filter(conditions).count():
            naming[model._meta.label] = count
    return naming


def test_after_erasure_nothing_of_hers_is_readable_anywhere_and_otto_is_whole(world, settings):
    her, otto = world.wilhelmine, world.otto
    inventory = selectors.subject_inventory(subject=her)
    assert scenario.categories_of_wilhelmine() <= set(inventory), inventory
    before = database_dump()
    assert found(before, world.wamids) == world.wamids  # the search finds what is there
    assert len(files_under(settings.MEDIA_ROOT)) == 1
    events_before = ConsentEvent.objects.filter(subject_id=her.public_id).count()
    assert events_before == 2  # granted with START, withdrawn with STOP
    # What of her is no plaintext: blind indexes, ciphertexts, her picture's hash, her rows' ids.
    traces = traces_of(her)
    hashes = traces["blind indexes"] + traces["sha256"]
    assert len(traces["blind indexes"]) == 1 and len(traces["sha256"]) == 1 and all(hashes), traces
    assert len(traces["ciphertexts"]) >= 8 and all(len(c) > 16 for c in traces["ciphertexts"])
    assert found(before, hashes) == hashes
    assert all(any(form in before for form in dump_forms(c)) for c in traces["ciphertexts"])
    # Rows no foreign key ties to her: a status kept early (her number's blind index), her answer's send task.
    [early] = EarlyStatus.objects.all()
    assert early.provider_message_id == world.wamids[-1] and early.recipient_index == traces["blind indexes"][0]
    [task] = DBTaskResult.objects.all()
    assert task.status == "READY" and task.args_kwargs["kwargs"]["message_id"] in traces["ids"][Message]
    historical = history_rows_naming(traces["ids"])
    assert {"consent.HistoricalSubject", "consent.HistoricalContactPoint", "conversations.HistoricalConversation",
            "conversations.HistoricalSensitiveAlert"} <= set(historical), historical  # fmt: skip

    receipt = subject_erase(subject=her, actor=world.dpo, reason="subject_request", reference="request #7")

    after = database_dump()
    assert found(after, scenario.SECRETS + world.wamids) == []
    assert found(after, hashes) == []
    assert [c.hex() for c in traces["ciphertexts"] if any(form in after for form in dump_forms(c))] == []
    assert history_rows_naming(traces["ids"]) == {}
    assert not EarlyStatus.objects.exists() and not DBTaskResult.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []
    assert not Subject.objects.filter(pk=her.pk).exists() and not DataKey.objects.filter(subject_id=her.pk).exists()
    assert selectors.subject_inventory(subject=her) == {}
    # The proof stays, pseudonymous: the ledger verifies, the access log shows who looked, not at whom.
    assert ConsentEvent.objects.filter(subject_id=her.public_id).count() == events_before
    assert ledger_verify().intact
    [access] = AccessRecord.objects.filter(subject_public_id=her.public_id)
    assert access.subject_id is None and access.actor_username == "anton"
    # The receipt says how much of what went, when, by whom and why; not whose.
    assert receipt.counts["messages"] >= 6 and receipt.counts["media"] == 1 and receipt.counts["notes"] == 1
    assert receipt.counts["early_statuses"] == 1 and receipt.counts["background_tasks"] == 1
    assert set(receipt.kept) == {"consent_evidence", "access_log"}
    assert receipt.recipients and "Meta" in receipt.recipients[0]
    assert str(her.public_id) not in json.dumps([receipt.counts, receipt.kept, receipt.reason])
    assert [(e.subject, e.receipt) for e in journal_entries()] == [(str(her.public_id), str(receipt.pk))]
    # Otto: all there, all readable.
    otto = Subject.objects.get(pk=otto.pk)
    assert otto.display_name == scenario.OTTO
    [message] = [m for c in otto.conversations.all() for m in c.messages.all()]
    assert message.content["text"] == scenario.OTTO_TEXT
    assert scenario.OTTO.encode() not in after  # his name is ciphertext too, never plain


def test_a_legal_hold_stops_the_erasure_until_released(world):
    hold = legal_hold_place(subject=world.wilhelmine, reason="court order 4 O 123/26", actor=world.dpo)
    with pytest.raises(LegalHoldActive, match=f"#{hold.pk}"):
        subject_erase(subject=world.wilhelmine, actor=world.dpo, reason="subject_request")
    assert Subject.objects.filter(pk=world.wilhelmine.pk).exists() and not ErasureReceipt.objects.exists()
    legal_hold_release(hold=hold, actor=world.dpo, reason="case closed")
    subject_erase(subject=world.wilhelmine, actor=world.dpo, reason="subject_request")
    assert not Subject.objects.filter(pk=world.wilhelmine.pk).exists()


def test_a_restored_backup_does_not_bring_her_back(world, tmp_path, settings):
    """Back up, erase, restore the backup into a fresh database, run the restore procedure: she is gone again."""
    backup = tmp_path / "backup"
    hold = legal_hold_place(subject=world.wilhelmine, actor=world.dpo, reason="tax audit 2026")
    _backup(backup)  # with the hold standing: the restored copy brings it back
    legal_hold_release(hold=hold, actor=world.dpo, reason="audit closed")
    conversations = list(world.wilhelmine.conversations.values_list("pk", flat=True))
    subject_erase(subject=world.wilhelmine, actor=world.dpo, reason="subject_request")
    restored = _restore(backup, tmp_path)
    her = world.wilhelmine.pk
    assert _count(restored, "consent_subject", "id", her) == 1  # the backup brought her back
    assert _count(restored, "consent_legalhold", "subject_id", her) == 1  # and the hold, as it stood then
    assert sum(_count(restored, "conversations_message", "conversation_id", c) for c in conversations) > 0

    env = {"DATABASE_URL": restored["url"], "ERASURE_JOURNAL_PATH": str(settings.ERASURE_JOURNAL_PATH),
           "DJANGO_MEDIA_ROOT": str(tmp_path / "restored-media")}  # fmt: skip
    from tests.processes import manage

    result = manage("erasures_reapply", **env)
    assert result.returncode == 0, result.stderr
    assert "1 subject(s) erased again" in result.stdout
    assert _count(restored, "consent_subject", "id", her) == 0
    assert _count(restored, "consent_datakey", "subject_id", world.wilhelmine.pk) == 0
    assert _count(restored, "consent_contactpoint", "subject_id", world.wilhelmine.pk) == 0
    assert _count(restored, "conversations_conversation", "subject_id", world.wilhelmine.pk) == 0
    assert sum(_count(restored, "conversations_message", "conversation_id", c) for c in conversations) == 0
    assert _count(restored, "consent_legalhold", "subject_id", her) == 0
    assert _count(restored, "consent_subject", "id", world.otto.pk) == 1
    again = manage("erasures_reapply", **env)
    assert "0 subject(s) erased again" in again.stdout  # idempotent
    if restored["vendor"] == "postgresql":
        subprocess.run(["dropdb", *restored["base"], restored["name"]], env=restored["env"], check=True)


def _backup(path: Path) -> None:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        return
    path.write_bytes(database_dump())


def _restore(backup: Path, tmp_path: Path) -> dict:
    if connection.vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        shutil.copy(backup, target)
        return {"url": f"sqlite:///{target}", "vendor": "sqlite", "path": target}
    db = connection.settings_dict
    fresh = f"{db['NAME']}_restored"
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    base = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432), "-U", db["USER"]]
    subprocess.run(["dropdb", *base, "--if-exists", fresh], env=env, check=True, capture_output=True)
    subprocess.run(["createdb", *base, fresh], env=env, check=True, capture_output=True)
    subprocess.run(["psql", *base, "-q", "-v", "ON_ERROR_STOP=1", "-d", fresh, "-f", str(backup)], env=env,
                   check=True, capture_output=True)  # fmt: skip
    password = db.get("PASSWORD") or ""
    url = f"postgres://{db['USER']}:{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{fresh}"
    return {"url": url, "vendor": "postgresql", "name": fresh, "env": env, "base": base}


def _count(restored: dict, table: str, column: str, value: object) -> int:
    if restored["vendor"] == "sqlite":
        import sqlite3

        with sqlite3.connect(restored["path"]) as db:
            return db.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", [value]).fetchone()[0]
    import psycopg

    with psycopg.connect(restored["url"].replace("postgres://", "postgresql://")) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table} WHERE {column}::text = %s", [str(value)]).fetchone()[0]


def test_sqlite_files_keep_nothing_of_her(tmp_path):
    """The raw SQLite file and its write-ahead log, free pages included (``secure_delete``, the WAL truncated),
    whatever database the rest of the suite runs on."""
    from tests.processes import manage

    database = tmp_path / "erasure.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "DJANGO_MEDIA_ROOT": str(tmp_path / "media"),
           "ERASURE_JOURNAL_PATH": str(tmp_path / "journal.jsonl")}  # fmt: skip
    migrated = manage("migrate", "--noinput", "-v", "0", **env)
    assert migrated.returncode == 0, migrated.stderr
    run = manage("shell", "--no-imports", "-v", "0", "-c",
                 "from retention.tests.sqlite_erasure import main; main()", **env)  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout.strip().splitlines()[-1])
    wamids = report["wamids"]
    assert report["present_before"] == wamids  # in the files before the erasure: the search would find them
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("erasure.sqlite3*"))
    assert len(raw) > 100_000  # the database file, with Otto's data and the ledger still in it
    assert found(raw, scenario.SECRETS + wamids) == []
    assert files_under(str(tmp_path / "media")) == []


def test_the_erase_command_shows_first_refuses_a_hold_and_erases_with_yes(world, capsys):
    from django.core.management import CommandError, call_command

    her = str(world.wilhelmine.public_id)
    with pytest.raises(SystemExit) as shown:
        call_command("erase_subject", "--subject", her)
    assert shown.value.code == 1 and "messages:" in capsys.readouterr().out
    assert Subject.objects.filter(pk=world.wilhelmine.pk).exists()
    with pytest.raises(CommandError, match="no subject has that"):
        call_command("erase_subject", "--phone", "+4915100000001", "--yes")
    hold = legal_hold_place(subject=world.wilhelmine, actor=world.dpo, reason="tax audit 2026")
    with pytest.raises(CommandError, match="legal hold"):
        call_command("erase_subject", "--subject", her, "--yes")
    legal_hold_release(hold=hold, actor=world.dpo, reason="audit closed")
    call_command("erase_subject", "--subject", her, "--yes")
    assert not Subject.objects.filter(pk=world.wilhelmine.pk).exists()


@pytest.mark.parametrize(("reason", "reference"), [
    ("Wilhelmine Zauberstab asked by phone", ""),  # prose: not a legal ground
    ("subject_request", "Anruf Wilhelmine Zauberstab"),  # a name, not a number
    ("subject_request", "+49 151 98765432"),  # a phone number
])  # fmt: skip
def test_a_receipt_never_holds_a_name_the_reason_is_a_ground_and_the_reference_a_number(world, reason, reference):
    from retention.services import InvalidErasureReason

    with pytest.raises(InvalidErasureReason):
        subject_erase(subject=world.wilhelmine, actor=world.dpo, reason=reason, reference=reference)
    assert Subject.objects.filter(pk=world.wilhelmine.pk).exists() and not ErasureReceipt.objects.exists()
    assert not journal_entries_exist()
    receipt = subject_erase(subject=world.wilhelmine, actor=world.dpo, reason="subject_request", reference="request 7")
    assert (receipt.reason, receipt.reference) == ("subject_request", "request 7")
    assert receipt.get_reason_display().startswith("The person asked for it")


def journal_entries_exist() -> bool:
    from django.conf import settings

    return Path(settings.ERASURE_JOURNAL_PATH).exists() and any(journal_entries())


def test_a_status_meta_reports_late_for_a_message_to_her_brings_none_of_her_traces_back(world):
    from django.db import transaction

    from conversations import services
    from conversations.models import EarlyStatus
    from conversations.providers.whatsapp.parser import parse_webhook
    from devtools.fakegraph import status_value, webhook_envelope

    subject_erase(subject=world.wilhelmine, actor=world.dpo, reason="subject_request")
    late = status_value(message_id=scenario.wamid(8), status="delivered", recipient=scenario.PHONE, phone_number_id="1")
    with transaction.atomic():
        services.message_status_update_many(updates=parse_webhook(webhook_envelope(late)).statuses)
    assert not EarlyStatus.objects.filter(provider_message_id=scenario.wamid(8)).exists()
    for_otto = status_value(message_id=scenario.wamid(9, scenario.OTTO_PHONE), status="delivered",
                            recipient=scenario.OTTO_PHONE, phone_number_id="1")  # fmt: skip
    with transaction.atomic():
        services.message_status_update_many(updates=parse_webhook(webhook_envelope(for_otto)).statuses)
    assert EarlyStatus.objects.filter(provider_message_id=scenario.wamid(9, scenario.OTTO_PHONE)).exists()
