"""The purge runs every retention rule: what is due goes (with its history and files), nothing else does."""

import os
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.utils import timezone

from consent import services as consent_services
from consent.declarations import Category
from consent.jurisdictions import LANGUAGES
from consent.models import AccessRecord, ConsentState, Subject
from consent.tests.factories import SubjectFactory
from conversations import services
from conversations.models import Attachment, Conversation, ConversationEvent, EarlyStatus, Message, Note
from conversations.providers.base import InboundMessage
from conversations.tests.factories import ConversationFactory, MessageFactory
from retention.models import ErasureReceipt, PurgeRun, RetentionRule
from retention.services import purge_expired, retention_rule_update

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def _ago(days: float):
    return timezone.now() - days * DAY


def resolved_conversation(*, days_ago: float, **fields) -> Conversation:
    """A conversation resolved ``days_ago``, with a message, a note, an event and an attachment with its file."""
    conversation = ConversationFactory(channel="whatsapp", **fields)
    message = MessageFactory(conversation=conversation, content={"text": "Hallo"})
    note = Note(conversation=conversation)
    note.body = "note"
    note.save()
    ConversationEvent.objects.create(kind="conversation.message", conversation=conversation, message=message)
    attachment = Attachment.objects.create(message=message, mime_type="image/jpeg", status="stored")
    attachment.file.name = default_storage.save(
        "attachments/t.bin", ContentFile(Attachment.data.encrypt(attachment, b"x"))
    )
    attachment.save(update_fields=["file"])
    Conversation.objects.filter(pk=conversation.pk).update(
        status="resolved", resolved_at=_ago(days_ago), last_inbound_at=_ago(days_ago)
    )
    return conversation


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ERASURE_JOURNAL_PATH = tmp_path / "journal.jsonl"
    return tmp_path / "media"


def files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_every_category_ships_a_rule_with_its_reason_in_every_language():
    rules = {rule.category: rule for rule in RetentionRule.objects.all()}
    assert set(rules) == set(Category)
    assert (rules["messages"].period_days, rules["messages"].clock) == (180, "conversation_resolved")
    assert (rules["media"].period_days, rules["sensitive_alerts"].period_days, rules["access_log"].period_days,
            rules["consent_evidence"].period_days, rules["subject_requests"].period_days,
            rules["early_statuses"].period_days) == (30, 365, 365, 1095, 1095, 7)  # fmt: skip
    for rule in rules.values():
        assert all(rule.reason_in(lang).strip() for lang in LANGUAGES), rule.category
        assert rule.reason_in("de") != rule.reason_in("en")


def test_due_conversations_go_with_their_messages_notes_events_history_and_files(
    media_root, django_capture_on_commit_callbacks
):
    old = resolved_conversation(days_ago=181)
    recent = resolved_conversation(days_ago=179)
    open_one = ConversationFactory(channel="whatsapp")
    assert old.history.exists() and len(files(media_root)) == 2

    with django_capture_on_commit_callbacks(execute=True):  # files go once each batch has committed
        run = purge_expired()

    assert not Conversation.objects.filter(pk=old.pk).exists()
    assert not Conversation.history.filter(id=old.pk).exists()  # no copy of it left in the history either
    assert not Message.objects.filter(conversation_id=old.pk).exists()
    assert not Note.objects.filter(conversation_id=old.pk).exists()
    assert Conversation.objects.filter(pk__in=[recent.pk, open_one.pk]).count() == 2
    assert Message.objects.filter(conversation=recent).exists()
    # The old conversation's file went with its message; the recent one's, received today, stays.
    assert len(files(media_root)) == 1 and Attachment.objects.get().message.conversation == recent
    assert run.outcome == "done"
    assert run.counts == {"conversations": 1, "messages": 1, "notes": 1, "media": 1, "realtime_events": 1}

    # Media go 30 days after receipt, whatever the conversation: the file and its row, the message stays.
    Attachment.objects.update(created_at=_ago(31))
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired().counts == {"media": 1}
    assert files(media_root) == [] and Message.objects.filter(conversation=recent).exists()


