"""The legal-deadline function (consent.deadlines) and the rules the Jurisdiction table feeds it.

Real dates, exact instants. No database. Weekdays in the comments were checked against the calendar; holidays
against the ``holidays`` package pinned in requirements.txt (its Brazilian national calendar).
"""

import dataclasses
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from consent.deadlines import deadline
from consent.jurisdictions import GDPR, JURISDICTIONS, LGPD
from consent.periods import HolidayCalendar, Period, Unit

BERLIN = ZoneInfo("Europe/Berlin")
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
MONTH = Period(1, Unit.CALENDAR_MONTHS)
THREE_BUSINESS_DAYS = Period(3, Unit.BUSINESS_DAYS)


@pytest.fixture(autouse=True)
def controller_in_berlin(settings):
    # The GDPR's clock is the controller's; the tests must not depend on the environment they run in.
    settings.CONTROLLER_TIME_ZONE = "Europe/Berlin"


def end_of(year: int, month: int, day: int, zone: ZoneInfo) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=zone)


def gdpr_request(start: datetime, period: Period = MONTH) -> datetime:
    return deadline(start=start, period=period, jurisdiction="GDPR")


def lgpd(start: datetime, period: Period) -> datetime:
    return deadline(start=start, period=period, jurisdiction="LGPD")


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


# --- Calendar months: Reg. (EEC, Euratom) No 1182/71, Art. 3(2)(c); GDPR Art. 12(3) ------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # Same date in the next month.
        (date(2027, 3, 15), date(2027, 4, 15)),
        # The last month has no such date: its last day, 28 February in 2027, 29 in the leap year 2028.
        (date(2027, 1, 31), date(2027, 2, 28)),
        (date(2028, 1, 31), date(2028, 2, 29)),
        (date(2027, 1, 30), date(2027, 2, 28)),
        (date(2028, 1, 30), date(2028, 2, 29)),
        (date(2027, 1, 29), date(2027, 2, 28)),
        (date(2028, 1, 29), date(2028, 2, 29)),
        (date(2027, 3, 31), date(2027, 4, 30)),
        (date(2027, 5, 31), date(2027, 6, 30)),
        # From a leap day, the same date one month on.
        (date(2028, 2, 29), date(2028, 3, 29)),
        # Month end to the same date, not to the next month end: 28 February is not "the last day of February".
        (date(2027, 2, 28), date(2027, 3, 28)),
        (date(2027, 4, 30), date(2027, 5, 30)),
        # Across the year end.
        (date(2026, 12, 31), date(2027, 1, 31)),
        (date(2027, 12, 15), date(2028, 1, 15)),
    ],
)
def test_one_month_ends_on_the_same_date_or_the_last_day_of_a_shorter_month(received, due):
    start = datetime(received.year, received.month, received.day, 11, 0, tzinfo=BERLIN)
    assert gdpr_request(start) == end_of(due.year, due.month, due.day, BERLIN)


def test_the_due_date_is_not_moved_off_a_weekend():
    # 28 February 2027 is a Sunday. Art. 3(4)'s roll-over to the next working day is deliberately not applied:
    # it could only make the deadline later, and the earlier date is in time under either reading.
    due = gdpr_request(datetime(2027, 1, 31, 9, 0, tzinfo=BERLIN))
    assert due == end_of(2027, 2, 28, BERLIN)
    assert due.weekday() == 6


def test_the_whole_day_of_receipt_gives_the_same_deadline():
    # The day of the event is not counted, whatever the hour: first and last microsecond of 15 March alike.
    first = gdpr_request(datetime(2027, 3, 15, 0, 0, tzinfo=BERLIN))
    last = gdpr_request(datetime(2027, 3, 15, 23, 59, 59, 999999, tzinfo=BERLIN))
    next_day = gdpr_request(datetime(2027, 3, 16, 0, 0, tzinfo=BERLIN))
    assert first == last == end_of(2027, 4, 15, BERLIN)
    assert next_day == end_of(2027, 4, 16, BERLIN)


