"""The supervisor reports, as plain data: per team and per day, conversations opened and resolved, the median
first-response time and the median resolution time.

Invariants:
- Reads only, and no personal data: team names, counts and durations, never a customer, a text, an agent.
- Days are calendar days of the controller's time zone (``settings.CONTROLLER_TIME_ZONE``), every day of the
  range listed, a day without activity as zeros.
- A fixed number of queries whatever the number of conversations (four): counts are grouped in the database;
  the medians are taken in Python over one value per conversation of the range.
- Definitions. *Opened*: the conversation was created that day. *Resolved*: it is resolved now and was resolved
  that day (a reopened conversation counts again when it is resolved again). *First response*: from the
  conversation's first customer message to the first agent reply after it (an outbound message with an
  author: automatic messages, notices and one-time codes have none), counted on the day the conversation
  was opened; conversations not answered yet are left out of the median. *Resolution*: from opening to
  resolution, counted on the day it was resolved.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from conversations.models import Conversation, ConversationStatus, Direction, Message, Team

DEFAULT_DAYS = 14
MAX_DAYS = 92  # a quarter: the page stays readable and the value lists stay small


def report_zone() -> ZoneInfo:
    return ZoneInfo(settings.CONTROLLER_TIME_ZONE)


def default_range(*, now: datetime | None = None) -> tuple[date, date]:
    """The last ``DEFAULT_DAYS`` days, today included, in the controller's calendar."""
    today = timezone.localtime(now or timezone.now(), report_zone()).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class DayFigures:
    day: date
    opened: int = 0
    resolved: int = 0
    first_responses: list[float] = field(default_factory=list, repr=False)  # seconds, one per conversation
    resolutions: list[float] = field(default_factory=list, repr=False)

    @property
    def median_first_response(self) -> float | None:
        return _median(self.first_responses)

    @property
    def median_resolution(self) -> float | None:
        return _median(self.resolutions)


@dataclass
class TeamReport:
    team_id: int
    name: str
    days: list[DayFigures]

    @property
    def opened(self) -> int:
        return sum(d.opened for d in self.days)

    @property
    def resolved(self) -> int:
        return sum(d.resolved for d in self.days)

    @property
    def median_first_response(self) -> float | None:
        """Over every conversation of the range (not a median of the daily medians)."""
        return _median([v for d in self.days for v in d.first_responses])

    @property
    def median_resolution(self) -> float | None:
        return _median([v for d in self.days for v in d.resolutions])


def team_reports(*, teams: list[Team], first: date, last: date) -> list[TeamReport]:
    """The figures of ``teams`` for every day from ``first`` to ``last`` (both included). Four queries."""
    zone = report_zone()
    start = datetime.combine(first, time.min, tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone)
    day_count = (last - first).days + 1
    team_ids = [team.pk for team in teams]
    grid = {team.pk: {first + timedelta(days=n): DayFigures(first + timedelta(days=n)) for n in range(day_count)}
            for team in teams}  # fmt: skip

    def slot(team_id: int, moment: datetime | date) -> DayFigures | None:
        day = moment if not isinstance(moment, datetime) else timezone.localtime(moment, zone).date()
        return grid.get(team_id, {}).get(day)

    ours = Conversation.objects.filter(team_id__in=team_ids).order_by()
    opened = (
        ours.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("team_id", "day")
        .annotate(n=Count("pk"))
    )
    for row in opened:
        if (figures := slot(row["team_id"], row["day"])) is not None:
            figures.opened = row["n"]

    resolved_in_range = ours.filter(status=ConversationStatus.RESOLVED, resolved_at__gte=start, resolved_at__lt=end)
    resolved = (
        resolved_in_range.annotate(day=TruncDate("resolved_at", tzinfo=zone))
        .values("team_id", "day")
        .annotate(n=Count("pk"))
    )
    for row in resolved:
        if (figures := slot(row["team_id"], row["day"])) is not None:
            figures.resolved = row["n"]

    resolution_rows = resolved_in_range.annotate(
        took=ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    ).values_list("team_id", "resolved_at", "took")
    for team_id, resolved_at, took in resolution_rows:
        if took is not None and (figures := slot(team_id, resolved_at)) is not None:
            figures.resolutions.append(max(took.total_seconds(), 0.0))

    messages = Message.objects.filter(conversation=OuterRef("pk")).order_by("created_at", "id").values("created_at")
    first_inbound = messages.filter(direction=Direction.INBOUND)[:1]
    first_reply = messages.filter(
        direction=Direction.OUTBOUND, author__isnull=False, created_at__gte=OuterRef("first_in")
    )[:1]
    response_rows = (
        ours.filter(created_at__gte=start, created_at__lt=end)
        .annotate(first_in=Subquery(first_inbound))
        .annotate(first_out=Subquery(first_reply))
        .filter(first_in__isnull=False, first_out__isnull=False)
        .values_list("team_id", "created_at", "first_in", "first_out")
    )
    for team_id, created_at, first_in, first_out in response_rows:
        if (figures := slot(team_id, created_at)) is not None:
            figures.first_responses.append(max((first_out - first_in).total_seconds(), 0.0))

    return [TeamReport(team.pk, team.name, list(grid[team.pk].values())) for team in teams]