def test_a_second_run_removes_nothing_and_a_dry_run_only_counts(media_root):
    resolved_conversation(days_ago=200)
    dry = purge_expired(dry_run=True)
    assert dry.outcome == "dry_run" and dry.counts["conversations"] == 1 and Conversation.objects.count() == 1
    purge_expired()
    again = purge_expired()
    assert again.counts == {} and again.subjects_erased == 0


def test_a_legal_hold_keeps_the_subject_or_the_conversation_and_is_counted(media_root, dpo):
    held_subject = resolved_conversation(days_ago=400)
    held_conversation = resolved_conversation(days_ago=400)
    free = resolved_conversation(days_ago=400)
    consent_services.legal_hold_place(subject=held_subject.subject, reason="lawsuit 12 O 3/26", actor=dpo)
    consent_services.legal_hold_place(
        subject=held_conversation.subject, conversation_id=held_conversation.pk, reason="order of the ANPD", actor=dpo
    )

    run = purge_expired()

    assert set(Conversation.objects.values_list("pk", flat=True)) == {held_subject.pk, held_conversation.pk}
    assert run.held_back["conversations"] == 2 and run.counts["conversations"] == 1
    assert not Subject.objects.filter(pk=free.subject_id).exists()  # left with nothing: erased too
    assert Subject.objects.filter(pk__in=[held_subject.subject_id, held_conversation.subject_id]).count() == 2


def test_a_hold_keeps_the_early_statuses_found_through_the_subjects_messages(media_root, dpo):
    held, free = resolved_conversation(days_ago=10), resolved_conversation(days_ago=10)
    for conversation in (held, free):
        message = conversation.messages.get()
        Message.objects.filter(pk=message.pk).update(provider_message_id=f"wamid.held.{message.pk}")
        EarlyStatus.objects.create(provider="whatsapp", provider_message_id=f"wamid.held.{message.pk}",
                                   status="read", timestamp=_ago(9))  # fmt: skip
    EarlyStatus.objects.update(created_at=_ago(9))
    consent_services.legal_hold_place(subject=held.subject, conversation_id=held.pk, reason="order of the ANPD",
                                      actor=dpo)  # fmt: skip

    run = purge_expired(categories=["early_statuses", "background_tasks"])

    kept = EarlyStatus.objects.values_list("provider_message_id", flat=True)
    assert list(kept) == [f"wamid.held.{held.messages.get().pk}"]
    assert run.counts == {"early_statuses": 1} and run.held_back == {"early_statuses": 1}


def test_a_subject_left_with_nothing_is_erased_with_a_receipt(media_root):
    gone = resolved_conversation(days_ago=181).subject
    kept = resolved_conversation(days_ago=181).subject
    consent_services.subject_update(subject=kept, display_name="still here", actor=None, reason="test")
    ConversationFactory(subject=kept, channel="webchat")  # another conversation in progress keeps them

    run = purge_expired()

    assert run.subjects_erased == 1
    assert not Subject.objects.filter(pk=gone.pk).exists() and Subject.objects.filter(pk=kept.pk).exists()
    [receipt] = ErasureReceipt.objects.all()
    assert receipt.trigger == "purge" and receipt.actor is None


def test_consent_in_force_is_never_purged_and_withdrawn_consent_goes_after_three_years(media_root, marketing, notices):
    subject = ConversationFactory(channel="whatsapp").subject
    consent_services.consent_request(subject=subject, purpose=marketing, channel="whatsapp")
    ConsentState.objects.update(changed_at=_ago(2000))
    purge_expired(categories=["consent_evidence"])
    assert ConsentState.objects.filter(subject=subject, status="pending").exists()  # still waiting, kept

    consent_services.consent_withdraw(subject=subject, purpose=marketing, channel="whatsapp")
    ConsentState.objects.update(changed_at=_ago(1094))
    assert purge_expired(categories=["consent_evidence"]).counts == {}
    ConsentState.objects.update(changed_at=_ago(1096))
    # Three years after the withdrawal or the last contact, whichever is later: she writes today, through the
    # real path, and that counts even once the conversation itself has gone.
    services.ingest(inbound=InboundMessage(
        provider="whatsapp", provider_message_id="wamid.late-1", contact_kind="whatsapp",
        sender=subject.contact_points.get().value, timestamp=timezone.now(), type="text", text="Hallo?",
    ))  # fmt: skip
    assert Subject.objects.get(pk=subject.pk).last_contact_at > _ago(1)
    Conversation.objects.filter(subject=subject).delete()  # as the purge does, long before three years
    assert purge_expired(categories=["consent_evidence"]).counts == {}
    Subject.objects.filter(pk=subject.pk).update(last_contact_at=_ago(1096))
    assert purge_expired(categories=["consent_evidence"]).counts == {"consent_evidence": 1}