def test_the_deadline_is_an_aware_datetime_in_the_controllers_time_zone():
    due = gdpr_request(datetime(2027, 3, 15, 10, 0, tzinfo=UTC))
    assert due.tzinfo == BERLIN
    assert (due.hour, due.minute, due.second, due.microsecond) == (23, 59, 59, 999999)
    assert utc(due) == datetime(2027, 4, 15, 21, 59, 59, 999999, tzinfo=UTC)  # CEST, UTC+2


# --- GDPR Art. 12(3) extension: from receipt, not from the first deadline ---------------------------------------


def test_gdpr_extension_is_three_months_from_receipt():
    assert GDPR.request_answer_extended == Period(3, Unit.CALENDAR_MONTHS)
    received = datetime(2027, 1, 31, 14, 0, tzinfo=BERLIN)
    extended = gdpr_request(received, GDPR.request_answer_extended)
    assert extended == end_of(2027, 4, 30, BERLIN)
    # Chaining "two further months" onto the first deadline (28 February) would end on 28 April: two days short.
    chained = gdpr_request(gdpr_request(received), GDPR.request_extension)
    assert chained == end_of(2027, 4, 28, BERLIN)
    assert extended > chained


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2027, 3, 15), date(2027, 6, 15)),
        (date(2027, 11, 30), date(2028, 2, 29)),  # across the year end into a leap February
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2027, 5, 31), date(2027, 8, 31)),
    ],
)
def test_gdpr_extended_deadline(received, due):
    start = datetime(received.year, received.month, received.day, 16, 45, tzinfo=BERLIN)
    assert gdpr_request(start, GDPR.request_answer_extended) == end_of(due.year, due.month, due.day, BERLIN)


def test_lgpd_allows_no_extension():
    assert LGPD.request_extension is None
    assert LGPD.request_answer_extended is None


# --- The day of receipt is the controller's local day --------------------------------------------------------


def test_late_evening_utc_is_already_the_next_day_in_berlin():
    # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin (CET, UTC+1): received 1 February, due 1 March.
    due = gdpr_request(datetime(2027, 1, 31, 23, 30, tzinfo=UTC))
    assert due == end_of(2027, 3, 1, BERLIN)
    assert utc(due) == datetime(2027, 3, 1, 22, 59, 59, 999999, tzinfo=UTC)


def test_the_same_instant_counted_by_a_controller_in_lisbon(settings):
    # Lisbon is on UTC in winter: still 31 January there, so due 28 February (23:59:59.999999 WET = UTC).
    settings.CONTROLLER_TIME_ZONE = "Europe/Lisbon"
    due = gdpr_request(datetime(2027, 1, 31, 23, 30, tzinfo=UTC))
    assert due == end_of(2027, 2, 28, ZoneInfo("Europe/Lisbon"))
    assert utc(due) == datetime(2027, 2, 28, 23, 59, 59, 999999, tzinfo=UTC)


def test_early_morning_utc_is_still_the_previous_day_in_sao_paulo():
    # 01:30 UTC on 1 February is 22:30 on 31 January in São Paulo (UTC-3): 15 days from 31 January.
    due = lgpd(datetime(2027, 2, 1, 1, 30, tzinfo=UTC), LGPD.request_answer)
    assert due == end_of(2027, 2, 15, SAO_PAULO)
    assert utc(due) == datetime(2027, 2, 16, 2, 59, 59, 999999, tzinfo=UTC)


def test_a_receipt_just_after_midnight_in_sao_paulo_counts_from_that_day():
    # 03:30 UTC on 1 February is 00:30 on 1 February in São Paulo.
    due = lgpd(datetime(2027, 2, 1, 3, 30, tzinfo=UTC), LGPD.request_answer)
    assert due == end_of(2027, 2, 16, SAO_PAULO)