def duration_words(seconds: float | None) -> str:
    """A duration as people say it, in the active language: "45 s", "4 min", "1 h 20 min", "2 d 3 h"."""
    if seconds is None:
        return "—"
    total = round(seconds)
    if total < 60:
        return _("%(seconds)s s") % {"seconds": number_format(total)}
    minutes_total = total // 60
    if minutes_total < 60:
        return _("%(minutes)s min") % {"minutes": number_format(minutes_total)}
    hours_total, minutes = divmod(minutes_total, 60)
    if hours_total < 24:
        return _("%(hours)s h %(minutes)s min") % {"hours": number_format(hours_total), "minutes": minutes}
    days, hours = divmod(hours_total, 24)
    return _("%(days)s d %(hours)s h") % {"days": number_format(days, force_grouping=True), "hours": hours}


# --- The chart: geometry only; templates/inbox/reports.html draws it ----------------------------------------

CHART_WIDTH = 640
CHART_HEIGHT = 200
CHART_TOP = 18
CHART_BASE = 170  # the x axis; day labels below it
CHART_LEFT = 30


@dataclass(frozen=True)
class Bar:
    kind: str  # opened, resolved
    day: date
    count: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    base: int
    left: int
    peak: int
    bars: list[Bar]
    ticks: list[Tick]


def chart_for(report: TeamReport) -> Chart:
    """Bars for opened and resolved per day, side by side, scaled to the busiest day (at least 1)."""
    peak = max([1, *(d.opened for d in report.days), *(d.resolved for d in report.days)])
    slot_width = (CHART_WIDTH - CHART_LEFT) / max(len(report.days), 1)
    bar_width = max(slot_width * 0.38, 1.0)
    usable = CHART_BASE - CHART_TOP
    bars, ticks = [], []
    every = max(1, len(report.days) // 16)  # at most about 16 labels, whatever the range
    for n, day in enumerate(report.days):
        x0 = CHART_LEFT + n * slot_width + slot_width * 0.1
        for offset, kind, count in ((0, "opened", day.opened), (1, "resolved", day.resolved)):
            height = round(usable * count / peak, 2)
            bars.append(
                Bar(kind, day.day, count, round(x0 + offset * bar_width, 2), round(CHART_BASE - height, 2),
                    round(bar_width, 2), height)
            )  # fmt: skip
        if n % every == 0:
            ticks.append(Tick(round(CHART_LEFT + (n + 0.5) * slot_width, 2), str(day.day.day)))
    return Chart(CHART_WIDTH, CHART_HEIGHT, CHART_BASE, CHART_LEFT, peak, bars, ticks)