def test_small_batches_each_commit_and_the_run_says_how_long_the_longest_took(media_root):
    for _ in range(5):
        resolved_conversation(days_ago=190)
    run = purge_expired(batch_size=2)
    assert run.counts["conversations"] == 5 and 0 < run.longest_transaction_ms < 10_000


def test_paced_it_rests_after_each_batch_in_proportion_to_the_batch(media_root):
    for _ in range(5):
        resolved_conversation(days_ago=190)
    rests: list[float] = []
    run = purge_expired(batch_size=2, duty=0.25, sleep=rests.append)
    assert run.counts["conversations"] == 5 and Conversation.objects.count() == 0
    # 5 conversations, their 5 messages and 5 notes, in batches of 2: three batches each; rest = 3 x its time.
    assert len(rests) == 9 and all(rest > 0 for rest in rests)
    assert max(rests) <= 3 * run.longest_transaction_ms / 1000 + 0.003  # (the longest may be an erasure)
    assert purge_expired(sleep=rests.append).counts == {} and len(rests) == 9  # flat out: no rest
    with pytest.raises(ValueError, match="duty"):
        purge_expired(duty=0)
    with pytest.raises(CommandError, match="duty"):
        call_command("purge_expired", "--duty", "1.5")


def test_a_hold_placed_or_a_conversation_reopened_during_the_run_keeps_its_rows(media_root, dpo):
    first, held, reopened = (resolved_conversation(days_ago=190) for _ in range(3))
    from conversations.services import conversation_set_status

    def meanwhile(_seconds: float) -> None:  # between the first batch and the next: once
        if not held.subject.legal_holds.exists():
            consent_services.legal_hold_place(subject=held.subject, actor=dpo, reason="a claim came in")
            conversation_set_status(conversation=Conversation.objects.get(pk=reopened.pk), status="open", actor=dpo)

    run = purge_expired(batch_size=1, duty=0.5, sleep=meanwhile)
    assert not Conversation.objects.filter(pk=first.pk).exists()
    assert Message.objects.filter(conversation=held).count() == 1 and Conversation.objects.filter(pk=held.pk).exists()
    assert Message.objects.filter(conversation=reopened).count() == 1
    assert Conversation.objects.get(pk=reopened.pk).status == "open"
    assert run.counts["messages"] == 1 and run.counts["conversations"] == 1


def test_an_alert_outlives_the_message_and_conversation_it_points_at(media_root):
    from conversations.models import SensitiveAlert

    conversation = resolved_conversation(days_ago=190)
    alert = SensitiveAlert(subject=conversation.subject, conversation=conversation,
                           message=conversation.messages.get(), label="Geheimzutat", severity="high")  # fmt: skip
    alert.excerpt = "… Geheimzutat …"
    alert.save()
    run = purge_expired()
    assert run.counts["messages"] == 1 and run.counts["conversations"] == 1
    alert.refresh_from_db()
    assert (alert.conversation_id, alert.message_id, alert.excerpt) == (None, None, "… Geheimzutat …")