def test_tz_argument_overrides_the_jurisdictions_time_zone():
    # The same instant is 23:30 on 31 January in Manaus (UTC-4): a controller there counts from 31 January.
    start = datetime(2027, 2, 1, 3, 30, tzinfo=UTC)
    manaus = ZoneInfo("America/Manaus")
    assert deadline(start=start, period=LGPD.request_answer, jurisdiction=LGPD, tz="America/Manaus") == end_of(
        2027, 2, 15, manaus
    )
    assert deadline(start=start, period=LGPD.request_answer, jurisdiction=LGPD, tz=manaus) == end_of(
        2027, 2, 15, manaus
    )


def test_the_start_may_be_given_in_any_time_zone():
    # Only the instant matters: the same moment written in Tokyo time gives the same Berlin deadline.
    in_tokyo = datetime(2027, 2, 1, 8, 30, tzinfo=ZoneInfo("Asia/Tokyo"))  # 23:30 UTC on 31 January
    assert gdpr_request(in_tokyo) == end_of(2027, 3, 1, BERLIN)


# --- Daylight-saving changes: the end of the day is still 23:59:59.999999 local --------------------------------


def test_month_ending_on_the_spring_change_in_berlin():
    # Clocks go forward on Sunday 28 March 2027 (CET -> CEST): the day has 23 hours, it still ends at 23:59.
    due = gdpr_request(datetime(2027, 2, 28, 10, 0, tzinfo=BERLIN))
    assert due == end_of(2027, 3, 28, BERLIN)
    assert due.utcoffset() == timedelta(hours=2)
    assert utc(due) == datetime(2027, 3, 28, 21, 59, 59, 999999, tzinfo=UTC)


def test_month_ending_on_the_autumn_change_in_berlin():
    # Clocks go back on Sunday 31 October 2027 (CEST -> CET): the day has 25 hours; 23:59 is CET.
    due = gdpr_request(datetime(2027, 7, 31, 10, 0, tzinfo=BERLIN), GDPR.request_answer_extended)
    assert due == end_of(2027, 10, 31, BERLIN)
    assert due.utcoffset() == timedelta(hours=1)
    assert utc(due) == datetime(2027, 10, 31, 22, 59, 59, 999999, tzinfo=UTC)


def test_received_in_the_hour_after_the_spring_change():
    # 01:30 UTC on 28 March 2027 is 03:30 CEST, just after the clocks jumped from 02:00 to 03:00.
    due = gdpr_request(datetime(2027, 3, 28, 1, 30, tzinfo=UTC))
    assert due == end_of(2027, 4, 28, BERLIN)


def test_received_in_the_repeated_hour_of_the_autumn_change():
    # 02:30 on 31 October 2027 happens twice in Berlin (CEST, then CET): either way the day is 31 October.
    first = gdpr_request(datetime(2027, 10, 31, 0, 30, tzinfo=UTC))  # 02:30 CEST
    second = gdpr_request(datetime(2027, 10, 31, 1, 30, tzinfo=UTC))  # 02:30 CET
    assert first == second == end_of(2027, 11, 30, BERLIN)


def test_end_of_a_day_whose_last_hour_occurs_twice_is_its_second_pass():
    # Brazil's last daylight-saving time ended at midnight on 17 February 2019: clocks went from 00:00 back to
    # 23:00 on the 16th, so 23:00-23:59 of 16 February ran twice. The day ends after the second run (UTC-3).
    due = lgpd(datetime(2019, 2, 1, 10, 0, tzinfo=SAO_PAULO), LGPD.request_answer)
    assert due.date() == date(2019, 2, 16)
    assert utc(due) == datetime(2019, 2, 17, 2, 59, 59, 999999, tzinfo=UTC)


def test_end_of_the_day_before_a_midnight_spring_change():
    # Brazil's daylight-saving time began at 00:00 on 4 November 2018 (clocks to 01:00): 3 November still
    # ended at 23:59:59.999999 standard time (UTC-3).
    due = lgpd(datetime(2018, 10, 19, 10, 0, tzinfo=SAO_PAULO), LGPD.request_answer)
    assert due == end_of(2018, 11, 3, SAO_PAULO)
    assert utc(due) == datetime(2018, 11, 4, 2, 59, 59, 999999, tzinfo=UTC)


