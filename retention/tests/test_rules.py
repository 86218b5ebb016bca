"""A retention rule only says what can run: its clock is one its category's rows record, and anonymising keeps
what can be kept without the person and removes the rest."""

import pytest
from django.core.exceptions import ValidationError

from consent.jurisdictions import LANGUAGES
from retention.models import RetentionRule
from retention.services import retention_rule_update

pytestmark = pytest.mark.django_db


def test_every_shipped_rule_is_valid_against_the_registry():
    for rule in RetentionRule.objects.all():
        rule.full_clean()  # raises for a clock the category's rows do not record
        if rule.category != "subject_requests":  # its rows come with the subject-rights workflow
            assert rule.clock in rule.clocks_possible(), rule.category


def test_a_clock_the_category_does_not_record_is_refused_with_the_possible_ones(dpo):
    rule = RetentionRule.objects.get(category="media")  # a file records when it arrived, nothing else
    with pytest.raises(ValidationError) as refused:
        retention_rule_update(rule=rule, actor=dpo, reason="keep files with their messages",
                              clock="conversation_resolved")  # fmt: skip
    assert "when it was collected" in str(refused.value.message_dict["clock"])
    rule.refresh_from_db()
    assert rule.clock == "collected" and not rule.history.filter(history_change_reason__contains="keep").exists()


def test_identity_goes_only_with_the_last_of_the_rest(dpo):
    rule = RetentionRule.objects.get(category="identity")
    with pytest.raises(ValidationError, match="nothing else"):
        retention_rule_update(rule=rule, actor=dpo, reason="shorter", clock="collected", period_days=30)


def test_the_admin_shows_the_refusal_on_the_clock_and_keeps_the_rule(client, dpo):
    client.force_login(dpo)
    rule = RetentionRule.objects.get(category="notes")
    data = {"clock": "consent_withdrawn", "period_days": "90", "action": "delete", "reason": "try",
            **{f"reason_{lang}": rule.reason_in(lang) for lang in LANGUAGES}}  # fmt: skip
    page = client.post(f"/admin/retention/retentionrule/{rule.pk}/change/", data)
    assert page.status_code == 200 and "No data of this category records that moment" in page.content.decode()
    assert RetentionRule.objects.get(pk=rule.pk).clock == "conversation_resolved"


def _access(subject, *, days_ago: int, dpo):
    from datetime import timedelta

    from django.utils import timezone

    from consent.models import AccessRecord
    from consent.services import access_record

    record = access_record(subject=subject, actor=dpo, action="reveal_identifier", object_ref="conversations.message:9",
                           reason="Wilhelmine asked to check her card number")  # fmt: skip
    AccessRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return record


def test_anonymising_the_access_log_keeps_who_looked_when_and_drops_at_whom_and_why(dpo, settings, tmp_path):
    from consent.models import AccessRecord, Subject
    from consent.personal_data import ANONYMOUS
    from consent.tests.factories import SubjectFactory
    from retention.services import purge_expired

    settings.ERASURE_JOURNAL_PATH = tmp_path / "journal.jsonl"
    subject = SubjectFactory()
    old, recent = _access(subject, days_ago=400, dpo=dpo), _access(subject, days_ago=10, dpo=dpo)
    rule = RetentionRule.objects.get(category="access_log")
    retention_rule_update(rule=rule, actor=dpo, reason="keep the audit trail, not the person", action="anonymise")

    dry = purge_expired(dry_run=True, categories=["access_log"])
    run = purge_expired(categories=["access_log"])

    assert run.counts == dry.counts == {"access_log (anonymised)": 1}
    old = AccessRecord.objects.get(pk=old.pk)
    assert (old.subject_id, old.subject_public_id, bytes(old.reason_enc)) == (None, ANONYMOUS, b"")
    assert (old.actor_id, old.action, old.object_ref) == (dpo.pk, "reveal_identifier", "")  # the message led to her
    recent = AccessRecord.objects.get(pk=recent.pk)
    assert recent.subject_id == subject.pk and recent.reason == "Wilhelmine asked to check her card number"
    assert purge_expired(categories=["access_log"]).counts == {}  # anonymised once
    assert Subject.objects.filter(pk=subject.pk).exists()


def test_anonymising_what_cannot_be_kept_without_its_person_removes_it(dpo, settings, tmp_path):
    from conversations.models import Note
    from retention.services import purge_expired
    from retention.tests.test_purge import resolved_conversation

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ERASURE_JOURNAL_PATH = tmp_path / "journal.jsonl"
    conversation = resolved_conversation(days_ago=200)
    rule = RetentionRule.objects.get(category="notes")
    retention_rule_update(rule=rule, actor=dpo, reason="anonymise notes", action="anonymise")
    assert purge_expired(categories=["notes"]).counts == {"notes": 1}
    assert not Note.objects.filter(conversation=conversation).exists()