def test_the_short_lived_categories(media_root, dpo):
    EarlyStatus.objects.create(provider="whatsapp", provider_message_id="wamid.x", status="read", timestamp=_ago(8))
    EarlyStatus.objects.create(provider="whatsapp", provider_message_id="wamid.y", status="read", timestamp=_ago(1))
    EarlyStatus.objects.filter(provider_message_id="wamid.x").update(created_at=_ago(8))
    conversation = ConversationFactory(channel="whatsapp")
    ConversationEvent.objects.create(kind="conversation.read", conversation=conversation)
    ConversationEvent.objects.update(created_at=_ago(31))
    consent_services.access_record(
        subject=conversation.subject, actor=dpo, action="reveal", object_ref="m:1", reason="checking the card"
    )
    AccessRecord.objects.update(created_at=_ago(366))

    run = purge_expired()

    assert list(EarlyStatus.objects.values_list("provider_message_id", flat=True)) == ["wamid.y"]
    assert run.counts == {"access_log": 1, "early_statuses": 1, "realtime_events": 1}
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_the_run_record_holds_counts_and_no_personal_data(media_root):
    resolved_conversation(days_ago=181)
    run = PurgeRun.objects.get(pk=purge_expired().pk)
    assert set(run.counts) <= set(Category) and run.finished_at is not None
    assert "Hallo" not in str(run.counts) and "Erika" not in str(run.__dict__)


def test_the_dpo_changes_a_rule_with_a_reason_kept_in_its_history(dpo):
    rule = RetentionRule.objects.get(category="media")
    changed = retention_rule_update(rule=rule, actor=dpo, reason="Meta keeps 14 days now", period_days=14)
    assert changed.period_days == 14
    latest = changed.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.period_days) == (
        dpo,
        "Meta keeps 14 days now",
        14,
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        retention_rule_update(rule=rule, actor=dpo, reason="typo", legal_reason={"en": "only English"})


def test_the_command_prints_per_category_and_refuses_an_unknown_one(media_root, capsys):
    resolved_conversation(days_ago=181)
    call_command("purge_expired", "--dry-run")
    out = capsys.readouterr().out
    assert "would remove" in out and "conversations: 1" in out and Conversation.objects.count() == 1
    with pytest.raises(CommandError, match="no retention rule"):
        call_command("purge_expired", "--category", "shoes")


@pytest.fixture
def dpo_admin(client, dpo):
    client.force_login(dpo)
    return client


def test_the_dpo_places_and_releases_a_hold_in_the_admin_and_sees_it_on_the_subject(dpo_admin, dpo):
    subject = ConversationFactory(channel="whatsapp").subject
    placed = dpo_admin.post(
        "/admin/consent/legalhold/add/", {"subject_public_id": str(subject.public_id), "reason_text": "case 4 O 9/26"}
    )
    assert placed.status_code == 302, placed.content.decode()[:1500]
    hold = subject.legal_holds.get()
    assert hold.reason == "case 4 O 9/26" and hold.placed_by == dpo and hold.released_at is None
    page = dpo_admin.get(f"/admin/consent/subject/{subject.pk}/change/").content.decode()
    assert (
        "Legal holds (a standing one stops purge and erasure)" in page and "case 4 O 9/26" not in page
    )  # shown, its reason only on its own page

    release = {"release": "on", "reason_text": "case closed"}
    released = dpo_admin.post(f"/admin/consent/legalhold/{hold.pk}/change/", release)
    assert released.status_code == 302
    hold.refresh_from_db()
    assert hold.released_by == dpo and hold.history.first().history_change_reason == "case closed"


def test_the_dpo_edits_a_rule_in_the_admin_only_with_a_reason(dpo_admin, dpo):
    rule = RetentionRule.objects.get(category="notes")
    data = {"clock": "conversation_resolved", "period_days": "90", "action": "delete",
            **{f"reason_{lang}": rule.reason_in(lang) for lang in LANGUAGES}}  # fmt: skip
    refused = dpo_admin.post(f"/admin/retention/retentionrule/{rule.pk}/change/", data)
    assert refused.status_code == 200 and RetentionRule.objects.get(pk=rule.pk).period_days == 180
    saved = dpo_admin.post(f"/admin/retention/retentionrule/{rule.pk}/change/", {**data, "reason": "shorter now"})
    assert saved.status_code == 302
    rule.refresh_from_db()
    assert rule.period_days == 90 and rule.history.first().history_user == dpo


# --- Operations: the dry run's counts, one run at a time, killed and failed runs, when a hold stands -------------


def _rows() -> dict[str, int]:
    from retention import registry

    return {d.model: registry.model_of(d)._base_manager.count() for d in registry.declarations()}


def test_a_dry_run_counts_what_the_run_then_removes_dependants_and_subjects_included(
    media_root, marketing, notices, dpo, django_capture_on_commit_callbacks
):
    # Gone with nothing left: one conversation resolved long ago (its message's attachment arrived today and
    # its event is recent: they go with them, not by their own rules) ...
    alone = resolved_conversation(days_ago=200).subject
    # ... and one whose withdrawn consent goes too (no consent record kept any more: three years since she
    # withdrew it and since she last wrote).
    withdrawn = resolved_conversation(days_ago=1100).subject
    consent_services.consent_request(subject=withdrawn, purpose=marketing, channel="whatsapp")
    consent_services.consent_withdraw(subject=withdrawn, purpose=marketing, channel="whatsapp")
    ConsentState.objects.filter(subject=withdrawn).update(changed_at=_ago(1100))
    # Kept: one writing again (an open conversation), one under a hold that still stands today.
    returning = resolved_conversation(days_ago=200).subject
    ConversationFactory(subject=returning, channel="whatsapp")
    held = resolved_conversation(days_ago=200).subject
    consent_services.legal_hold_place(subject=held, reason="claim 3 O 1/26", actor=dpo, until=timezone.localdate())
    # A recent conversation whose file is due on its own (30 days), and a subject left with nothing already.
    recent = resolved_conversation(days_ago=10)
    Attachment.objects.filter(message__conversation=recent).update(created_at=_ago(31))
    nobody = SubjectFactory()
    before = _rows()

    dry = purge_expired(dry_run=True)

    assert _rows() == before and ErasureReceipt.objects.count() == 0  # nothing removed, nobody erased
    assert not (media_root.parent / "journal.jsonl").exists()
    with django_capture_on_commit_callbacks(execute=True):
        run = purge_expired()

    assert run.counts == {"consent_evidence": 1, "conversations": 3, "media": 4, "messages": 3, "notes": 3,
                          "realtime_events": 3}  # fmt: skip
    assert run.subjects_erased == 3  # alone, withdrawn, nobody
    assert not Subject.objects.filter(pk__in=[alone.pk, withdrawn.pk, nobody.pk]).exists()
    assert Subject.objects.filter(pk__in=[returning.pk, held.pk]).count() == 2
    assert (dry.counts, dry.subjects_erased, dry.held_back) == (run.counts, run.subjects_erased, run.held_back)
    assert dry.outcome == "dry_run" and dry.finished_at is not None


def _database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db.get('PASSWORD') or ''}@{db.get('HOST') or '127.0.0.1'}:" \
           f"{db.get('PORT') or 5432}/{db['NAME']}"  # fmt: skip