# --- Calendar days: LGPD Art. 19, II (15 days from the request) -------------------------------------------------


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2027, 3, 1), date(2027, 3, 16)),
        (date(2027, 1, 20), date(2027, 2, 4)),  # across a month end
        (date(2027, 2, 20), date(2027, 3, 7)),  # February of 28 days
        (date(2028, 2, 20), date(2028, 3, 6)),  # February of 29 days
        (date(2026, 12, 20), date(2027, 1, 4)),  # across the year end
        (date(2027, 4, 16), date(2027, 5, 1)),  # ends on a holiday (Labour Day, a Saturday): not moved
        (date(2027, 1, 25), date(2027, 2, 9)),  # ends on Carnival Tuesday: calendar days ignore it
    ],
)
def test_lgpd_fifteen_calendar_days(received, due):
    start = datetime(received.year, received.month, received.day, 9, 15, tzinfo=SAO_PAULO)
    assert lgpd(start, LGPD.request_answer) == end_of(due.year, due.month, due.day, SAO_PAULO)


def test_lgpd_deadline_is_brasilia_time_by_default():
    due = lgpd(datetime(2027, 3, 1, 12, 0, tzinfo=UTC), LGPD.request_answer)
    assert due.tzinfo == SAO_PAULO
    assert utc(due) == datetime(2027, 3, 17, 2, 59, 59, 999999, tzinfo=UTC)


def test_calendar_days_across_a_dst_change_end_at_local_midnight():
    due = deadline(
        start=datetime(2027, 3, 20, 8, 0, tzinfo=BERLIN), period=Period(15, Unit.CALENDAR_DAYS), jurisdiction=GDPR
    )
    assert due == end_of(2027, 4, 4, BERLIN)
    assert due.utcoffset() == timedelta(hours=2)


# --- Calendar hours: GDPR Art. 33(1), 72 hours from awareness ----------------------------------------------------


def test_72_hours_is_exact_not_rounded_to_a_day_or_an_hour():
    aware = datetime(2027, 5, 5, 10, 17, 23, 500000, tzinfo=BERLIN)
    due = deadline(start=aware, period=GDPR.breach_authority, jurisdiction="GDPR")
    assert due == datetime(2027, 5, 8, 10, 17, 23, 500000, tzinfo=BERLIN)


def test_72_hours_across_the_spring_change_are_72_real_hours():
    # Friday 26 March 2027 12:00 CET (11:00 UTC); the clocks lose an hour on Sunday 28 March.
    aware = datetime(2027, 3, 26, 12, 0, tzinfo=BERLIN)
    due = deadline(start=aware, period=GDPR.breach_authority, jurisdiction="GDPR")
    assert utc(due) == datetime(2027, 3, 29, 11, 0, tzinfo=UTC)
    assert due == datetime(2027, 3, 29, 13, 0, tzinfo=BERLIN)  # 13:00 CEST on the wall clock
    # Subtract in UTC: Python subtracts wall-clock times when both sides share one ZoneInfo (that would say 73).
    assert utc(due) - utc(aware) == timedelta(hours=72)


def test_72_hours_across_the_autumn_change_are_72_real_hours():
    # Friday 29 October 2027 12:00 CEST (10:00 UTC); the clocks gain an hour on Sunday 31 October.
    aware = datetime(2027, 10, 29, 12, 0, tzinfo=BERLIN)
    due = deadline(start=aware, period=GDPR.breach_authority, jurisdiction="GDPR")
    assert due == datetime(2027, 11, 1, 11, 0, tzinfo=BERLIN)  # 11:00 CET on the wall clock
    assert utc(due) - utc(aware) == timedelta(hours=72)


