"""The supervisor reports in a real browser, in German: the chart and the table give yesterday's figures, and
when an agent switches to "away" in the inbox header (by keyboard) the supervisor's availability panel shows
it without a reload. A screenshot is saved under ``tests/artifacts/`` (ignored by git) for a reviewer."""

import re
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from conversations.models import Conversation, Direction, Message, MessageStatus, Team, TeamMembership
from conversations.tests.factories import ConversationFactory, MessageFactory, TeamMembershipFactory
from tests.conftest import ANNA_PASSWORD, log_in

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SVEN_PASSWORD = "sven-browser-pass-1"


def _conversation(team: Team, agent, *, opened: datetime, reply_after: timedelta, resolved_after=None) -> None:
    conversation = ConversationFactory(team=team, channel="whatsapp", unread_count=0)
    changes = {"created_at": opened}
    if resolved_after is not None:
        changes.update(status="resolved", resolved_at=opened + resolved_after)
    Conversation.objects.filter(pk=conversation.pk).update(**changes)
    for direction, author, when in (
        (Direction.INBOUND, None, opened),
        (Direction.OUTBOUND, None, opened + timedelta(seconds=20)),  # an automatic notice: does not count
        (Direction.OUTBOUND, agent, opened + reply_after),
    ):
        status = MessageStatus.RECEIVED if direction == Direction.INBOUND else MessageStatus.SENT
        message = MessageFactory(conversation=conversation, direction=direction, author=author, status=status)
        Message.objects.filter(pk=message.pk).update(created_at=when)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_supervisor_reads_the_reports_and_sees_an_agent_go_away(asgi_server, chromium, anna):
    team = Team.objects.get(slug="care")
    TeamMembershipFactory(team=team, user__username="sven", user__password=SVEN_PASSWORD,
                          role=TeamMembership.Role.SUPERVISOR)  # fmt: skip
    zone = ZoneInfo(settings.CONTROLLER_TIME_ZONE)
    yesterday = timezone.localtime(timezone.now(), zone).date() - timedelta(days=1)
    ten = datetime.combine(yesterday, time(10, 0), tzinfo=zone)
    _conversation(team, anna, opened=ten, reply_after=timedelta(minutes=4), resolved_after=timedelta(minutes=30))
    _conversation(team, anna, opened=ten + timedelta(hours=1), reply_after=timedelta(minutes=10))

    supervisor = chromium.new_context(locale="de-DE", viewport={"width": 1280, "height": 1000})
    sven = supervisor.new_page()
    sven.set_default_timeout(15_000)
    log_in(sven, f"{asgi_server}/inbox/login/", "sven", SVEN_PASSWORD)
    expect(sven).to_have_url(re.compile(r"/inbox/"))
    expect(sven.locator(".supervisor-link")).to_have_text("Berichte")
    sven.locator(".supervisor-link").click()
    expect(sven).to_have_url(re.compile(r"/inbox/reports/"))
    expect(sven.locator("h1")).to_have_text("Berichte für Teamleitungen")

    section = sven.locator(f"#report-team-{team.pk}")
    chart = section.locator('svg[role="img"]')
    expect(chart).to_be_visible()
    expect(chart.locator("title")).to_have_text("Eröffnete und gelöste Gespräche pro Tag: Customer care")
    day = yesterday.isoformat()
    expect(chart.locator(f'rect[data-day="{day}"][data-kind="opened"]')).to_have_attribute("data-count", "2")
    expect(chart.locator(f'rect[data-day="{day}"][data-kind="resolved"]')).to_have_attribute("data-count", "1")
    row = section.locator(f'tr[data-day="{day}"]')
    expect(row.locator(".report-opened")).to_have_text("2")
    expect(row.locator(".report-resolved")).to_have_text("1")
    expect(row.locator(".report-first-response")).to_have_text("7 Min.")  # median of 4 and 10 minutes
    expect(row.locator(".report-resolution")).to_have_text("30 Min.")
    expect(row.locator("th")).to_have_text(yesterday.strftime("%d.%m.%Y"))
    expect(section.locator("tbody tr")).to_have_count(14)

    panel = sven.locator("#availability")
    expect(panel.locator("#availability-state")).to_have_attribute("data-state", "live")
    anna_row = panel.locator(f'.availability-member[data-user-id="{anna.pk}"]')
    expect(anna_row.locator(".availability-status-text")).to_have_text("Verfügbar")
    expect(anna_row.locator(".availability-connected")).to_have_text("Posteingang geschlossen")

    agent = chromium.new_context(locale="de-DE")
    inbox = agent.new_page()
    inbox.set_default_timeout(15_000)
    log_in(inbox, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    expect(inbox.locator("#connection")).to_have_attribute("data-state", "live")
    expect(inbox.locator(".supervisor-link")).to_have_count(0)  # an agent is not offered the reports
    expect(anna_row.locator(".availability-connected")).to_have_text("Posteingang geöffnet")

    switch = inbox.locator("#presence")
    expect(switch.locator('input[value="online"]')).to_be_checked()
    switch.locator('input[value="online"]').focus()
    inbox.keyboard.press("ArrowRight")  # a radio group: the arrow key moves to "away" and chooses it
    expect(switch).to_have_attribute("data-status", "away")
    expect(switch.locator('input[value="away"]')).to_be_checked()

    expect(anna_row).to_have_attribute("data-status", "away")
    expect(anna_row.locator(".availability-status-text")).to_have_text("Abwesend")
    expect(anna_row.locator(".presence-dot")).to_have_class(re.compile(r"presence-dot--away"))

    inbox.reload()  # the header shows the stored state, not only what this page set
    expect(inbox.locator('#presence input[value="away"]')).to_be_checked()

    ARTIFACTS.mkdir(exist_ok=True)
    sven.screenshot(path=str(ARTIFACTS / "reports.png"), full_page=True)
    agent.close()
    supervisor.close()