def _purge_process_env(media_root) -> dict[str, str]:
    return {"DATABASE_URL": _database_url(), "DJANGO_MEDIA_ROOT": str(media_root),
            "ERASURE_JOURNAL_PATH": str(media_root.parent / "journal.jsonl")}  # fmt: skip


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the other process must read the database
def test_a_second_run_while_one_runs_refuses_with_one_line_and_does_nothing(media_root):
    from retention.services.purge_lock import purge_claim
    from tests.processes import manage

    resolved_conversation(days_ago=200)
    with purge_claim():  # what a running purge holds
        second = manage("purge_expired", **_purge_process_env(media_root))
    assert second.returncode == 1, second.stdout + second.stderr
    [line] = second.stderr.strip().splitlines()
    assert "another purge is running: this one does nothing" in line and second.stdout == ""
    assert Conversation.objects.count() == 1 and not PurgeRun.objects.exists()
    assert purge_expired().counts["conversations"] == 1  # the claim was let go


def test_the_claim_refuses_a_second_run_from_another_thread_of_the_same_process_too(media_root):
    """Another thread has its own database connection (on PostgreSQL its own session, whose advisory lock the
    purge's session cannot take; on SQLite its own open lock file, which ``flock`` refuses a second time)."""
    import threading

    from django.db import connection

    from retention.services.purge_lock import PurgeAlreadyRunning, purge_claim

    held, done = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with purge_claim():
                held.set()
                done.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        with pytest.raises(PurgeAlreadyRunning, match="another purge is running"):
            purge_expired()
    finally:
        done.set()
        holder.join(10)
    assert purge_expired().outcome == "done"  # let go with the thread's claim