def test_hours_do_not_depend_on_the_time_zone_only_their_display_does():
    aware = datetime(2027, 6, 30, 22, 45, tzinfo=UTC)
    in_berlin = deadline(start=aware, period=GDPR.breach_authority, jurisdiction="GDPR")
    in_sao_paulo = deadline(start=aware, period=GDPR.breach_authority, jurisdiction="GDPR", tz=SAO_PAULO)
    assert in_berlin == in_sao_paulo == datetime(2027, 7, 3, 22, 45, tzinfo=UTC)
    assert in_berlin.tzinfo == BERLIN
    assert in_sao_paulo.tzinfo == SAO_PAULO


# --- Business days: Resolution CD/ANPD 15/2024, Art. 6 (Brazilian national holidays) ----------------------------


@pytest.mark.parametrize(
    ("knowledge", "due"),
    [
        # Thursday: Friday 5, Monday 8, Tuesday 9 March.
        (date(2027, 3, 4), date(2027, 3, 9)),
        # Friday: the weekend is skipped, Monday 8, Tuesday 9, Wednesday 10.
        (date(2027, 3, 5), date(2027, 3, 10)),
        # Known on a Saturday: the day of knowledge is not counted either way.
        (date(2027, 3, 6), date(2027, 3, 10)),
        (date(2027, 3, 7), date(2027, 3, 10)),
        # Wednesday 30 December 2026: Thursday 31 December counts (New Year's Eve is no national holiday),
        # Friday 1 January is (Confraternização Universal), 2-3 January is a weekend: Monday 4, Tuesday 5.
        (date(2026, 12, 30), date(2027, 1, 5)),
        # Christmas, Friday 25 December 2026: Wednesday 23 -> Thursday 24 (Christmas Eve counts), Monday 28, 29.
        (date(2026, 12, 23), date(2026, 12, 29)),
        # Tiradentes, Wednesday 21 April 2027: Monday 19 -> Tuesday 20, Thursday 22, Friday 23.
        (date(2027, 4, 19), date(2027, 4, 23)),
        # Good Friday, 26 March 2027 (a national holiday in the package's calendar): Thursday 25 -> 29, 30, 31.
        (date(2027, 3, 25), date(2027, 3, 31)),
        # Independence, Tuesday 7 September 2027: Friday 3 -> Monday 6, Wednesday 8, Thursday 9.
        (date(2027, 9, 3), date(2027, 9, 9)),
        # Nossa Senhora Aparecida, Tuesday 12 October 2027, and a weekend: Friday 8 -> 11, 13, 14.
        (date(2027, 10, 8), date(2027, 10, 14)),
        # Finados (Tuesday 2 November 2027) and the Republic (Monday 15 November 2027).
        (date(2027, 10, 29), date(2027, 11, 4)),
        (date(2027, 11, 12), date(2027, 11, 18)),
        # Zumbi e Consciência Negra, national since 2024: Friday 20 November 2026. Thursday 19 -> 23, 24, 25.
        (date(2026, 11, 19), date(2026, 11, 25)),
        # Labour Day on a Saturday (1 May 2027) costs no working day: Thursday 29 April -> 30, 3 May, 4 May.
        (date(2027, 4, 29), date(2027, 5, 4)),
    ],
)
def test_anpd_three_business_days(knowledge, due):
    start = datetime(knowledge.year, knowledge.month, knowledge.day, 15, 0, tzinfo=SAO_PAULO)
    assert lgpd(start, LGPD.breach_authority) == end_of(due.year, due.month, due.day, SAO_PAULO)


def test_carnival_is_not_a_national_holiday():
    # The package files Carnival (Monday 8 and Tuesday 9 February 2027) and Ash Wednesday under "optional"
    # (ponto facultativo), not "public": they are business days. Friday 5 -> Monday 8, Tuesday 9, Wednesday 10.
    due = lgpd(datetime(2027, 2, 5, 15, 0, tzinfo=SAO_PAULO), LGPD.breach_authority)
    assert due == end_of(2027, 2, 10, SAO_PAULO)


