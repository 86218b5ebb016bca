"""The breach register: every breach recorded with the Art. 33(3) content, its deadlines per jurisdiction
counted down (72 hours; three business days with Brazil's national holidays), the Art. 34 decision with its
exceptions, a draft notification per authority in its language, history, and no deletion."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contactcenter.breaches import breach_deadlines, breach_next, breach_notification_draft, remaining
from contactcenter.models import Breach

pytestmark = pytest.mark.django_db

BERLIN, SAO_PAULO = ZoneInfo("Europe/Berlin"), ZoneInfo("America/Sao_Paulo")


def breach(**fields) -> Breach:
    values = dict(
        title="Lost laptop of the support team", jurisdictions=["GDPR", "LGPD"],
        aware_at=datetime(2027, 2, 5, 15, 0, tzinfo=SAO_PAULO),
        nature="An unencrypted laptop with an export of 120 conversations was stolen from a car.",
        subject_categories="customers writing on WhatsApp", subjects_count=120, data_categories=["messages"],
        records_count=2400, contact="Dana DPO, dpo@shop.example, +49 30 1234567",
        consequences="Messages may be read by the thief.", measures="Sessions revoked; customers to be told.",
        risk="high",
    )  # fmt: skip
    values.update(fields)
    found = Breach(**values)
    found.full_clean()
    found.save()
    return found


def due(found: Breach, jurisdiction: str, step: str):
    [item] = [d for d in breach_deadlines(found) if (d.jurisdiction, d.step) == (jurisdiction, step)]
    return item


def end_of(year: int, month: int, day: int, zone: ZoneInfo) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=zone)


@pytest.mark.parametrize(("aware", "expected"), [
    # Friday before Carnival: Carnival Monday and Tuesday are working days nationally (pontos facultativos).
    (datetime(2027, 2, 5, 15, 0, tzinfo=SAO_PAULO), end_of(2027, 2, 10, SAO_PAULO)),
    # Monday before Tiradentes (Wednesday 21 April 2027): Tuesday 20, Thursday 22, Friday 23.
    (datetime(2027, 4, 19, 9, 0, tzinfo=SAO_PAULO), end_of(2027, 4, 23, SAO_PAULO)),
    # The year's end: Thursday 31 December counts, New Year's Day and the weekend do not.
    (datetime(2026, 12, 30, 18, 0, tzinfo=SAO_PAULO), end_of(2027, 1, 5, SAO_PAULO)),
    # Known on a Saturday night in São Paulo (Sunday in UTC): Monday, Tuesday, Wednesday.
    (datetime(2027, 3, 7, 2, 0, tzinfo=UTC), end_of(2027, 3, 10, SAO_PAULO)),
])  # fmt: skip
def test_the_anpd_deadline_is_three_business_days_in_brasilia(aware, expected):
    found = breach(jurisdictions=["LGPD"], aware_at=aware)
    assert due(found, "LGPD", "authority").due == expected
    assert due(found, "LGPD", "subjects").due == expected  # the people concerned: the same three days


def test_the_gdpr_deadline_is_72_elapsed_hours_across_the_clock_change():
    # Saturday 27 March 2027, 10:00 in Berlin; the clocks go forward on the 28th: 72 hours later it is 11:00.
    found = breach(jurisdictions=["GDPR"], aware_at=datetime(2027, 3, 27, 10, 0, tzinfo=BERLIN))
    authority = due(found, "GDPR", "authority")
    assert authority.due == datetime(2027, 3, 30, 11, 0, tzinfo=BERLIN)
    assert authority.due.astimezone(UTC) - found.aware_at.astimezone(UTC) == timedelta(hours=72)  # elapsed
    assert due(found, "GDPR", "subjects").due is None  # Art. 34: "without undue delay", no fixed period


def test_the_supplement_runs_twenty_business_days_from_the_notification():
    found = breach(jurisdictions=["LGPD"], aware_at=datetime(2026, 12, 11, 10, 0, tzinfo=SAO_PAULO))
    assert not due(found, "LGPD", "supplement").required  # nothing to complete before a notification
    found.authority_notified_at = datetime(2026, 12, 14, 10, 0, tzinfo=SAO_PAULO)
    found.save()
    # Christmas and New Year's Day skipped: 15-18, 21-24, 28-31 December, 4-8 and 11-13 January.
    assert due(found, "LGPD", "supplement").due == end_of(2027, 1, 13, SAO_PAULO)


def test_the_countdown_says_what_is_owed_first_and_when_it_is_late():
    aware = timezone.now() - timedelta(hours=30)
    found = breach(jurisdictions=["GDPR"], aware_at=aware, risk="risk")
    owed = breach_next(found)
    assert (owed.step, owed.state()) == ("authority", "open") and remaining(owed.due) == "41 h left"
    assert remaining(owed.due, now=aware + timedelta(hours=75)) == "overdue by 3 h"
    assert remaining(owed.due, now=aware - timedelta(hours=30)) == "4 d 6 h left"
    found.authority_notified_at = aware + timedelta(hours=80)
    found.save()
    assert due(found, "GDPR", "authority").state() == "late" and breach_next(found) is None


def test_a_breach_unlikely_to_be_a_risk_is_recorded_and_owes_nothing():
    found = breach(risk="unlikely", subjects_decision="not_high_risk")
    assert all(d.state() == "not_required" for d in breach_deadlines(found)) and breach_next(found) is None


def test_the_art_34_exceptions_need_a_reason_and_do_not_exist_under_the_lgpd():
    with pytest.raises(ValidationError) as refused:
        breach(jurisdictions=["GDPR"], subjects_decision="encrypted")
    assert "subjects_decision_reason" in refused.value.message_dict
    why = "The laptop's disk was encrypted (LUKS); the key was not on it."
    encrypted = breach(jurisdictions=["GDPR"], subjects_decision="encrypted", subjects_decision_reason=why)
    assert not due(encrypted, "GDPR", "subjects").required
    with pytest.raises(ValidationError) as lgpd:
        breach(subjects_decision="encrypted", subjects_decision_reason="encrypted disk")
    assert "subjects_decision" in lgpd.value.message_dict
    with pytest.raises(ValidationError) as contradiction:
        breach(subjects_decision="not_high_risk")
    assert "subjects_decision" in contradiction.value.message_dict


def test_bad_moments_and_unknown_regimes_are_refused():
    for fields, field in [
        ({"jurisdictions": []}, "jurisdictions"),
        ({"jurisdictions": ["CCPA"]}, "jurisdictions"),
        ({"data_categories": ["shoe_sizes"]}, "data_categories"),
        ({"authority_notified_at": datetime(2027, 2, 1, tzinfo=SAO_PAULO)}, "authority_notified_at"),
        ({"supplement_sent_at": datetime(2027, 2, 9, tzinfo=SAO_PAULO)}, "supplement_sent_at"),
    ]:
        with pytest.raises(ValidationError) as refused:
            breach(**fields)
        assert field in refused.value.message_dict, fields
    assert not Breach.objects.exists()


def test_the_draft_to_the_anpd_is_in_portuguese_with_every_item():
    found = breach(authority_notified_at=None)
    text = breach_notification_draft(found, jurisdiction="LGPD", language="en")
    for expected in ("Autoridade Nacional de Proteção de Dados (ANPD)", found.reference, "2027-02-05 15:00",
                     "2027-02-10 23:59", "120", "2400", "Dana DPO", "Messages may be read", "Sessions revoked",
                     "As mensagens que você trocou conosco"):  # fmt: skip
        assert expected in text, expected
    assert "Notification" not in text and "Draft" not in text  # no English heading in the Portuguese draft
    german = breach_notification_draft(found, jurisdiction="GDPR", language="de")
    assert "Aufsichtsbehörde" in german and "2027-02-08 19:00" in german  # 72 h, in the controller's zone
    with pytest.raises(ValueError):
        breach_notification_draft(breach(jurisdictions=["GDPR"]), jurisdiction="LGPD", language="en")


def test_the_dpo_records_a_breach_in_the_admin_and_nobody_deletes_it(dpo_client, dpo, client, agent):
    added = dpo_client.post("/admin/contactcenter/breach/add/", {
        "title": "Wrong recipient of an export", "jurisdictions": ["LGPD"], "aware_at_0": "2027-02-05",
        "aware_at_1": "15:00:00", "nature": "An export went to the wrong address.", "subject_categories": "customers",
        "subjects_count": "1", "data_categories": ["messages"], "records_count": "40", "contact": "DPO office",
        "consequences": "Messages read by a stranger.", "measures": "Recipient asked to delete it.", "risk": "risk",
        "subjects_decision": "inform",
    })  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:2000]
    found = Breach.objects.get()
    assert found.created_by == dpo and found.history.count() == 1
    listing = dpo_client.get("/admin/contactcenter/breach/").content.decode()
    assert found.reference in listing and ("overdue by" in listing or "left" in listing)
    page = dpo_client.get(f"/admin/contactcenter/breach/{found.pk}/change/").content.decode()
    assert "America/Sao_Paulo" in page and f"/admin/contactcenter/breach/{found.pk}/notification/LGPD/" in page
    draft = dpo_client.get(f"/admin/contactcenter/breach/{found.pk}/notification/LGPD/")
    assert draft["Content-Type"] == "text/plain; charset=utf-8" and "ANPD" in draft.content.decode()
    assert dpo_client.get(f"/admin/contactcenter/breach/{found.pk}/notification/GDPR/").status_code == 404
    assert dpo_client.post(f"/admin/contactcenter/breach/{found.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Breach.objects.filter(pk=found.pk).exists()
    client.force_login(agent)  # no staff, no register
    assert client.get("/admin/contactcenter/breach/").status_code == 302
