"""The supervisor reports: the figures per team and day, their words, who may see which team, the query bound."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from conversations import reports
from conversations.models import Conversation, Direction, Message, MessageStatus, TeamMembership
from conversations.tests.factories import ConversationFactory, MessageFactory, TeamMembershipFactory

BERLIN = ZoneInfo("Europe/Berlin")
FIRST, LAST = date(2026, 3, 2), date(2026, 3, 5)
RANGE = {"from": "2026-03-02", "to": "2026-03-05"}
URL = "/inbox/reports/"


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.CONTROLLER_TIME_ZONE = "Europe/Berlin"


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of March 2026 on the controller's clock (CET, UTC+1)."""
    return datetime(2026, 3, day, hour, minute, second, tzinfo=BERLIN)


def conversation(team, *, opened: datetime, resolved: datetime | None = None) -> Conversation:
    created = ConversationFactory(team=team, channel="whatsapp")
    changes = {"created_at": opened}
    if resolved is not None:
        changes.update(status="resolved", resolved_at=resolved)
    Conversation.objects.filter(pk=created.pk).update(**changes)
    return Conversation.objects.get(pk=created.pk)


def message(conv: Conversation, *, when: datetime, direction: str, author=None) -> Message:
    status = MessageStatus.RECEIVED if direction == Direction.INBOUND else MessageStatus.SENT
    created = MessageFactory(conversation=conv, direction=direction, author=author, status=status)
    Message.objects.filter(pk=created.pk).update(created_at=when)
    return created


@pytest.fixture
def arranged(teams, agent, support):
    """Support's four days: two conversations on the first (answered in 4 and 10 minutes, one resolved after
    1 h 20 min), none on the second, one late on the third answered only by an automatic message and resolved
    after midnight (so on the fourth day). Sales has a conversation of its own on the first day."""
    sales = teams[1]
    first = conversation(support, opened=at(2, 9), resolved=at(2, 10, 20))
    message(first, when=at(2, 9), direction=Direction.INBOUND)
    message(first, when=at(2, 9, 0, 30), direction=Direction.OUTBOUND)  # an automatic notice: no author
    message(first, when=at(2, 9, 4), direction=Direction.OUTBOUND, author=agent)
    message(first, when=at(2, 9, 6), direction=Direction.OUTBOUND, author=agent)  # not the first reply
    second = conversation(support, opened=at(2, 11))
    message(second, when=at(2, 11), direction=Direction.INBOUND)
    message(second, when=at(2, 11, 10), direction=Direction.OUTBOUND, author=agent)
    late = conversation(support, opened=at(4, 23, 30), resolved=at(5, 0, 30))  # 22:30 UTC: still the 4th here
    message(late, when=at(4, 23, 30), direction=Direction.INBOUND)
    message(late, when=at(4, 23, 31), direction=Direction.OUTBOUND)  # automatic only: not answered yet
    theirs = conversation(sales, opened=at(2, 9), resolved=at(2, 9, 30))
    message(theirs, when=at(2, 9), direction=Direction.INBOUND)
    message(theirs, when=at(2, 9, 1), direction=Direction.OUTBOUND, author=agent)
    return support, sales


def test_figures_per_day(arranged):
    support, _ = arranged
    (report,) = reports.team_reports(teams=[support], first=FIRST, last=LAST)
    by_day = {d.day: d for d in report.days}
    assert list(by_day) == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4), date(2026, 3, 5)]
    day1, day2, day3, day4 = by_day.values()
    assert (day1.opened, day1.resolved) == (2, 1)
    assert day1.median_first_response == 7 * 60  # 4 and 10 minutes: the mean of the two middle values
    assert day1.median_resolution == 80 * 60
    assert (day2.opened, day2.resolved, day2.median_first_response, day2.median_resolution) == (0, 0, None, None)
    assert (day3.opened, day3.resolved, day3.median_first_response) == (1, 0, None)  # automatic replies only
    assert (day4.opened, day4.resolved, day4.median_resolution) == (0, 1, 60 * 60)
    assert (report.opened, report.resolved) == (3, 2)
    assert report.median_first_response == 7 * 60 and report.median_resolution == 70 * 60


def test_first_response_ignores_automatic_messages_and_replies_before_the_customer_wrote(support, agent):
    conv = conversation(support, opened=at(3, 8))
    message(conv, when=at(3, 8), direction=Direction.OUTBOUND, author=agent)  # we wrote first (a template)
    message(conv, when=at(3, 9), direction=Direction.INBOUND)
    message(conv, when=at(3, 9, 0, 5), direction=Direction.OUTBOUND)  # automatic
    message(conv, when=at(3, 9, 3), direction=Direction.OUTBOUND, author=agent)
    (report,) = reports.team_reports(teams=[support], first=FIRST, last=LAST)
    assert report.median_first_response == 3 * 60


