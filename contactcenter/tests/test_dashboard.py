"""The DPO's dashboard, the admin index: subject requests by deadline, open alerts per severity, consent per
purpose and ISO week (an SVG chart and its table), the last purge run and the breaches' countdowns; each
section only for those who may view it, no personal data, and a fixed number of queries however many rows."""

import re
from datetime import timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, timezone, translation

import consent.ledger
from consent.services import consent_grant, consent_withdraw
from consent.tests.factories import PurposeFactory, SubjectFactory, UserFactory
from contactcenter import dashboard, roles
from contactcenter.models import Breach
from conversations.models.sensitive import SensitiveAlert
from retention.models.rules import PurgeRun
from retention.services.requests import request_receive

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo(settings.CONTROLLER_TIME_ZONE)


@pytest.fixture
def at_moment(monkeypatch):
    """Consent events recorded as if at ``moment``: the ledger takes its time from ``timezone.now()``."""

    def record_at(moment, action, **kwargs):
        monkeypatch.setattr(consent.ledger, "timezone", SimpleNamespace(now=lambda: moment))
        try:
            return action(**kwargs)
        finally:
            monkeypatch.undo()

    return record_at


def week_label(moment) -> str:
    year, week, _day = timezone.localtime(moment, ZONE).isocalendar()
    return f"{year}-W{week:02d}"


def open_breach(**fields) -> Breach:
    values = dict(
        title="Export sent to a wrong address", jurisdictions=["GDPR"], aware_at=timezone.now() - timedelta(hours=30),
        nature="An export went to the wrong address.", subject_categories="customers", subjects_count=1,
        records_count=40, contact="DPO office", consequences="Read by a stranger.", measures="Asked to delete.",
    )  # fmt: skip
    values.update(fields)
    return Breach.objects.create(**values)


def test_grants_and_withdrawals_are_counted_per_purpose_and_iso_week(dpo_client, newsletter, notices, at_moment):
    now = timezone.now()
    two_weeks_ago, old = now - timedelta(days=14), now - timedelta(weeks=13)
    anna, bruno, carla = SubjectFactory(), SubjectFactory(), SubjectFactory()
    for person in (anna, bruno):
        at_moment(two_weeks_ago, consent_grant, subject=person, purpose=newsletter, channel="web")
    at_moment(two_weeks_ago + timedelta(minutes=5), consent_withdraw, subject=anna, purpose=newsletter, channel="web")
    at_moment(old, consent_grant, subject=carla, purpose=newsletter, channel="web")  # before the twelve weeks

    found = dashboard.consent_week_list(now=now, language="en")
    assert len(found.weeks) == 12 and found.weeks[-1].label == week_label(now)
    [purpose] = found.purposes
    slot = [w.label for w in found.weeks].index(week_label(two_weeks_ago))
    assert (purpose.code, purpose.granted[slot], purpose.withdrawn[slot]) == ("newsletter", 2, 1)
    assert purpose.total_granted == 2 and purpose.total_withdrawn == 1  # the old grant is not counted

    page = dpo_client.get("/admin/").content.decode()
    label = week_label(two_weeks_ago)
    assert re.search(rf'<th scope="row">{label}</th><td>2</td><td>1</td>', page)  # the accessible table
    assert re.search(rf'<rect class="dpo-bar-granted"[^>]*data-week="{label}" data-count="2"', page)
    assert re.search(rf'<rect class="dpo-bar-withdrawn"[^>]*data-week="{label}" data-count="1"', page)
    assert "<svg" in page and "<script" not in page.split('id="dpo-dashboard"')[1].split("content-main")[0]


def test_the_chart_numbers_are_not_localized_into_broken_svg(dpo, client, newsletter, notices, at_moment):
    at_moment(timezone.now() - timedelta(days=7), consent_grant, subject=SubjectFactory(), purpose=newsletter,
              channel="web")  # fmt: skip
    client.force_login(dpo)
    page = client.get("/admin/", headers={"accept-language": "de"}).content.decode()
    rects = re.findall(r'<rect class="dpo-bar-granted" x="([^"]+)" y="([^"]+)" width="([^"]+)"', page)
    assert rects and all("," not in value for rect in rects for value in rect)  # 12.5, not the German 12,5
    assert "Erteilte und widerrufene Einwilligungen pro Woche" in page  # the dashboard in her language


def test_open_requests_are_listed_by_deadline_the_overdue_first_without_the_person(dpo_client, dpo, subject_de):
    now = timezone.now()
    later = request_receive(kind="access", channel="email", actor=dpo, subject=subject_de, now=now - timedelta(days=1))
    overdue = request_receive(kind="erasure", channel="email", actor=dpo, subject=subject_de,
                              now=now - timedelta(days=40))  # fmt: skip
    soon = request_receive(kind="access", channel="email", actor=dpo, jurisdiction="LGPD", now=now - timedelta(days=13))

    queue = dashboard.subject_request_due_list(now=now)
    assert [r.reference for r in queue.rows] == [overdue.reference, soon.reference, later.reference]
    assert [r.urgency for r in queue.rows] == ["overdue", "soon", "later"]
    assert (queue.open_count, queue.overdue_count, queue.soon_count) == (3, 1, 1)

    page = dpo_client.get("/admin/").content.decode()
    section = page.split('id="dpo-requests"')[1].split("</section>")[0]
    assert section.index(overdue.reference) < section.index(soon.reference) < section.index(later.reference)
    assert f"/admin/retention/subjectrequest/{overdue.pk}/change/" in section
    assert 'class="dpo-request dpo-urgency-overdue"' in section and "Erasure" in section
    assert "Erika" not in page and "23456789" not in page  # never the customer's name or number