def test_holiday_categories_are_data():
    # A calendar that also closes on the optional days skips Carnival and Ash Wednesday: 11, 12, then 15 Feb.
    closed_for_carnival = dataclasses.replace(
        LGPD, holiday_calendar=HolidayCalendar("BR", None, ("public", "optional"))
    )
    due = deadline(
        start=datetime(2027, 2, 5, 15, 0, tzinfo=SAO_PAULO),
        period=THREE_BUSINESS_DAYS,
        jurisdiction=closed_for_carnival,
    )
    assert due == end_of(2027, 2, 15, SAO_PAULO)


def test_business_days_count_from_the_local_day_of_knowledge():
    # 02:00 UTC on Thursday 31 December 2026 is 23:00 on Wednesday 30 December in São Paulo: due Tuesday
    # 5 January. Counted from the UTC day (31 December) it would wrongly be Wednesday 6 January.
    due = lgpd(datetime(2026, 12, 31, 2, 0, tzinfo=UTC), LGPD.breach_authority)
    assert due == end_of(2027, 1, 5, SAO_PAULO)
    assert utc(due) == datetime(2027, 1, 6, 2, 59, 59, 999999, tzinfo=UTC)


def test_anpd_supplement_twenty_business_days_from_the_communication():
    # Communication on Monday 14 December 2026. Skipped: weekends, Christmas (Friday 25) and New Year's Day
    # (Friday 1 January); counted: 15-18, 21-24, 28-31 December (12), 4-8 and 11-13 January (20).
    communicated = datetime(2026, 12, 14, 10, 0, tzinfo=SAO_PAULO)
    assert lgpd(communicated, LGPD.breach_supplement) == end_of(2027, 1, 13, SAO_PAULO)


def test_anpd_supplement_across_tiradentes_and_labour_day():
    # Monday 19 April 2027: 20, 22, 23, 26-30 April (8), 3-7 May (13), 10-14 May (18), 17, 18 May (20).
    communicated = datetime(2027, 4, 19, 18, 30, tzinfo=SAO_PAULO)
    assert lgpd(communicated, LGPD.breach_supplement) == end_of(2027, 5, 18, SAO_PAULO)


def test_anpd_data_subjects_three_business_days():
    assert LGPD.breach_subjects == THREE_BUSINESS_DAYS
    due = lgpd(datetime(2026, 12, 30, 15, 0, tzinfo=SAO_PAULO), LGPD.breach_subjects)
    assert due == end_of(2027, 1, 5, SAO_PAULO)


def test_business_days_across_a_year_boundary_read_both_years_holidays():
    # 22 business days from Monday 14 December 2026 reach into 2027's calendar (1 January) and past it.
    due = lgpd(datetime(2026, 12, 14, 10, 0, tzinfo=SAO_PAULO), Period(22, Unit.BUSINESS_DAYS))
    assert due == end_of(2027, 1, 15, SAO_PAULO)


def test_business_days_need_a_holiday_calendar():
    with pytest.raises(ValueError, match="holiday calendar"):
        deadline(start=datetime(2027, 3, 4, 10, 0, tzinfo=BERLIN), period=THREE_BUSINESS_DAYS, jurisdiction="GDPR")


# --- Refusals ---------------------------------------------------------------------------------------------------


class _NoOffset(tzinfo):
    def utcoffset(self, dt):
        return None

    def dst(self, dt):
        return None


@pytest.mark.parametrize(
    "period", [MONTH, Period(15, Unit.CALENDAR_DAYS), Period(72, Unit.CALENDAR_HOURS), THREE_BUSINESS_DAYS]
)
@pytest.mark.parametrize("start", [datetime(2027, 1, 31, 12, 0), datetime(2027, 1, 31, 12, 0, tzinfo=_NoOffset())])
def test_naive_datetimes_are_refused(start, period):
    with pytest.raises(ValueError, match="aware"):
        deadline(start=start, period=period, jurisdiction="LGPD")


