"""The breach register: every breach recorded with the Art. 33(3) content, its deadlines per jurisdiction
counted down (72 hours; three business days with Brazil's national holidays), the Art. 34 decision with its
exceptions, a draft notification per authority in its language, history, and no deletion."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from contactcenter.breaches import breach_clean, breach_deadlines, breach_next, breach_notification_draft, remaining
from contactcenter.models import Breach, Controller, SupervisoryAuthority

pytestmark = pytest.mark.django_db

BERLIN, SAO_PAULO = ZoneInfo("Europe/Berlin"), ZoneInfo("America/Sao_Paulo")


def breach(**fields) -> Breach:
    values = dict(
        title="Lost laptop of the support team", jurisdictions=["GDPR", "LGPD"],
        aware_at=datetime(2026, 2, 13, 15, 0, tzinfo=SAO_PAULO),
        nature="An unencrypted laptop with an export of 120 conversations was stolen from a car.",
        subject_categories="customers writing on WhatsApp", subjects_count=120, data_categories=["messages"],
        records_count=2400, contact="Dana DPO, dpo@shop.example, +49 30 1234567",
        consequences="Messages may be read by the thief.", measures="Sessions revoked; customers to be told.",
        risk="high",
    )  # fmt: skip
    values.update(fields)
    found = Breach(**values)
    check(found)
    found.save()
    return found


def check(found: Breach) -> None:
    """As the admin's form checks a breach: the model's rules, then those that need the deadlines."""
    found.full_clean()
    breach_clean(found)


def due(found: Breach, jurisdiction: str, step: str):
    [item] = [d for d in breach_deadlines(found) if (d.jurisdiction, d.step) == (jurisdiction, step)]
    return item


def end_of(year: int, month: int, day: int, zone: ZoneInfo) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=zone)


@pytest.mark.parametrize(("aware", "expected"), [
    # Friday before Carnival 2026: Carnival Monday 16 and Tuesday 17 February are working days nationally
    # (pontos facultativos): Monday, Tuesday, Wednesday 18.
    (datetime(2026, 2, 13, 15, 0, tzinfo=SAO_PAULO), end_of(2026, 2, 18, SAO_PAULO)),
    # Monday before Tiradentes (Tuesday 21 April 2026): Wednesday 22, Thursday 23, Friday 24.
    (datetime(2026, 4, 20, 9, 0, tzinfo=SAO_PAULO), end_of(2026, 4, 24, SAO_PAULO)),
    # The year's end: Wednesday 31 December 2025 counts, New Year's Day does not: Friday 2, Monday 5 January.
    (datetime(2025, 12, 30, 18, 0, tzinfo=SAO_PAULO), end_of(2026, 1, 5, SAO_PAULO)),
    # Known on a Saturday night in São Paulo (Sunday 8 March 2026 in UTC): Monday 9, Tuesday 10, Wednesday 11.
    (datetime(2026, 3, 8, 2, 0, tzinfo=UTC), end_of(2026, 3, 11, SAO_PAULO)),
])  # fmt: skip
def test_the_anpd_deadline_is_three_business_days_in_brasilia(aware, expected):
    found = breach(jurisdictions=["LGPD"], aware_at=aware)
    assert due(found, "LGPD", "authority").due == expected
    assert due(found, "LGPD", "subjects").due == expected  # the people concerned: the same three days


@pytest.mark.parametrize(("aware", "single", "doubled"), [
    # Thursday before Carnival 2026 (Carnival Monday 16 and Tuesday 17 are working days nationally): three
    # business days end on Tuesday 17; six on Friday 20 (13, 16, 17, 18, 19, 20).
    (datetime(2026, 2, 12, 15, 0, tzinfo=SAO_PAULO), end_of(2026, 2, 17, SAO_PAULO), end_of(2026, 2, 20, SAO_PAULO)),
    # Thursday before Tiradentes (Tuesday 21 April 2026): 17, 20, 22 / 17, 20, 22, 23, 24, 27.
    (datetime(2026, 4, 16, 9, 0, tzinfo=SAO_PAULO), end_of(2026, 4, 22, SAO_PAULO), end_of(2026, 4, 27, SAO_PAULO)),
])  # fmt: skip
def test_a_small_processing_agent_has_the_lgpd_periods_doubled_and_the_gdpr_72_hours_unchanged(aware, single, doubled):
    ordinary = breach(jurisdictions=["GDPR", "LGPD"], aware_at=aware)
    small = breach(jurisdictions=["GDPR", "LGPD"], aware_at=aware, small_agent=True)
    assert due(ordinary, "LGPD", "authority").due == single
    assert due(small, "LGPD", "authority").due == doubled  # Resolution CD/ANPD 2/2022, Art. 14: six days
    assert due(small, "LGPD", "subjects").due == doubled  # the communication to the people concerned too
    # The GDPR gives small controllers no longer period: 72 elapsed hours for both.
    assert due(small, "GDPR", "authority").due == due(ordinary, "GDPR", "authority").due == aware + timedelta(hours=72)


def test_a_small_processing_agent_has_forty_business_days_for_the_supplement():
    found = breach(jurisdictions=["LGPD"], aware_at=datetime(2025, 12, 12, 10, 0, tzinfo=SAO_PAULO),
                   small_agent=True, authority_notified_at=datetime(2025, 12, 15, 10, 0, tzinfo=SAO_PAULO))  # fmt: skip
    # Twenty business days end on 14 January 2026 (the test above); forty (Christmas, New Year's Day, Carnival
    # Monday and Tuesday working days nationally) on Wednesday 11 February.
    assert due(found, "LGPD", "supplement").due == end_of(2026, 2, 11, SAO_PAULO)


def test_the_gdpr_deadline_is_72_elapsed_hours_across_the_clock_change():
    # Saturday 28 March 2026, 10:00 in Berlin; the clocks go forward on the 29th: 72 hours later it is 11:00.
    found = breach(jurisdictions=["GDPR"], aware_at=datetime(2026, 3, 28, 10, 0, tzinfo=BERLIN))
    authority = due(found, "GDPR", "authority")
    assert authority.due == datetime(2026, 3, 31, 11, 0, tzinfo=BERLIN)
    assert authority.due.astimezone(UTC) - found.aware_at.astimezone(UTC) == timedelta(hours=72)  # elapsed
    assert due(found, "GDPR", "subjects").due is None  # Art. 34: "without undue delay", no fixed period


def test_the_supplement_runs_twenty_business_days_from_the_notification():
    found = breach(jurisdictions=["LGPD"], aware_at=datetime(2025, 12, 12, 10, 0, tzinfo=SAO_PAULO))
    assert not due(found, "LGPD", "supplement").required  # nothing to complete before a notification
    found.authority_notified_at = datetime(2025, 12, 15, 10, 0, tzinfo=SAO_PAULO)
    found.save()
    # Christmas and New Year's Day skipped: 16-19, 22-24, 26, 29-31 December, 2, 5-9, 12-14 January.
    assert due(found, "LGPD", "supplement").due == end_of(2026, 1, 14, SAO_PAULO)
    assert due(found, "LGPD", "supplement").state() == "overdue"
    found.notification_complete = True  # nothing was missing: no supplement is owed
    assert not due(found, "LGPD", "supplement").required


def test_the_countdown_says_what_is_owed_first_and_when_it_is_late():
    aware = timezone.now() - timedelta(hours=30)
    found = breach(jurisdictions=["GDPR"], aware_at=aware, risk="risk")
    owed = breach_next(found)
    assert (owed.step, owed.state()) == ("authority", "open") and remaining(owed.due) == "1\xa0day, 17\xa0hours left"
    assert remaining(owed.due, now=aware + timedelta(hours=75)) == "overdue by 3\xa0hours"
    assert remaining(owed.due, now=aware - timedelta(hours=30)) == "4\xa0days, 6\xa0hours left"
    with translation.override("de"):
        assert remaining(owed.due, now=aware + timedelta(hours=75)) == "seit 3\xa0Stunden überfällig"
    found.authority_notified_at = aware + timedelta(hours=31)
    with pytest.raises(ValidationError) as early:
        check(found)  # 31 hours after "30 hours ago" is in an hour: not yet
    assert "authority_notified_at" in early.value.message_dict
    found.authority_notified_at = aware + timedelta(hours=28)
    check(found)
    assert due(found, "GDPR", "authority").state() == "done" and breach_next(found) is None


def test_a_late_notification_needs_its_reasons_and_the_draft_gives_them():
    aware = timezone.now() - timedelta(hours=100)
    found = breach(jurisdictions=["GDPR"], aware_at=aware, risk="risk")
    found.authority_notified_at = aware + timedelta(hours=80)
    with pytest.raises(ValidationError) as refused:
        check(found)
    assert "delay_reasons" in refused.value.message_dict
    found.delay_reasons = "The incident was first thought to concern test data only."
    check(found)
    found.save()
    assert due(found, "GDPR", "authority").state() == "late"
    draft = breach_notification_draft(found, jurisdiction="GDPR", language="en")
    assert "7. Reasons for the delay\nThe incident was first thought" in draft


def test_a_breach_is_closed_only_once_nothing_is_owed():
    found = breach(jurisdictions=["LGPD"], aware_at=timezone.now() - timedelta(days=1), risk="risk",
                   subjects_decision="inform")  # fmt: skip
    found.closed_at = timezone.now()
    with pytest.raises(ValidationError, match="Still owed: Notify the authority"):
        check(found)
    found.authority_notified_at = found.subjects_informed_at = timezone.now() - timedelta(hours=1)
    found.notification_complete = True
    check(found)


def test_a_breach_unlikely_to_be_a_risk_is_recorded_with_its_reason_and_owes_nothing():
    with pytest.raises(ValidationError) as refused:
        breach(risk="unlikely", subjects_decision="not_high_risk")
    assert "risk_reason" in refused.value.message_dict
    found = breach(risk="unlikely", subjects_decision="not_high_risk",
                   risk_reason="Only an encrypted backup was exposed; the key is held apart.")  # fmt: skip
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
    with pytest.raises(ValidationError, match="whatever the risk"):  # under the LGPD they are told anyway
        breach(jurisdictions=["LGPD"], risk="risk", subjects_decision="not_high_risk")


def test_bad_moments_and_unknown_regimes_are_refused():
    for fields, field in [
        ({"jurisdictions": []}, "jurisdictions"),
        ({"jurisdictions": ["CCPA"]}, "jurisdictions"),
        ({"data_categories": ["shoe_sizes"]}, "data_categories"),
        ({"authority_notified_at": datetime(2026, 2, 1, tzinfo=SAO_PAULO)}, "authority_notified_at"),
        ({"supplement_sent_at": datetime(2026, 2, 16, tzinfo=SAO_PAULO)}, "supplement_sent_at"),
        ({"aware_at": timezone.now() + timedelta(days=1)}, "aware_at"),
        ({"children_count": 121}, "children_count"),  # more than the 120 people concerned
        ({"elderly_count": 121}, "elderly_count"),
    ]:
        with pytest.raises(ValidationError) as refused:
            breach(**fields)
        assert field in refused.value.message_dict, fields
    assert not Breach.objects.exists()


def test_the_draft_to_the_anpd_is_in_portuguese_with_every_item():
    Controller(name="Demo Shop GmbH", address="Musterstraße 1, 10115 Berlin", email="hello@shop.example",
               dpo_name="Dana", dpo_email="dpo@shop.example").save()  # fmt: skip
    found = breach(authority_notified_at=None)
    text = breach_notification_draft(found, jurisdiction="LGPD", language="en")
    headings = ["0. The controller", "1. The breach", "2. Who and what it concerns", "3. Contact",
                "4. Likely consequences", "5. Measures taken or proposed", "6. The people concerned",
                "7. Reasons for the delay"]  # fmt: skip
    with translation.override("pt-br"):
        for heading in headings:  # each item of the law under its Portuguese heading
            assert f"\n{translation.gettext(heading)}\n" in text, heading
    for expected in ("Autoridade Nacional de Proteção de Dados (ANPD)", found.reference, "2026-02-13 15:00",
                     "2026-02-18 23:59", "120", "2400", "Dana DPO", "Messages may be read", "Sessions revoked",
                     "Demo Shop GmbH, Musterstraße 1", "As mensagens que você trocou conosco"):  # fmt: skip
        assert expected in text, expected
    assert "Notification" not in text and "Draft" not in text  # no English heading in the Portuguese draft
    assert "Agente de tratamento de pequeno porte: não" in text
    assert "Causa: não informado" in text and "pessoas idosas: não informado" in text  # not known yet


def test_the_draft_to_the_anpd_states_the_cause_prior_measures_vulnerable_people_and_a_small_agent():
    found = breach(
        small_agent=True, children_count=4, elderly_count=11, cause="A misconfigured export job.",
        prior_measures="Disk encryption on servers; two-factor login for staff.",
    )  # fmt: skip
    text = breach_notification_draft(found, jurisdiction="LGPD", language="en")
    for expected in ("Causa: A misconfigured export job.",
                     "Medidas de segurança existentes antes do incidente: Disk encryption on servers",
                     "crianças ou adolescentes: 4", "pessoas idosas: 11",
                     "Agente de tratamento de pequeno porte: sim (prazos em dobro)"):  # fmt: skip
        assert expected in text, expected
    english = breach_notification_draft(found, jurisdiction="GDPR", language="en")
    assert "Cause: A misconfigured export job." in english and "Of them children or adolescents: 4" in english
    assert "Small processing agent" not in english  # the GDPR gives small controllers no other periods
    unknown = breach_notification_draft(breach(), jurisdiction="GDPR", language="en")
    assert "Of them elderly people: not stated" in unknown and "Cause: not stated" in unknown
    german = breach_notification_draft(found, jurisdiction="GDPR", language="de")
    assert "Aufsichtsbehörde" in german and "2026-02-16 19:00" in german  # 72 h, in the controller's zone
    SupervisoryAuthority.objects.create(jurisdiction="GDPR", name="Berliner Beauftragte für Datenschutz",
                                        website="https://www.datenschutz-berlin.de")  # fmt: skip
    named = breach_notification_draft(found, jurisdiction="GDPR", language="de")
    assert named.startswith("Entwurf der Meldung") and "an die Berliner Beauftragte für Datenschutz" in named
    with pytest.raises(ValueError):
        breach_notification_draft(breach(jurisdictions=["GDPR"]), jurisdiction="LGPD", language="en")


def test_the_dpo_records_a_breach_in_the_admin_and_nobody_deletes_it(dpo_client, dpo, client, agent):
    added = dpo_client.post("/admin/contactcenter/breach/add/", {
        "title": "Wrong recipient of an export", "jurisdictions": ["LGPD"], "aware_at_0": "2026-02-13",
        "aware_at_1": "15:00:00", "nature": "An export went to the wrong address.", "subject_categories": "customers",
        "subjects_count": "1", "data_categories": ["messages"], "records_count": "40", "contact": "DPO office",
        "consequences": "Messages read by a stranger.", "measures": "Recipient asked to delete it.", "risk": "risk",
        "subjects_decision": "inform",
    })  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:2000]
    found = Breach.objects.get()
    assert found.created_by == dpo and found.history.count() == 1
    listing = dpo_client.get("/admin/contactcenter/breach/").content.decode()
    assert found.reference in listing and "Notify the authority (LGPD): overdue by" in listing
    page = dpo_client.get(f"/admin/contactcenter/breach/{found.pk}/change/").content.decode()
    assert "America/Sao_Paulo" in page and f"/admin/contactcenter/breach/{found.pk}/notification/LGPD/" in page
    draft = dpo_client.get(f"/admin/contactcenter/breach/{found.pk}/notification/LGPD/")
    assert draft["Content-Type"] == "text/plain; charset=utf-8" and "ANPD" in draft.content.decode()
    assert dpo_client.get(f"/admin/contactcenter/breach/{found.pk}/notification/GDPR/").status_code == 404
    assert dpo_client.post(f"/admin/contactcenter/breach/{found.pk}/delete/", {"post": "yes"}).status_code == 403
    # Closing it while the notification is owed is refused by the form, with the step named.
    closing = dpo_client.post(f"/admin/contactcenter/breach/{found.pk}/change/", {
        "title": found.title, "jurisdictions": ["LGPD"], "aware_at_0": "2026-02-13", "aware_at_1": "15:00:00",
        "nature": found.nature, "subject_categories": "customers", "subjects_count": "1", "records_count": "40",
        "contact": "DPO office", "consequences": "x", "measures": "y", "risk": "risk", "subjects_decision": "inform",
        "closed_at_0": "2026-03-01", "closed_at_1": "10:00:00",
    })  # fmt: skip
    assert closing.status_code == 200 and "Still owed: Notify the authority (LGPD)" in closing.content.decode()
    assert Breach.objects.get(pk=found.pk).closed_at is None
    assert Breach.objects.filter(pk=found.pk).exists()
    client.force_login(agent)  # no staff, no register
    assert client.get("/admin/contactcenter/breach/").status_code == 302


def test_staff_without_the_register_permissions_reach_neither_the_register_nor_a_draft(client, django_user_model):
    from django.contrib.auth.models import Permission

    found = breach()
    supervisor = django_user_model.objects.create_user("sup", password="x-test-password-1", is_staff=True)
    client.force_login(supervisor)
    assert client.get("/admin/contactcenter/breach/").status_code == 403
    assert client.get(f"/admin/contactcenter/breach/{found.pk}/notification/GDPR/").status_code == 404
    supervisor.user_permissions.add(Permission.objects.get(codename="view_breach"))
    page = client.get(f"/admin/contactcenter/breach/{found.pk}/change/").content.decode()
    assert found.title in page and "/notification/" not in page  # no draft links without the permission
    assert client.get(f"/admin/contactcenter/breach/{found.pk}/notification/GDPR/").status_code == 404