def test_runs_left_running_are_marked_interrupted_by_the_next(media_root):
    from django.utils import translation

    killed = PurgeRun.objects.create(outcome="running", counts={"messages": 2000})
    killed_dry = PurgeRun.objects.create(outcome="dry_run")
    failed = PurgeRun.objects.create(outcome="failed", finished_at=timezone.now())

    run = purge_expired()

    killed.refresh_from_db()
    killed_dry.refresh_from_db()
    failed.refresh_from_db()
    assert (killed.outcome, killed.finished_at, killed.counts) == ("interrupted", None, {"messages": 2000})
    assert (killed_dry.outcome, killed_dry.finished_at) == ("interrupted", None)
    assert failed.outcome == "failed" and run.outcome == "done"
    assert purge_expired().outcome == "done" and PurgeRun.objects.filter(outcome="interrupted").count() == 2
    with translation.override("de"):
        assert str(PurgeRun.Outcome.INTERRUPTED.label).startswith("Unterbrochen")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_run_says_what_it_removed_and_the_next_marks_it_interrupted_and_goes_on(media_root):
    import signal
    import subprocess
    import sys

    from retention.services.purge_lock import PurgeAlreadyRunning
    from tests.processes import ROOT

    for _ in range(4):
        resolved_conversation(days_ago=200)
    dropped = ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DEVTOOLS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    # Paced to a crawl: after its first batch it rests a thousand times as long. Killed there, as OOM would.
    process = subprocess.Popen(
        [sys.executable, "manage.py", "purge_expired", "--batch-size", "1", "--duty", "0.001"],
        cwd=ROOT, env={**env, **_purge_process_env(media_root)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while not PurgeRun.objects.filter(progress_at__isnull=False).exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the purge never finished a batch"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    [killed] = PurgeRun.objects.all()
    assert killed.outcome == "running" and killed.finished_at is None and killed.progress_at is not None
    # What it removed (a message with its attachment and its event), committed with it.
    assert killed.counts == {"media": 1, "messages": 1, "realtime_events": 1}
    assert Message.objects.count() == 3 and Attachment.objects.count() == 3 and ConversationEvent.objects.count() == 3
    deadline = time.monotonic() + 10
    while True:  # PostgreSQL ends the dead process's session (and its lock) a moment later
        try:
            run = purge_expired()
            break
        except PurgeAlreadyRunning:
            assert time.monotonic() < deadline
            time.sleep(0.1)

    killed.refresh_from_db()
    assert killed.outcome == "interrupted" and killed.finished_at is None
    assert run.outcome == "done" and run.subjects_erased == 4
    assert run.counts == {"conversations": 4, "media": 3, "messages": 3, "notes": 4, "realtime_events": 3}
    assert files(media_root) == [] and Conversation.objects.count() == 0
    assert purge_expired().counts == {}


def test_a_run_that_fails_between_batches_keeps_what_it_did_whole_and_the_next_finishes(
    media_root, django_capture_on_commit_callbacks
):
    for _ in range(3):
        resolved_conversation(days_ago=200)

    def machine_going_down(_seconds: float) -> None:  # the seam between batches (duty < 1)
        raise OSError("the machine is going down")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(OSError, match="going down"):
        purge_expired(batch_size=1, duty=0.5, sleep=machine_going_down)

    [failed] = PurgeRun.objects.all()
    assert failed.outcome == "failed" and failed.finished_at is not None and failed.progress_at is not None
    # The first batch: a message with its attachment and its event.
    assert failed.counts == {"media": 1, "messages": 1, "realtime_events": 1}
    assert Message.objects.count() == 2 and Conversation.objects.count() == 3
    assert all(event.message_id is None or Message.objects.filter(pk=event.message_id).exists()
               for event in ConversationEvent.objects.all())  # fmt: skip
    # Nothing half-removed: every attachment row has its message and its file, and no file is left without row.
    stored = sorted(Attachment.objects.values_list("file", flat=True))
    assert len(stored) == 2 and all(Message.objects.filter(pk=a.message_id).exists() for a in Attachment.objects.all())
    assert sorted(str(p.relative_to(media_root)) for p in files(media_root)) == stored

    with django_capture_on_commit_callbacks(execute=True):
        rest = purge_expired()
    assert rest.outcome == "done" and rest.subjects_erased == 3
    assert rest.counts == {"conversations": 3, "media": 2, "messages": 2, "notes": 3, "realtime_events": 2}
    assert files(media_root) == [] and not Message.objects.exists()
    third = purge_expired()
    assert (third.counts, third.subjects_erased) == ({}, 0)


def test_a_hold_stands_through_its_until_day_and_not_after_everywhere(media_root, dpo):
    from consent.models import LegalHold
    from retention.services import LegalHoldActive, subject_erase
    from retention.services.purge import subjects_left_with_nothing

    today = timezone.localdate()
    standing = resolved_conversation(days_ago=200)
    ended = resolved_conversation(days_ago=200)
    for conversation in (standing, ended):
        consent_services.legal_hold_place(subject=conversation.subject, reason="tax audit", actor=dpo, until=today)
    LegalHold.objects.filter(subject=ended.subject).update(until=today - DAY)
    # Nothing else of theirs but the holds: only the one whose hold ended is left with nothing.
    bare_standing, bare_ended = (ConversationFactory(channel="whatsapp").subject for _ in range(2))
    Conversation.objects.filter(subject__in=[bare_standing, bare_ended]).delete()
    for subject, until in ((bare_standing, today), (bare_ended, today - DAY)):
        consent_services.legal_hold_place(subject=subject, reason="tax audit", actor=dpo, until=today)
        LegalHold.objects.filter(subject=subject).update(until=until)
    left = set(subjects_left_with_nothing().values_list("pk", flat=True))
    assert bare_ended.pk in left and bare_standing.pk not in left

    with pytest.raises(LegalHoldActive):
        subject_erase(subject=bare_standing, actor=dpo, reason="subject_request")
    subject_erase(subject=bare_ended, actor=dpo, reason="subject_request")  # its hold ended yesterday: it goes with her

    run = purge_expired()
    assert run.held_back["conversations"] == 1 and run.counts["conversations"] == 1
    assert Conversation.objects.filter(pk=standing.pk).exists()
    assert not Conversation.objects.filter(pk=ended.pk).exists()
    assert not Subject.objects.filter(pk=ended.subject_id).exists()  # left with nothing once its hold ended
    assert Subject.objects.filter(pk__in=[standing.subject_id, bare_standing.pk]).count() == 2


def test_a_holds_record_goes_its_period_after_the_hold_ended_never_while_it_stands(media_root, dpo):
    from consent.models import LegalHold

    subject, other = ConversationFactory(channel="whatsapp").subject, ConversationFactory(channel="whatsapp").subject
    today = timezone.localdate()

    def hold(on, **ended) -> LegalHold:
        placed = consent_services.legal_hold_place(subject=on, reason="case 1 O 1/22", actor=dpo)
        LegalHold.objects.filter(pk=placed.pk).update(placed_at=_ago(2000), **ended)
        return placed

    until_yesterday = hold(subject, until=today - DAY)  # placed long ago, ended only yesterday: kept
    until_long_ago = hold(subject, until=today - 1096 * DAY)  # ended three years and a day ago: goes
    released_lately = hold(subject, released_at=_ago(1094))
    released_long_ago = hold(subject, released_at=_ago(1096))
    still_standing = hold(other)  # placed five years ago, never released, no end: never goes

    run = purge_expired(categories=["legal_holds"])

    assert run.counts == {"legal_holds": 2}
    kept = set(LegalHold.objects.values_list("pk", flat=True))
    assert kept == {until_yesterday.pk, released_lately.pk, still_standing.pk}
    assert not {until_long_ago.pk, released_long_ago.pk} & kept
