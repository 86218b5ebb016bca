"""The DPO's admin: masked personal data, ledger filters, verification, CSV, purposes, history."""

import pytest

from conftest import tamper_with_ledger
from consent import services
from consent.models import Purpose
from consent.tests.factories import NoticeFactory


@pytest.fixture
def ledger(subject_de, subject_br, marketing, newsletter, notices):
    services.consent_request(subject=subject_de, purpose=marketing, channel="whatsapp")
    services.consent_confirm(subject=subject_de, purpose=marketing, channel="whatsapp")
    services.consent_grant(subject=subject_br, purpose=newsletter, channel="webchat")
    services.consent_withdraw(subject=subject_br, purpose=newsletter, channel="whatsapp")


PLAINTEXT = (b"Mustermann", b"Erika", b"23456789", b"Maria Silva", b"987654321")


def assert_no_plaintext(content: bytes) -> None:
    for value in PLAINTEXT:
        assert value not in content, value


def test_subject_list_and_detail_are_masked(dpo_client, ledger, subject_de):
    listing = dpo_client.get("/admin/consent/subject/")
    assert listing.status_code == 200
    assert_no_plaintext(listing.content)
    assert "E•••".encode() in listing.content and "+49•".encode() in listing.content
    detail = dpo_client.get(f"/admin/consent/subject/{subject_de.pk}/change/")
    assert detail.status_code == 200
    assert_no_plaintext(detail.content)
    history = dpo_client.get(f"/admin/consent/subject/{subject_de.pk}/history/")
    assert history.status_code == 200
    assert_no_plaintext(history.content)


def test_search_by_exact_phone_number(dpo_client, ledger, subject_de):
    found = dpo_client.get("/admin/consent/subject/", {"q": "+49 151 23456789"})
    assert f"/admin/consent/subject/{subject_de.pk}/change/".encode() in found.content
    assert b"1 result" in found.content
    nothing = dpo_client.get("/admin/consent/subject/", {"q": "+49 151 00000000"})
    assert b"0 results" in nothing.content