def test_unknown_jurisdiction_is_refused():
    with pytest.raises(ValueError, match="unknown jurisdiction"):
        deadline(start=datetime(2027, 1, 31, 12, 0, tzinfo=UTC), period=MONTH, jurisdiction="CCPA")


def test_unknown_time_zone_is_refused():
    with pytest.raises(ZoneInfoNotFoundError):
        deadline(start=datetime(2027, 1, 31, 12, 0, tzinfo=UTC), period=MONTH, jurisdiction="GDPR", tz="Mars/Olympus")


def test_arguments_are_keyword_only():
    with pytest.raises(TypeError):
        deadline(datetime(2027, 1, 31, 12, 0, tzinfo=UTC), MONTH, "GDPR")  # type: ignore[misc]


def test_a_period_must_be_a_period():
    with pytest.raises(ValueError, match="Period"):
        deadline(start=datetime(2027, 1, 31, 12, 0, tzinfo=UTC), period=timedelta(days=30), jurisdiction="GDPR")  # type: ignore[arg-type]


# --- The rule type ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", [0, -1, True, 1.5, "3"])
def test_a_period_is_a_positive_whole_number(amount):
    with pytest.raises(ValueError, match="whole number"):
        Period(amount, Unit.CALENDAR_DAYS)


def test_a_period_has_a_unit():
    with pytest.raises(ValueError, match="unit"):
        Period(3, "days")  # type: ignore[arg-type]


def test_periods_of_one_unit_add_up_and_others_do_not():
    assert Period(1, Unit.CALENDAR_MONTHS) + Period(2, Unit.CALENDAR_MONTHS) == Period(3, Unit.CALENDAR_MONTHS)
    with pytest.raises(TypeError, match="different units"):
        Period(1, Unit.CALENDAR_MONTHS) + Period(30, Unit.CALENDAR_DAYS)


def test_a_period_reads_as_the_law_writes_it():
    assert str(GDPR.request_answer) == "1 calendar month"
    assert str(GDPR.breach_authority) == "72 calendar hours"
    assert str(LGPD.request_answer) == "15 calendar days"
    assert str(LGPD.breach_authority) == "3 business days"


# --- The Jurisdiction table -------------------------------------------------------------------------------------


def test_gdpr_rules():
    assert GDPR.request_answer == Period(1, Unit.CALENDAR_MONTHS)
    assert GDPR.request_extension == Period(2, Unit.CALENDAR_MONTHS)
    assert GDPR.breach_authority == Period(72, Unit.CALENDAR_HOURS)
    assert GDPR.breach_supplement is None
    assert GDPR.breach_subjects is None
    assert GDPR.time_zone is None  # the controller's: settings.CONTROLLER_TIME_ZONE
    assert GDPR.holiday_calendar is None


def test_lgpd_rules():
    assert LGPD.request_answer == Period(15, Unit.CALENDAR_DAYS)
    assert LGPD.breach_authority == Period(3, Unit.BUSINESS_DAYS)
    assert LGPD.breach_supplement == Period(20, Unit.BUSINESS_DAYS)
    assert LGPD.time_zone == "America/Sao_Paulo"
    assert LGPD.holiday_calendar == HolidayCalendar("BR")


@pytest.mark.parametrize(
    ("code", "period"), [(code, period) for code, j in JURISDICTIONS.items() for period in j.periods()]
)
def test_every_rule_in_the_table_can_be_computed(code, period):
    start = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
    assert deadline(start=start, period=period, jurisdiction=code) > start


def test_a_table_entry_that_cannot_be_computed_fails_when_loaded():
    with pytest.raises(ValueError, match="holiday calendar"):
        dataclasses.replace(LGPD, holiday_calendar=None)
    with pytest.raises(ValueError, match="unit"):
        dataclasses.replace(GDPR, request_extension=Period(60, Unit.CALENDAR_DAYS))
    with pytest.raises(ZoneInfoNotFoundError):
        dataclasses.replace(LGPD, time_zone="Mars/Olympus")
