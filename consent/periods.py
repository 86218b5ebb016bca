"""Legal time limits as data (DESIGN decision 9): what a deadline rule says, not how it is computed.

A ``Period`` is a number and a unit ("1 calendar month", "3 business days"); a ``HolidayCalendar`` names the
public holidays that business days skip. The Jurisdiction table (``consent.jurisdictions``) holds these values;
``consent.deadlines.deadline`` is the one function that turns a start instant and a period into a due instant.
Kept apart from that function so that the table can use these types without importing it back.
"""

from dataclasses import dataclass
from enum import StrEnum


class Unit(StrEnum):
    # Ends at the end of the day in the last month with the date of the start day, or of that month's last day
    # (Regulation (EEC, Euratom) No 1182/71, Art. 3(2)(c)).
    CALENDAR_MONTHS = "calendar_months"
    # Ends at the end of the n-th day after the start day; the start day is not counted (Art. 3(1), 3(2)(b)).
    CALENDAR_DAYS = "calendar_days"
    # Ends exactly n elapsed hours after the start instant.
    CALENDAR_HOURS = "calendar_hours"
    # Ends at the end of the n-th working day after the start day: weekends and the calendar's holidays skipped.
    BUSINESS_DAYS = "business_days"


_SINGULAR = {
    Unit.CALENDAR_MONTHS: "calendar month",
    Unit.CALENDAR_DAYS: "calendar day",
    Unit.CALENDAR_HOURS: "calendar hour",
    Unit.BUSINESS_DAYS: "business day",
}


@dataclass(frozen=True)
class Period:
    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        # bool is an int; a period of True months is a bug, not a rule.
        if not isinstance(self.amount, int) or isinstance(self.amount, bool) or self.amount < 1:
            raise ValueError(f"a period is a whole number of at least 1, not {self.amount!r}")
        if not isinstance(self.unit, Unit):
            raise ValueError(f"a period's unit is a Unit, not {self.unit!r}")

    def __add__(self, other: object) -> "Period":
        """One period of the combined length, counted from the same start (an extension *from receipt*).

        ``Period(1, CALENDAR_MONTHS) + Period(2, CALENDAR_MONTHS)`` is three months from the start, which is not
        always two months from the end of the first: 31 January + 3 months ends on 30 April, while 28 February
        (the first month's end) + 2 months would end on 28 April. Periods of different units do not add up to
        one rule, so that is refused.
        """
        if not isinstance(other, Period):
            return NotImplemented
        if other.unit is not self.unit:
            raise TypeError(f"cannot add {other} to {self}: different units")
        return Period(self.amount + other.amount, self.unit)

    def __str__(self) -> str:
        return f"{self.amount} {_SINGULAR[self.unit]}{'' if self.amount == 1 else 's'}"


@dataclass(frozen=True)
class HolidayCalendar:
    """Public holidays as the ``holidays`` package knows them, e.g. ``HolidayCalendar("BR")``.

    ``categories`` is the package's: ``("public",)`` is what a country's law declares a holiday; Brazil's
    ``"optional"`` days (Carnival, Ash Wednesday, Corpus Christi, pontos facultativos) are working days.
    """

    country: str
    subdivision: str | None = None
    categories: tuple[str, ...] = ("public",)