def test_dpo_overrides_jurisdiction_with_a_reason(dpo_client, dpo, subject_de):
    response = dpo_client.post(
        f"/admin/consent/subject/{subject_de.pk}/change/",
        {
            "jurisdiction": "LGPD", "jurisdiction_overridden": "on", "language": "de", "reason": "resident in Brazil",
            "contact_points-TOTAL_FORMS": "1", "contact_points-INITIAL_FORMS": "1",
            "contact_points-0-id": subject_de.contact_points.get().pk, "contact_points-0-subject": subject_de.pk,
            "consent_states-TOTAL_FORMS": "0", "consent_states-INITIAL_FORMS": "0",
            "legal_holds-TOTAL_FORMS": "0", "legal_holds-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content[:2000]
    subject_de.refresh_from_db()
    assert subject_de.jurisdiction == "LGPD" and subject_de.jurisdiction_overridden
    assert subject_de.history.first().history_change_reason == "resident in Brazil"


def _subject_form(subject, **fields):
    return {
        "jurisdiction": subject.jurisdiction, "language": subject.language,
        "contact_points-TOTAL_FORMS": "1", "contact_points-INITIAL_FORMS": "1",
        "contact_points-0-id": subject.contact_points.get().pk, "contact_points-0-subject": subject.pk,
        "consent_states-TOTAL_FORMS": "0", "consent_states-INITIAL_FORMS": "0",
        "legal_holds-TOTAL_FORMS": "0", "legal_holds-INITIAL_FORMS": "0", **fields,
    }  # fmt: skip


def test_dpo_restricts_processing_and_lifts_it_only_once_the_customer_is_told(dpo_client, subject_de):
    change = f"/admin/consent/subject/{subject_de.pk}/change/"
    form = _subject_form(subject_de, restriction_ground="objection", reason="Art. 21 objection")
    response = dpo_client.post(change, form)
    assert response.status_code == 302, response.content[:2000]
    subject_de.refresh_from_db()
    assert subject_de.restriction == "objection" and subject_de.restricted_at is not None
    listed = dpo_client.get("/admin/consent/subject/", {"restriction__exact": "objection"})
    assert f"/admin/consent/subject/{subject_de.pk}/change/".encode() in listed.content
    unrestricted = dpo_client.get("/admin/consent/subject/", {"restriction__exact": ""})
    assert f"/admin/consent/subject/{subject_de.pk}/change/".encode() not in unrestricted.content

    refused = dpo_client.post(change, _subject_form(subject_de, restriction_ground="", reason="objection settled"))
    assert refused.status_code == 200
    assert b"The customer must be informed before the restriction is lifted" in refused.content
    subject_de.refresh_from_db()
    assert subject_de.restriction == "objection"

    lifted = dpo_client.post(
        change, _subject_form(subject_de, restriction_ground="", customer_informed="on", reason="objection settled")
    )
    assert lifted.status_code == 302
    subject_de.refresh_from_db()
    assert subject_de.restriction == "" and subject_de.history.first().history_change_reason == "objection settled"


def test_ledger_list_filters(dpo_client, ledger):
    everything = dpo_client.get("/admin/consent/consentevent/")
    assert everything.status_code == 200 and b"4 ledger events" in everything.content
    withdrawn = dpo_client.get("/admin/consent/consentevent/", {"action__exact": "withdrawn"})
    assert b"1 consent event" in withdrawn.content
    by_channel = dpo_client.get("/admin/consent/consentevent/", {"channel__exact": "whatsapp"})
    assert b"3 ledger events" in by_channel.content
    assert_no_plaintext(everything.content)


def test_ledger_events_cannot_be_edited_or_deleted_in_admin(dpo_client, ledger):
    from consent.models import ConsentEvent

    event = ConsentEvent.objects.first()
    assert dpo_client.get(f"/admin/consent/consentevent/{event.pk}/delete/").status_code == 403
    dpo_client.post(f"/admin/consent/consentevent/{event.pk}/change/", {"action": "granted"})
    assert ConsentEvent.objects.get(pk=event.pk).action == event.action


def test_verify_button_reports_intact_and_broken(dpo_client, ledger):
    intact = dpo_client.post("/admin/consent/consentevent/verify/", follow=True)
    assert b"Ledger intact: 4 events verified" in intact.content
    tamper_with_ledger("UPDATE consent_consentevent SET channel = 'web' WHERE seq = 2")
    broken = dpo_client.post("/admin/consent/consentevent/verify/", follow=True)
    assert b"Ledger broken at event #2" in broken.content


def test_agent_cannot_verify_or_open_admin(client, agent, ledger):
    client.force_login(agent)
    assert client.get("/admin/consent/consentevent/").status_code == 302  # to the login page


def test_consent_history_csv(dpo_client, ledger, subject_de):
    response = dpo_client.get(f"/admin/consent/subject/{subject_de.pk}/consent.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert lines[0].startswith("subject_public_id,seq,timestamp_utc,purpose,action")
    assert [line.split(",")[4] for line in lines[1:]] == ["requested", "confirmed"]
    assert_no_plaintext(response.content)


def test_dpo_creates_a_purpose_from_the_jurisdiction_tables(dpo_client):
    form = {f"name_{lang}": f"Name {lang}" for lang in ("en", "de", "nl", "it", "pt-br")}
    form |= {f"description_{lang}": f"Description {lang}" for lang in ("en", "de", "nl", "it", "pt-br")}
    form |= {"code": "surveys", "keywords": "{}", "active": "on", "is_marketing": "on"}
    form |= {"basis_GDPR": "gdpr-6-1-f", "basis_LGPD": "lgpd-7-ix", "balancing_note": "weighed"}
    refused = dpo_client.post("/admin/consent/purpose/add/", form)
    assert refused.status_code == 200 and b"direct marketing requires consent" in refused.content
    assert not Purpose.objects.exists()
    form |= {"basis_GDPR": "gdpr-6-1-a", "basis_LGPD": "lgpd-7-i"}
    created = dpo_client.post("/admin/consent/purpose/add/", form)
    assert created.status_code == 302
    purpose = Purpose.objects.get(code="surveys")
    assert purpose.legal_bases == {"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"}
    assert purpose.name["pt-br"] == "Name pt-br"
    assert purpose.history.first().history_user.username == "dpo1"


def test_published_notice_is_read_only_in_admin(dpo_client, notices):
    notice = notices[("GDPR", "en")]
    dpo_client.post(f"/admin/consent/privacynotice/{notice.pk}/change/", {"title": "changed", "text": "changed"})
    notice.refresh_from_db()
    assert notice.text == "Text en"
    page = dpo_client.get(f"/privacy/notices/{notice.pk}/")
    assert page.status_code == 200 and notice.content_hash.encode() in page.content


def test_dpo_edits_a_draft_notice_and_a_purpose(dpo_client, service):
    draft = NoticeFactory(language="de", title="Entwurf", text="alt", published=False)
    response = dpo_client.post(f"/admin/consent/privacynotice/{draft.pk}/change/", {"title": "Hinweis", "text": "neu"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.text) == ("Hinweis", "neu")
    assert draft.history.first().history_user.username == "dpo1"

    form = {f"name_{lang}": f"Service {lang}" for lang in ("en", "de", "nl", "it", "pt-br")}
    form |= {f"description_{lang}": f"Answering {lang}" for lang in ("en", "de", "nl", "it", "pt-br")}
    form |= {"keywords": "{}", "active": "on", "basis_GDPR": "gdpr-6-1-b", "basis_LGPD": "lgpd-7-v"}
    assert dpo_client.post(f"/admin/consent/purpose/{service.pk}/change/", form).status_code == 302
    service.refresh_from_db()
    assert service.name["it"] == "Service it" and service.code == "service"
    assert service.history.first().history_user.username == "dpo1"
