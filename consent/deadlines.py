"""The one function that computes legal deadlines (DESIGN decision 9: clocks are data).

``deadline(start=..., period=..., jurisdiction=...)`` takes the instant the clock starts (a request received, a
breach the controller became aware of, a communication sent) and a ``consent.periods.Period`` from the
Jurisdiction table, and returns the last instant that is still in time, as an aware datetime in the time zone
whose days count. Callers never branch on the jurisdiction: they pass its rule.

How each unit counts. The EU rules are those of Regulation (EEC, Euratom) No 1182/71, Art. 3 (by its Art. 1 it
governs Council and Commission acts; it is the general EU rule on periods, by which the GDPR's are commonly
read). Brazil's Código Civil, Art. 132, counts days the same way: "excluído o dia do começo, e incluído o do
vencimento". Its months differ (§ 3: where the date is missing, "no imediato", the next day): no Brazilian rule
here counts in months, and one that did would need its own unit rather than ``CALENDAR_MONTHS``.

* The day of the event is the local calendar day of ``start`` in the deadline's time zone (the controller's,
  or the jurisdiction's): a request received at 23:30 UTC on 31 January was received on 1 February in Berlin
  (UTC+1) and on 31 January in São Paulo (UTC-3). That day is not counted (Art. 3(1), second subparagraph).
* Periods in days, business days and months end "with the expiry of the last hour" of their last day
  (Art. 3(2)(b), (c)): the result is that day's 23:59:59.999999 local time, whatever the clocks did that day
  (a daylight-saving change moves the UTC instant, not the local end of day; where a local time occurs twice,
  the later one, which is the true end of the day).
* ``CALENDAR_MONTHS``: the last day is the day in the last month with the same date as the day of the event;
  where the last month has no such date, its last day (Art. 3(2)(c)): received 15 March, due 15 April; received
  31 January, due 28 February (29 in a leap year); received 31 March, due 30 April. The months are counted from
  the start, never from an earlier deadline: GDPR Art. 12(3)'s extension "by two further months" is
  ``Period(3, CALENDAR_MONTHS)`` from receipt (``Jurisdiction.request_answer_extended``), so 31 January is due
  30 April, not 28 April.
* ``CALENDAR_DAYS``: the n-th calendar day after the day of the event (LGPD Art. 19, II: 15 days "contado da
  data do requerimento").
* ``CALENDAR_HOURS``: exactly n elapsed hours after ``start`` (GDPR Art. 33(1): "not later than 72 hours after
  having become aware"), across daylight-saving changes too; not rounded to a day or an hour.
* ``BUSINESS_DAYS``: the n-th day after the day of the event that is neither a weekend day nor a public holiday
  of the jurisdiction's ``HolidayCalendar`` (the ``holidays`` package): ANPD Resolution CD/ANPD 15/2024, Art. 6,
  three business days from knowledge of the breach.

Deliberately not applied: the rule that a period ending on a Saturday, Sunday or public holiday runs on to the
end of the next working day (Reg. 1182/71 Art. 3(4); Código Civil Art. 132 § 1). It can only make a deadline
later, never earlier; the due date we show is therefore the earliest defensible one, and a controller who meets
it is in time under either reading. (Likewise, Art. 3(1) leaves the hour of the event out of a period in hours,
which would give up to one hour more than the exact 72 hours we compute.)
"""

import calendar
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from consent.jurisdictions import Jurisdiction, jurisdiction_get
from consent.periods import HolidayCalendar, Period, Unit


def deadline(
    *,
    start: datetime,
    period: Period,
    jurisdiction: str | Jurisdiction,
    tz: ZoneInfo | str | None = None,
) -> datetime:
    """The last instant in time for ``period`` running from ``start``, aware, in the deadline's time zone.

    ``tz`` is the time zone whose calendar days count; by default the jurisdiction's (``time_zone``), or, where
    the jurisdiction leaves it to the controller (GDPR), ``settings.CONTROLLER_TIME_ZONE``. Raises ValueError
    for a naive ``start``, an unknown jurisdiction, or business days in a jurisdiction without a holiday
    calendar.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("deadline() needs an aware start (timezone.now(), not datetime.now())")
    if not isinstance(period, Period):
        raise ValueError(f"period must be a Period, not {period!r}")
    rules = _jurisdiction(jurisdiction)
    zone = _zone(tz, rules)

    if period.unit is Unit.CALENDAR_HOURS:
        # Aware arithmetic in a ZoneInfo zone adds wall-clock time; in UTC it adds elapsed time.
        return (start.astimezone(UTC) + timedelta(hours=period.amount)).astimezone(zone)

    day_of_event = start.astimezone(zone).date()
    if period.unit is Unit.CALENDAR_DAYS:
        last_day = day_of_event + timedelta(days=period.amount)
    elif period.unit is Unit.CALENDAR_MONTHS:
        last_day = _add_months(day_of_event, period.amount)
    elif period.unit is Unit.BUSINESS_DAYS:
        if rules.holiday_calendar is None:
            raise ValueError(f"{rules.code} has no holiday calendar: business days cannot be counted there")
        last_day = _add_business_days(day_of_event, period.amount, rules.holiday_calendar)
    else:  # pragma: no cover - Period refuses any other unit
        raise ValueError(f"unknown unit {period.unit!r}")
    return _end_of_day(last_day, zone)


def deadline_zone(jurisdiction: str | Jurisdiction) -> ZoneInfo:
    """The time zone whose calendar days count for ``jurisdiction``'s deadlines (``deadline``'s default): show a
    deadline in it, or its date can be a day off (São Paulo's 23:59 is the next day in UTC)."""
    return _zone(None, _jurisdiction(jurisdiction))


def _jurisdiction(jurisdiction: str | Jurisdiction) -> Jurisdiction:
    if isinstance(jurisdiction, Jurisdiction):
        return jurisdiction
    try:
        return jurisdiction_get(jurisdiction)
    except KeyError:
        raise ValueError(f"unknown jurisdiction {jurisdiction!r}") from None


def _zone(tz: ZoneInfo | str | None, rules: Jurisdiction) -> ZoneInfo:
    if isinstance(tz, ZoneInfo):
        return tz
    return ZoneInfo(tz or rules.time_zone or settings.CONTROLLER_TIME_ZONE)


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _add_business_days(day: date, count: int, calendar_: HolidayCalendar) -> date:
    while count:
        day += timedelta(days=1)
        weekend, closed = _non_working_days(calendar_, day.year)
        if day.weekday() not in weekend and day not in closed:
            count -= 1
    return day


@lru_cache(maxsize=64)
def _non_working_days(calendar_: HolidayCalendar, year: int) -> tuple[frozenset[int], frozenset[date]]:
    """The calendar's weekend days and that year's holidays, frozen: ``holidays`` objects fill in years lazily
    as they are asked, which is not something to share between threads."""
    days = holidays.country_holidays(
        calendar_.country, subdiv=calendar_.subdivision, years=year, categories=calendar_.categories
    )
    return frozenset(days.weekend), frozenset(days)


def _end_of_day(day: date, zone: ZoneInfo) -> datetime:
    # fold=1: where a clock change at midnight makes the last hour of the day occur twice, its second pass.
    return datetime.combine(day, time.max, tzinfo=zone).replace(fold=1)