def test_median_of_an_odd_count_is_the_middle_value(support, agent):
    for minutes in (2, 30, 5):
        conv = conversation(support, opened=at(3, 8))
        message(conv, when=at(3, 8), direction=Direction.INBOUND)
        message(conv, when=at(3, 8, minutes), direction=Direction.OUTBOUND, author=agent)
    (report,) = reports.team_reports(teams=[support], first=FIRST, last=LAST)
    assert report.median_first_response == 5 * 60


def test_a_reopened_conversation_is_not_counted_resolved(support):
    conv = conversation(support, opened=at(3, 8), resolved=at(3, 9))
    Conversation.objects.filter(pk=conv.pk).update(status="open", resolved_at=None)
    (report,) = reports.team_reports(teams=[support], first=FIRST, last=LAST)
    assert (report.opened, report.resolved, report.median_resolution) == (1, 0, None)


@pytest.mark.parametrize(
    ("seconds", "english", "german"),
    [
        (None, "—", "—"),
        (45, "45 s", "45 Sek."),
        (4 * 60 + 20, "4 min", "4 Min."),
        (80 * 60, "1 h 20 min", "1 Std. 20 Min."),
        (51 * 3600, "2 d 3 h", "2 T. 3 Std."),
        (1234 * 86400, "1,234 d 0 h", "1.234 T. 0 Std."),
    ],
)
def test_durations_in_words_per_language(seconds, english, german):
    with translation.override("en"):
        assert reports.duration_words(seconds) == english
    with translation.override("de"):
        assert reports.duration_words(seconds) == german


# --- the page ------------------------------------------------------------------------------------------------


@pytest.fixture
def lead(support):
    """lead1: the supervisor of Support, not of Sales."""
    return TeamMembershipFactory(team=support, user__username="lead1", role=TeamMembership.Role.SUPERVISOR).user


def test_supervisor_sees_their_team_only(client, arranged, lead):
    client.force_login(lead)
    answer = client.get(URL, RANGE, headers={"accept-language": "de"})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert f'id="report-team-{arranged[0].pk}"' in page and "Sales" not in page
    assert "Erste Antwort (Median)" in page and "7 Min." in page and "1 Std. 20 Min." in page
    assert '<tr data-day="2026-03-03">' in page  # the quiet day is listed, with zeros
    day = page.split('<tr data-day="2026-03-03">')[1].split("</tr>")[0]
    assert '<td class="report-opened">0</td>' in day and '<td class="report-resolved">0</td>' in day
    assert "<svg" in page and "<title id=" in page and "<desc id=" in page
    assert "Erika" not in page  # no customer's name (the factories' subjects are Erikas)


def test_view_all_holder_sees_every_team(client, arranged, dpo):
    client.force_login(dpo)
    page = client.get(URL, RANGE).content.decode()
    assert f'id="report-team-{arranged[0].pk}"' in page and f'id="report-team-{arranged[1].pk}"' in page


def test_agents_get_403_and_anonymous_callers_the_login(client, support, agent):
    client.force_login(agent)
    assert client.get(URL).status_code == 403
    client.logout()
    answer = client.get(URL)
    assert answer.status_code == 302 and "/inbox/login/" in answer["Location"]


@pytest.mark.parametrize(
    "asked", [{"from": "2026-13-01", "to": "2026-03-05"}, {"from": "2026-03-05", "to": "2026-03-01"},
              {"from": "2025-01-01", "to": "2026-03-05"}],
)  # fmt: skip
def test_a_bad_range_answers_400_with_the_reason(client, lead, asked):
    client.force_login(lead)
    answer = client.get(URL, asked)
    assert answer.status_code == 400
    assert 'id="report-error"' in answer.content.decode()


def test_default_range_is_the_last_fourteen_days(client, lead):
    client.force_login(lead)
    page = client.get(URL).content.decode()
    first, last = reports.default_range()
    assert (last - first).days == 13
    assert page.count('<tr data-day="') == 14
    assert f'<tr data-day="{last.isoformat()}">' in page


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, RANGE).status_code == 200
    return len(captured)


def test_query_count_does_not_grow_with_the_conversations(client, support, lead, agent):
    client.force_login(lead)

    def add(n: int) -> None:
        for i in range(n):
            conv = conversation(support, opened=at(2 + i % 4, 8), resolved=at(2 + i % 4, 9))
            message(conv, when=at(2 + i % 4, 8), direction=Direction.INBOUND)
            message(conv, when=at(2 + i % 4, 8, 5), direction=Direction.OUTBOUND, author=agent)

    add(2)
    _queries(client)  # warm the session and permission caches
    few = _queries(client)
    add(30)
    assert _queries(client) == few
    assert few <= 15


def test_team_reports_reads_four_queries(support, teams, django_assert_num_queries):
    conversation(support, opened=at(2, 8), resolved=at(2, 9))
    with django_assert_num_queries(4):
        reports.team_reports(teams=list(teams), first=FIRST, last=LAST + timedelta(days=30))
