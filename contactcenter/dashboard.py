"""What the DPO's dashboard (the admin index) shows, as plain data: the subject requests by their deadline, the
open sensitive-data alerts, consent granted and withdrawn per purpose and ISO week, the last purge run, and the
open breaches' next deadlines.

Invariants:
- Reads only, and no personal data: references, kinds, states, counts and moments, never a name, a contact, a
  message's text or an alert's excerpt.
- A fixed number of queries whatever the number of rows: counting and grouping happen in the database, lists
  are bounded (``limit``).
- Weeks are ISO weeks (Monday to Sunday) of the controller's calendar, ``settings.CONTROLLER_TIME_ZONE``.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Case, CharField, Count, Q, Value, When
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.models import ConsentEvent, Purpose
from consent.models.ledger import ConsentAction
from contactcenter.breaches import BreachDeadline, breach_next
from contactcenter.models import Breach
from conversations.models.sensitive import AlertStatus, SensitiveAlert, Severity
from retention.admin import SOON
from retention.models.requests import OPEN_STATES, RequestKind, RequestState, SubjectRequest
from retention.models.rules import PurgeRun

# The model's severity labels are the developers' English; the dashboard names them in the reader's language.
SEVERITY_NAMES = {Severity.HIGH: _("high"), Severity.MEDIUM: _("medium"), Severity.LOW: _("low")}

GRANTS = (ConsentAction.GRANTED, ConsentAction.CONFIRMED)  # a double opt-in counts once, when confirmed
WITHDRAWALS = (ConsentAction.WITHDRAWN,)


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.CONTROLLER_TIME_ZONE)


# --- Subject requests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestDue:
    pk: int
    reference: str
    kind: str
    state: str
    jurisdiction: str
    due: datetime
    urgency: str  # overdue, soon (within retention.admin.SOON), later


@dataclass(frozen=True)
class RequestQueue:
    rows: list[RequestDue]  # the first ``limit`` open requests, the nearest deadline first
    open_count: int
    overdue_count: int
    soon_count: int


def subject_request_due_list(*, now: datetime, limit: int = 10) -> RequestQueue:
    """Open subject requests by the deadline that applies (the extended one, once extended). Two queries."""
    open_requests = SubjectRequest.objects.filter(state__in=OPEN_STATES).annotate(
        effective_due=Coalesce("extended_until", "due_at")
    )
    counts = open_requests.aggregate(
        open_count=Count("pk"),
        overdue_count=Count("pk", filter=Q(effective_due__lt=now)),
        soon_count=Count("pk", filter=Q(effective_due__gte=now, effective_due__lt=now + SOON)),
    )
    found = open_requests.order_by("effective_due", "pk").values(
        "pk", "reference", "kind", "state", "jurisdiction", "effective_due"
    )[:limit]
    kinds, states = dict(RequestKind.choices), dict(RequestState.choices)

    def urgency(due: datetime) -> str:
        return "overdue" if due < now else "soon" if due < now + SOON else "later"

    rows = [
        RequestDue(
            pk=row["pk"],
            reference=row["reference"],
            kind=str(kinds.get(row["kind"], row["kind"])),
            state=str(states.get(row["state"], row["state"])),
            jurisdiction=row["jurisdiction"],
            due=row["effective_due"],
            urgency=urgency(row["effective_due"]),
        )
        for row in found
    ]
    return RequestQueue(rows=rows, **counts)


# --- Sensitive-data alerts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlertCount:
    severity: str
    name: str
    count: int


def alert_open_counts() -> list[AlertCount]:
    """Alerts neither acknowledged nor dismissed, per severity, the most severe first (every severity, zero
    included). One query."""
    counted = dict(
        SensitiveAlert.objects.filter(status=AlertStatus.OPEN)
        .order_by()
        .values_list("severity")
        .annotate(n=Count("pk"))
        .values_list("severity", "n")
    )
    return [AlertCount(code, str(name), counted.get(code, 0)) for code, name in SEVERITY_NAMES.items()]


# --- Consent per purpose and week ------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    start: date  # its Monday

    @property
    def label(self) -> str:
        year, week, _day = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def number(self) -> int:
        return self.start.isocalendar().week


@dataclass(frozen=True)
class PurposeWeeks:
    code: str
    name: str
    weeks: list[Week]
    granted: list[int]  # one count per week, in the order of ``weeks``
    withdrawn: list[int]

    @property
    def rows(self) -> list[tuple[str, int, int]]:
        """(ISO week, granted, withdrawn) per week: the chart's numbers as a table."""
        return [(w.label, g, d) for w, g, d in zip(self.weeks, self.granted, self.withdrawn, strict=True)]

    @property
    def total_granted(self) -> int:
        return sum(self.granted)

    @property
    def total_withdrawn(self) -> int:
        return sum(self.withdrawn)


@dataclass(frozen=True)
class ConsentWeeks:
    weeks: list[Week]
    purposes: list[PurposeWeeks]  # those with a grant or a withdrawal in the weeks, by code

    @property
    def peak(self) -> int:
        return max((n for p in self.purposes for n in (*p.granted, *p.withdrawn)), default=0)