def test_open_alerts_are_counted_per_severity_with_a_link_to_them(dpo_client, subject_de):
    for severity, status in [("high", "open"), ("high", "open"), ("medium", "open"), ("high", "acknowledged"),
                             ("low", "dismissed")]:  # fmt: skip
        SensitiveAlert.objects.create(subject=subject_de, label="iban", severity=severity, status=status)

    counts = {a.severity: a.count for a in dashboard.alert_open_counts()}
    assert counts == {"high": 2, "medium": 1, "low": 0}
    page = dpo_client.get("/admin/").content.decode()
    section = page.split('id="dpo-alerts"')[1].split("</section>")[0]
    assert re.search(r'status__exact=open&amp;severity__exact=high"><strong>2</strong>', section)
    assert re.search(r'status__exact=open&amp;severity__exact=medium"><strong>1</strong>', section)


def test_the_last_purge_run_with_its_counts_added_up(dpo_client):
    PurgeRun.objects.create(outcome="done", counts={"messages": 1})
    last = PurgeRun.objects.create(outcome="failed", counts={"messages": 5, "conversations": 2}, subjects_erased=1,
                                   held_back={"messages": 3})  # fmt: skip

    summary = dashboard.purge_run_last()
    assert (summary.pk, summary.removed, summary.held_back, summary.outcome) == (last.pk, 7, 3, "failed")
    section = dpo_client.get("/admin/").content.decode().split('id="dpo-purge"')[1].split("</section>")[0]
    assert f"/admin/retention/purgerun/{last.pk}/change/" in section and "<dd>7</dd>" in section


def test_open_breaches_count_their_next_deadline_down_in_the_controllers_zone(dpo_client):
    found = open_breach()
    open_breach(title="Closed one", closed_at=timezone.now() - timedelta(hours=1),
                authority_notified_at=timezone.now() - timedelta(hours=2))  # fmt: skip
    [row] = dashboard.breach_open_list(now=timezone.now())
    assert row.reference == found.reference and row.deadline.step == "authority"

    section = dpo_client.get("/admin/").content.decode().split('id="dpo-breaches"')[1].split("</section>")[0]
    assert found.reference in section and "Closed one" not in section
    assert re.search(r"Notify the authority \(GDPR\): 1\xa0day, 17\xa0hours left", section)
    due = timezone.localtime(found.aware_at + timedelta(hours=72), ZONE)
    # The due moment in Berlin time, as the admin's language writes it ("1:42 p.m." in English at 13:42).
    with timezone.override(ZONE), translation.override("en"):
        assert formats.date_format(due, "DATETIME_FORMAT") in section
    assert settings.CONTROLLER_TIME_ZONE in section


def test_an_agent_sees_none_of_the_sections_and_each_permission_opens_its_own(client, subject_de):
    SensitiveAlert.objects.create(subject=subject_de, label="iban", severity="high")
    open_breach()
    agent = UserFactory(username="agent-staff", role=roles.AGENT, is_staff=True)
    client.force_login(agent)
    page = client.get("/admin/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dpo-dashboard"' not in html
    for section in ("dpo-requests", "dpo-alerts", "dpo-consent", "dpo-purge", "dpo-breaches"):
        assert f'id="{section}"' not in html
    assert 'id="content-main"' in html  # Django's list of apps stays

    agent.user_permissions.add(Permission.objects.get(codename="view_breach"))
    client.force_login(type(agent).objects.get(pk=agent.pk))  # permissions are cached on the user object
    html = client.get("/admin/").content.decode()
    assert 'id="dpo-breaches"' in html and 'id="dpo-alerts"' not in html and 'id="dpo-requests"' not in html


def seed(*, purposes, count: int, at_moment) -> None:
    now = timezone.now()
    for n in range(count):
        request_receive(kind="access", channel="email", actor=None, jurisdiction="GDPR",
                        now=now - timedelta(days=n))  # fmt: skip
        subject = SubjectFactory()
        SensitiveAlert.objects.create(subject=subject, label="term", severity=("high", "medium", "low")[n % 3])
        for k, purpose in enumerate(purposes):
            at_moment(now - timedelta(days=(n + k) % 80), consent_grant, subject=subject, purpose=purpose,
                      channel="web")  # fmt: skip
        open_breach(aware_at=now - timedelta(hours=n + 1), jurisdictions=["GDPR", "LGPD"])
        PurgeRun.objects.create(outcome="done", counts={"messages": n})


def test_the_number_of_queries_does_not_grow_with_the_rows(
    dpo, client, notices, at_moment, django_assert_max_num_queries
):
    purposes = [PurposeFactory(code=f"p{n}", label=f"P{n}", about="x") for n in range(3)]
    seed(purposes=purposes, count=1, at_moment=at_moment)
    client.force_login(dpo)
    client.get("/admin/")  # the session and the permissions, once
    with CaptureQueriesContext(connection) as few:
        assert client.get("/admin/").status_code == 200
    seed(purposes=purposes, count=40, at_moment=at_moment)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/admin/")
    assert page.status_code == 200 and len(few.captured_queries) <= 15
    html = page.content.decode()
    assert html.count('class="dpo-request ') == 10  # the list is bounded; the counts say how many more
    assert "41 open" in html
