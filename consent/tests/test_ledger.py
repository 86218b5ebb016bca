"""The ledger: append-only at every layer, hash-chained, tamper-evident, erasure-proof."""

import itertools
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from conftest import tamper_with_ledger
from consent import services, vault
from consent.exceptions import ImmutableRecord
from consent.ledger import ChainedEvent, ledger_verify
from consent.models import ConsentEvent, LedgerHead
from consent.models.ledger import GENESIS_HASH


@pytest.fixture
def history(subject_de, marketing, newsletter, notices):
    """Five events for one subject across two purposes."""
    services.consent_request(subject=subject_de, purpose=marketing, channel="whatsapp")
    services.consent_confirm(subject=subject_de, purpose=marketing, channel="whatsapp")
    services.consent_grant(subject=subject_de, purpose=newsletter, channel="webchat")
    services.consent_withdraw(subject=subject_de, purpose=marketing, channel="whatsapp")
    services.consent_withdraw(subject=subject_de, purpose=newsletter, channel="email")
    return list(ConsentEvent.objects.order_by("seq"))


def test_events_form_a_gap_free_hash_chain(history):
    assert [e.seq for e in history] == [1, 2, 3, 4, 5]
    assert history[0].prev_hash == GENESIS_HASH
    for previous, event in itertools.pairwise(history):
        assert event.prev_hash == previous.hash
    head = LedgerHead.objects.get()
    assert (head.last_seq, head.last_hash) == (5, history[-1].hash)
    report = ledger_verify()
    assert report.intact and report.checked == 5


def test_model_refuses_update_and_delete(history):
    event = history[1]
    event.action = "granted"
    with pytest.raises(ImmutableRecord):
        event.save()
    with pytest.raises(ImmutableRecord):
        event.delete()
    with pytest.raises(ImmutableRecord):
        ConsentEvent.objects.filter(pk=event.pk).update(action="granted")
    with pytest.raises(ImmutableRecord):
        ConsentEvent.objects.all().delete()
    with pytest.raises(ImmutableRecord):
        ConsentEvent.objects.bulk_update([event], ["action"])
    assert ConsentEvent.objects.get(pk=event.pk).action == "confirmed"


@pytest.mark.postgres
def test_postgres_trigger_refuses_raw_sql(history, require_postgres):
    event = history[0]
    for sql in (
        "UPDATE consent_consentevent SET action = 'granted' WHERE id = %s",
        "DELETE FROM consent_consentevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert ConsentEvent.objects.filter(pk=event.pk, action=event.action).exists()


def test_verify_ledger_command_passes_on_intact_chain(history, capsys):
    call_command("verify_ledger")
    assert "ledger intact: 5 events verified" in capsys.readouterr().out


def test_altered_row_is_detected_and_named(history):
    tamper_with_ledger("UPDATE consent_consentevent SET action = 'granted' WHERE seq = 4", [])
    with pytest.raises(CommandError, match=r"ledger broken at event #4 .*content does not match its hash"):
        call_command("verify_ledger")


def test_altered_evidence_is_detected(history):
    tamper_with_ledger("UPDATE consent_consentevent SET evidence = %s WHERE seq = 2", [json.dumps({"keyword": "YES"})])
    report = ledger_verify()
    assert not report.intact and report.problem.seq == 2 and report.checked == 1


def test_rehashed_row_breaks_the_next_link(history):
    """Recomputing the altered row's own hash does not help: the next event still points at the old one."""
    event = history[2]
    forged_at = event.created_at
    forged = ChainedEvent(
        seq=3, subject_ref=str(event.subject_id), purpose_id=event.purpose_id, action="withdrawn",
        channel=event.channel, evidence=event.evidence, notice_id=event.notice_id,
        notice_hash=event.notice.content_hash if event.notice else None, actor_id=None, created_at=forged_at,
        prev_hash=event.prev_hash,
    )  # fmt: skip
    tamper_with_ledger("UPDATE consent_consentevent SET action = 'withdrawn', hash = %s WHERE seq = 3", [forged.hash()])
    report = ledger_verify()
    assert not report.intact and report.problem.seq == 4
    assert "previous-hash link" in report.problem.reason


def test_deleted_row_is_detected(history):
    tamper_with_ledger("DELETE FROM consent_consentevent WHERE seq = 3", [])
    report = ledger_verify()
    assert not report.intact and report.problem.seq == 3 and "missing" in report.problem.reason


def test_cut_tail_is_detected(history):
    # The attacker repoints the current-state row first, or the foreign key would stop the delete.
    tamper_with_ledger(
        "UPDATE consent_consentstate SET last_event_id = %s WHERE last_event_id = %s", [history[2].pk, history[4].pk]
    )
    tamper_with_ledger("DELETE FROM consent_consentevent WHERE seq = 5", [])
    report = ledger_verify()
    assert not report.intact and "tail" in report.problem.reason


def test_altered_notice_text_is_detected(history, notices):
    notice = notices[("GDPR", "de")]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE consent_privacynotice SET text = 'something else' WHERE id = %s", [notice.pk])
    report = ledger_verify()
    assert not report.intact and f"notice #{notice.pk}" in report.problem.reason


def test_chain_survives_erasure_and_holds_no_plaintext(history, subject_de):
    phone_digits, name = "15123456789", "Mustermann"
    with connection.cursor() as cursor:
        cursor.execute("SELECT evidence, subject_id, hash, prev_hash FROM consent_consentevent")
        dump = repr(cursor.fetchall())
    assert phone_digits not in dump and name not in dump
    vault.key_destroy(subject=subject_de)
    subject_de.delete()
    assert ConsentEvent.objects.count() == 5
    assert ledger_verify().intact