def consent_week_list(*, now: datetime, language: str, weeks: int = 12) -> ConsentWeeks:
    """Grants (granted, or a double opt-in confirmed) and withdrawals per purpose per ISO week, for the
    ``weeks`` weeks up to and including the current one. Two queries: the counts, grouped in the database,
    and the purposes' names."""
    zone = _zone()
    today = timezone.localtime(now, zone).date()
    first = today - timedelta(days=today.weekday(), weeks=weeks - 1)
    week_list = [Week(first + timedelta(weeks=n)) for n in range(weeks)]
    kind = Case(When(action__in=GRANTS, then=Value("granted")), default=Value("withdrawn"), output_field=CharField())
    counted = (
        ConsentEvent.objects.filter(
            created_at__gte=datetime.combine(first, time.min, tzinfo=zone), action__in=(*GRANTS, *WITHDRAWALS)
        )
        .annotate(week=TruncWeek("created_at", tzinfo=zone), kind=kind)
        .order_by()
        .values("purpose_id", "week", "kind")
        .annotate(n=Count("pk"))
    )
    index = {week.start: n for n, week in enumerate(week_list)}
    series: dict[int, dict[str, list[int]]] = {}
    for row in counted:
        slot = index.get(timezone.localtime(row["week"], zone).date())
        if slot is None:  # a moment in the future (a clock ahead): not one of the weeks shown
            continue
        counts = series.setdefault(row["purpose_id"], {"granted": [0] * weeks, "withdrawn": [0] * weeks})
        counts[row["kind"]][slot] += row["n"]
    purposes = Purpose.objects.filter(pk__in=series).order_by("code").only("pk", "code", "name")
    return ConsentWeeks(
        weeks=week_list,
        purposes=[
            PurposeWeeks(p.code, p.localized("name", language) or p.code, week_list, **series[p.pk]) for p in purposes
        ],
    )


# The chart is drawn on the server (inline SVG, no script): a viewBox the page scales to its width.
CHART_WIDTH, CHART_HEIGHT, CHART_BASE, CHART_TOP = 360, 130, 108, 8


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    kind: str  # granted, withdrawn
    count: int
    week: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


def consent_chart_bars(purpose: PurposeWeeks, weeks: list[Week], *, peak: int) -> list[Bar]:
    """A grant bar and a withdrawal bar per week, side by side, on one scale for every purpose (``peak``)."""
    slot = CHART_WIDTH / len(weeks)
    scale = (CHART_BASE - CHART_TOP) / peak if peak else 0
    bars = []
    for n, week in enumerate(weeks):
        for offset, kind, count in ((0.15, "granted", purpose.granted[n]), (0.5, "withdrawn", purpose.withdrawn[n])):
            height = count * scale
            bars.append(Bar(round(n * slot + offset * slot, 2), round(CHART_BASE - height, 2), round(slot * 0.35, 2),
                            round(height, 2), kind, count, week.label))  # fmt: skip
    return bars


def consent_chart_ticks(weeks: list[Week]) -> list[Tick]:
    slot = CHART_WIDTH / len(weeks)
    return [Tick(round(n * slot + slot / 2, 2), f"{week.number:02d}") for n, week in enumerate(weeks)]


# --- The last purge run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeSummary:
    pk: int
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    outcome_name: str
    removed: int  # rows removed, every category together
    subjects_erased: int
    held_back: int


def purge_run_last() -> PurgeSummary | None:
    """The latest run of ``purge_expired``, with its counts added up. One query."""
    run = PurgeRun.objects.order_by("-started_at", "-id").first()
    if run is None:
        return None

    def total(counts: object) -> int:
        return sum(n for n in counts.values() if isinstance(n, int)) if isinstance(counts, dict) else 0

    return PurgeSummary(
        pk=run.pk, started_at=run.started_at, finished_at=run.finished_at, outcome=run.outcome,
        outcome_name=str(run.get_outcome_display()), removed=total(run.counts), subjects_erased=run.subjects_erased,
        held_back=total(run.held_back),
    )  # fmt: skip


# --- Breaches --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreachCountdown:
    pk: int
    reference: str
    title: str
    deadline: BreachDeadline | None  # the first still owed (contactcenter.breaches.breach_next); None: nothing


def breach_open_list(*, now: datetime, limit: int = 20) -> list[BreachCountdown]:
    """Breaches not closed, the one whose next deadline comes first at the top (those owing nothing last). One
    query: the deadlines are computed from each row, not read."""
    # Every open breach is ranked (a few dozen at most: the register is small), then the first ``limit`` shown,
    # so a new breach with its clock running is never left out behind older ones.
    found = Breach.objects.filter(closed_at__isnull=True).order_by("aware_at", "pk")
    rows = [BreachCountdown(b.pk, b.reference, b.title, breach_next(b, now)) for b in found]

    def first_due(row: BreachCountdown) -> tuple[bool, bool, datetime]:
        due = row.deadline.due if row.deadline is not None else None
        return row.deadline is None, due is None, due or now  # "without undue delay" after a fixed moment

    return sorted(rows, key=first_due)[:limit]
