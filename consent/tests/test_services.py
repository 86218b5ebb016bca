"""Consent services: double opt-in, withdrawal, notices, purposes, subjects."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from consent import crypto, services
from consent.exceptions import (
    ConfirmationExpired,
    DoubleOptInRequired,
    ImmutableRecord,
    InvalidContactPoint,
    InvalidEvidence,
    InvalidTransition,
    NoticeUnavailable,
)
from consent.models import ConsentEvent, ConsentState, ContactPoint, Purpose
from consent.selectors import consent_history, consent_state, consent_state_list, subject_get_by_contact
from consent.tests.factories import texts


def actions(subject) -> list[tuple[str, str]]:
    return [(e.purpose.code, e.action) for e in consent_history(subject=subject)]


# --- double opt-in --------------------------------------------------------------------


def test_double_opt_in_request_then_confirm(subject_de, marketing, notices):
    requested = services.consent_request(subject=subject_de, purpose=marketing, channel="whatsapp")
    assert consent_state(subject=subject_de, purpose=marketing) == "pending"
    # The confirmation goes out in the subject's language, names the purpose and links the notice shown.
    notice = notices[("GDPR", "de")]
    assert "Antworten Sie JA" in requested.message
    assert "Offers (de)" in requested.message
    assert f"/privacy/notices/{notice.pk}/" in requested.message
    assert requested.event.notice_id == notice.pk

    confirmed = services.consent_confirm(
        subject=subject_de, purpose=marketing, channel="whatsapp",
        evidence=services.Evidence(inbound_message_id="wamid.X1", keyword="JA"),
    )  # fmt: skip
    assert confirmed.status == "granted"
    assert consent_state(subject=subject_de, purpose=marketing) == "granted"
    assert consent_state(subject=subject_de.pk, purpose="marketing") == "granted"
    event = confirmed.event
    assert event.notice_id == notice.pk, "the confirmation records the notice version shown with the request"
    # The message id is kept hashed: a WhatsApp id encodes the number, and the event outlives an erasure.
    assert event.evidence == {"inbound_message_hash": crypto.evidence_hash("wamid.X1"), "keyword": "JA"}
    assert "wamid" not in json.dumps(event.evidence)
    assert actions(subject_de) == [("marketing", "requested"), ("marketing", "confirmed")]


def test_double_opt_in_purpose_cannot_be_granted_in_one_step(subject_de, marketing, notices):
    with pytest.raises(DoubleOptInRequired):
        services.consent_grant(subject=subject_de, purpose=marketing, channel="webchat")
    assert consent_state(subject=subject_de, purpose=marketing) == "none"
    assert not ConsentEvent.objects.exists()


def test_confirm_without_request_is_refused(subject_de, marketing, notices):
    with pytest.raises(InvalidTransition):
        services.consent_confirm(subject=subject_de, purpose=marketing, channel="whatsapp")


def test_late_confirmation_expires_the_request(subject_de, marketing, notices, settings):
    services.consent_request(subject=subject_de, purpose=marketing, channel="whatsapp")
    ConsentState.objects.filter(subject=subject_de).update(
        changed_at=timezone.now() - timedelta(hours=settings.CONSENT_CONFIRMATION_HOURS + 1)
    )
    with pytest.raises(ConfirmationExpired):
        services.consent_confirm(subject=subject_de, purpose=marketing, channel="whatsapp")
    assert consent_state(subject=subject_de, purpose=marketing) == "expired"
    assert actions(subject_de)[-1] == ("marketing", "expired")
    # A new request starts over.
    services.consent_request(subject=subject_de, purpose=marketing, channel="whatsapp")
    assert services.consent_confirm(subject=subject_de, purpose=marketing, channel="whatsapp").status == "granted"


def test_expire_command_closes_stale_requests_only(subject_de, subject_br, marketing, notices, settings):
    services.consent_request(subject=subject_de, purpose=marketing, channel="whatsapp")
    services.consent_request(subject=subject_br, purpose=marketing, channel="whatsapp")
    ConsentState.objects.filter(subject=subject_de).update(changed_at=timezone.now() - timedelta(days=30))
    assert services.consent_expire_pending() == 1
    assert services.consent_expire_pending() == 0
    assert consent_state(subject=subject_de, purpose=marketing) == "expired"
    assert consent_state(subject=subject_br, purpose=marketing) == "pending"


# --- grant and withdrawal ----------------------------------------------------------------


def test_single_opt_in_grant_records_the_notice(subject_br, newsletter, notices):
    change = services.consent_grant(
        subject=subject_br,
        purpose=newsletter,
        channel="webchat",
        evidence=services.Evidence(form="widget", ip="203.0.113.9"),
    )
    assert change.status == "granted"
    assert change.event.notice_id == notices[("LGPD", "pt-br")].pk
    # The IP is proof, kept as a keyed hash only.
    assert "203.0.113.9" not in str(change.event.evidence)
    assert len(change.event.evidence["ip_hash"]) == 64


@pytest.mark.parametrize("start", ["none", "pending", "granted"])
def test_withdraw_is_one_step_from_any_state(subject_de, marketing, notices, start):
    if start in ("pending", "granted"):
        services.consent_request(subject=subject_de, purpose=marketing, channel="whatsapp")
    if start == "granted":
        services.consent_confirm(subject=subject_de, purpose=marketing, channel="whatsapp")
    change = services.consent_withdraw(
        subject=subject_de, purpose=marketing, channel="whatsapp", evidence=services.Evidence(keyword="STOPP")
    )
    assert change.status == "withdrawn" and change.changed
    assert "nicht mehr" in change.message
    assert consent_state(subject=subject_de, purpose=marketing) == "withdrawn"


def test_repeated_withdrawal_changes_nothing(subject_de, newsletter, notices):
    services.consent_grant(subject=subject_de, purpose=newsletter, channel="webchat")
    services.consent_withdraw(subject=subject_de, purpose=newsletter, channel="whatsapp")
    before = ConsentEvent.objects.count()
    again = services.consent_withdraw(subject=subject_de, purpose=newsletter, channel="whatsapp")
    assert not again.changed and again.event is None
    assert ConsentEvent.objects.count() == before


def test_withdraw_marketing_leaves_other_purposes(subject_de, marketing, newsletter, service, notices):
    services.consent_grant(subject=subject_de, purpose=newsletter, channel="webchat")
    services.consent_request(subject=subject_de, purpose=marketing, channel="whatsapp")
    services.consent_confirm(subject=subject_de, purpose=marketing, channel="whatsapp")
    changes = services.consent_withdraw_marketing(subject=subject_de, channel="whatsapp")
    assert len(changes) == 2
    states = {row["purpose"].code: row["status"] for row in consent_state_list(subject=subject_de)}
    assert states == {"marketing": "withdrawn", "newsletter": "withdrawn", "service": "none"}


def test_grant_needs_a_published_notice_for_the_subjects_jurisdiction(subject_br, newsletter, notices):
    ConsentState.objects.all().delete()
    gdpr_notice = notices[("GDPR", "en")]
    with pytest.raises(NoticeUnavailable):
        services.consent_grant(subject=subject_br, purpose=newsletter, channel="webchat", notice=gdpr_notice)
    draft = services.notice_create(language="pt-br", jurisdiction="LGPD", title="t", text="draft", actor=None)
    with pytest.raises(NoticeUnavailable):
        services.consent_grant(subject=subject_br, purpose=newsletter, channel="webchat", notice=draft)


def test_no_notice_at_all_refuses_consent(subject_de, newsletter):
    with pytest.raises(NoticeUnavailable):
        services.consent_grant(subject=subject_de, purpose=newsletter, channel="webchat")


def test_current_state_row_matches_a_replay_of_the_ledger(subject_de, subject_br, marketing, newsletter, notices):
    for subject in (subject_de, subject_br):
        services.consent_request(subject=subject, purpose=marketing, channel="whatsapp")
        services.consent_grant(subject=subject, purpose=newsletter, channel="webchat")
    services.consent_confirm(subject=subject_de, purpose=marketing, channel="whatsapp")
    services.consent_withdraw(subject=subject_br, purpose=newsletter, channel="whatsapp")
    services.consent_withdraw(subject=subject_br, purpose=marketing, channel="whatsapp")
    replay = {}
    for event in ConsentEvent.objects.order_by("seq"):
        replay[(str(event.subject_id), event.purpose_id)] = services.ACTION_RESULT[event.action]
    for state in ConsentState.objects.select_related("subject"):
        assert replay[(str(state.subject.public_id), state.purpose_id)] == state.status


def test_evidence_must_be_short_printable_text(subject_de, newsletter, notices):
    with pytest.raises(InvalidEvidence):
        services.consent_grant(
            subject=subject_de, purpose=newsletter, channel="web", evidence=services.Evidence(reference="x" * 201)
        )
    with pytest.raises(InvalidEvidence):
        services.consent_grant(
            subject=subject_de, purpose=newsletter, channel="web", evidence=services.Evidence(form="a\nb")
        )


@pytest.mark.parametrize("reference", [
    "Anruf mit Wilhelmine Zauberstab",  # a name, no number
    "call with Mrs Zauberstab about 3 parcels",  # a description with a number
    "Zauberstab +49 151 98765432",  # a phone number
    "ticket 4711 " + "x" * 40,  # too long
])  # fmt: skip
def test_a_staff_reference_is_a_number_never_a_name_the_ledger_would_keep_for_years(
    subject_de, newsletter, notices, dpo, reference
):
    with pytest.raises(InvalidEvidence, match="reference"):
        services.consent_grant(subject=subject_de, purpose=newsletter, channel="admin", actor=dpo,
                               evidence=services.Evidence(reference=reference))  # fmt: skip
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize(
    "reference", ["call #1234", "TICKET-4711", "request 7", "Zendesk 88213", "R-KXWB-TMPQ", "request R-KXWB-TMPQ"]
)  # a subject request's, digits or not
def test_ticket_and_call_numbers_are_references(subject_de, newsletter, notices, dpo, reference):
    change = services.consent_grant(subject=subject_de, purpose=newsletter, channel="admin", actor=dpo,
                                    evidence=services.Evidence(reference=reference))  # fmt: skip
    assert change.event.evidence == {"reference": reference}


def test_actor_is_recorded(subject_de, newsletter, notices, dpo):
    call = services.Evidence(reference="call #42")
    change = services.consent_grant(subject=subject_de, purpose=newsletter, channel="admin", actor=dpo, evidence=call)
    assert change.event.actor_id == dpo.pk and change.event.evidence == {"reference": "call #42"}


def test_consent_staff_record_must_say_where_it_was_given(subject_de, newsletter, notices, dpo):
    with pytest.raises(InvalidEvidence, match="reference"):
        services.consent_grant(subject=subject_de, purpose=newsletter, channel="admin", actor=dpo)
    assert not ConsentEvent.objects.exists()


# --- purposes -----------------------------------------------------------------------------


def _purpose(**overrides) -> Purpose:
    fields = {
        "code": "p", "name": texts("n"), "description": texts("d"),
        "legal_bases": {"GDPR": "gdpr-6-1-b", "LGPD": "lgpd-7-v"},
    }  # fmt: skip
    fields.update(overrides)
    return services.purpose_create(**fields, actor=None)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "error_field"),
    [
        ({"legal_bases": {}}, "legal_bases"),
        ({"legal_bases": {"GDPR": "gdpr-6-1-b"}}, "legal_bases"),
        ({"legal_bases": {"GDPR": "gdpr-6-1-b", "LGPD": "gdpr-6-1-b"}}, "legal_bases"),
        ({"legal_bases": {"GDPR": "gdpr-6-1-f", "LGPD": "lgpd-7-ix"}}, "balancing_note"),
        ({"is_marketing": True}, "legal_bases"),
        ({"special_category": True}, "special_conditions"),
        ({"name": {"en": "only english"}}, "name"),
        ({"keywords": {"unsubscribe": ["x"]}}, "keywords"),
    ],
)
def test_purpose_without_a_valid_basis_cannot_be_saved(overrides, error_field):
    with pytest.raises(ValidationError) as excinfo:
        _purpose(**overrides)
    assert error_field in excinfo.value.message_dict
    assert not Purpose.objects.exists()


@pytest.mark.django_db
def test_complete_purposes_save():
    _purpose(code="li", legal_bases={"GDPR": "gdpr-6-1-f", "LGPD": "lgpd-7-ix"}, balancing_note="documented test")
    _purpose(
        code="health", special_category=True, legal_bases={"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"},
        special_conditions={"GDPR": "gdpr-9-2-a", "LGPD": "lgpd-11-i"},
    )  # fmt: skip
    assert Purpose.objects.count() == 2
    assert Purpose.objects.get(code="health").needs_consent


# --- notices ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_notice_versions_and_immutability():
    first = services.notice_create(language="en", jurisdiction="GDPR", title="T", text="v1", actor=None)
    first.text = "v1 corrected before publishing"
    first.save()
    services.notice_publish(notice=first, actor=None)
    second = services.notice_create(language="en", jurisdiction="GDPR", title="T", text="v2", actor=None)
    assert (first.version, second.version) == (1, 2)
    first.text = "rewritten history"
    with pytest.raises(ImmutableRecord):
        first.save()
    with pytest.raises(ImmutableRecord):
        first.delete()
    first.refresh_from_db()
    assert first.text == "v1 corrected before publishing"
    assert first.history.count() == 3  # created, edited, published


# --- subjects and contact points ---------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "country", "jurisdiction", "language"),
    [
        ("+49 151 23456789", "DE", "GDPR", "de"),
        ("5511987654321", "BR", "LGPD", "pt-br"),
        ("+31 6 12345678", "NL", "GDPR", "nl"),
        ("+39 312 345 6789", "IT", "GDPR", "it"),
        ("+1 415 555 2671", "US", "GDPR", "en"),  # no regime claims the US: the configured default
    ],
)
def test_jurisdiction_and_language_follow_the_phone_number(value, country, jurisdiction, language):
    subject = services.subject_create(kind="whatsapp", value=value, actor=None)
    assert (subject.country, subject.jurisdiction, subject.language) == (country, jurisdiction, language)


def test_jurisdiction_override_and_back(subject_de, dpo):
    services.subject_set_jurisdiction(subject=subject_de, jurisdiction="LGPD", actor=dpo, reason="lives in Brazil")
    subject_de.refresh_from_db()
    assert (subject_de.jurisdiction, subject_de.jurisdiction_overridden) == ("LGPD", True)
    record = subject_de.history.first()
    assert record.history_user == dpo and record.history_change_reason == "lives in Brazil"
    services.subject_set_jurisdiction(subject=subject_de, jurisdiction=None, actor=dpo, reason="moved back")
    subject_de.refresh_from_db()
    assert (subject_de.jurisdiction, subject_de.jurisdiction_overridden) == ("GDPR", False)


def test_one_subject_per_contact_whatever_the_formatting(subject_de):
    for spelling in ("4915123456789", "+49 (151) 234-567-89", "+4915123456789"):
        found, created = services.subject_get_or_create_by_contact(kind="whatsapp", value=spelling, actor=None)
        assert found.pk == subject_de.pk and not created
    assert ContactPoint.objects.count() == 1
    # Same value, other kind: a different contact point.
    other, created = services.subject_get_or_create_by_contact(kind="email", value="Erika@Example.org", actor=None)
    assert created and subject_get_by_contact(kind="email", value="erika@example.org").pk == other.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "value"), [("whatsapp", "12"), ("whatsapp", "hello"), ("email", "not-an-address"), ("fax", "1")]
)
def test_invalid_contact_values_are_refused(kind, value):
    with pytest.raises(InvalidContactPoint) as excinfo:
        services.subject_create(kind=kind, value=value, actor=None)
    assert value not in str(excinfo.value) or value == "1", "errors never repeat the value"


def test_number_change_keeps_one_subject(subject_de):
    contact = subject_de.contact_points.get()
    services.contact_point_change(contact_point=contact, value="+49 151 99999999", actor=None, reason="number changed")
    assert subject_get_by_contact(kind="whatsapp", value="+4915199999999").pk == subject_de.pk
    assert subject_get_by_contact(kind="whatsapp", value="+4915123456789") is None
    assert contact.history.count() == 2
