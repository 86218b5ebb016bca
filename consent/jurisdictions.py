"""Jurisdiction rules as data (DESIGN decision 4).

GDPR and LGPD differ in legal bases, deadlines and statement items. Code reads
these tables keyed by jurisdiction; it never branches on the jurisdiction's
name. A new regime is a new entry here, not new ``if`` statements.
"""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from consent.periods import HolidayCalendar, Period, Unit


@dataclass(frozen=True)
class LegalBasis:
    code: str
    citation: str
    label: str | Promise  # translated where it is read (the statement, the admin, the API's request language)
    is_consent: bool = False
    is_legitimate_interest: bool = False


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: str
    law: str
    # Legal bases for ordinary personal data.
    bases: tuple[LegalBasis, ...]
    # Conditions for special-category (GDPR) / sensitive (LGPD) data.
    special_conditions: tuple[LegalBasis, ...]
    # Countries (ISO 3166-1 alpha-2) whose residents we place under this regime.
    countries: frozenset[str]
    # Legal deadlines (DESIGN decision 9), computed by consent.deadlines.deadline from these rules.
    # To answer a data-subject request, from its receipt.
    request_answer: Period
    # How much longer the answer may take where the law allows an extension (None: it allows none). The
    # extended deadline still runs from receipt: see request_answer_extended.
    request_extension: Period | None
    # To notify the supervisory authority of a breach, from the controller's awareness (knowledge) of it.
    breach_authority: Period
    # To complete that notification, from the date it was sent (None: no fixed period, only "without undue
    # further delay").
    breach_supplement: Period | None
    # To tell the data subjects of a breach, from awareness (None: no fixed period, only "without undue delay").
    breach_subjects: Period | None
    # The IANA time zone whose calendar days count (the day of receipt, the end of the last day). None: the
    # controller's, settings.CONTROLLER_TIME_ZONE (a regime spanning several time zones, like the GDPR's).
    time_zone: str | None
    # Public holidays that business days skip (None: this regime counts no business days).
    holiday_calendar: HolidayCalendar | None
    authority: str
    extra: dict[str, str] = field(default_factory=dict)
    # What the breach periods (breach_authority, breach_supplement, breach_subjects) are multiplied by when the
    # controller is a small processing agent (1: the regime gives small agents no longer periods).
    small_agent_factor: int = 1

    def __post_init__(self) -> None:
        # A table that cannot be computed fails when it is loaded, not when a breach is being recorded.
        if self.request_extension is not None and self.request_extension.unit is not self.request_answer.unit:
            raise ValueError(f"{self.code}: an extension must count in the unit of the period it extends")
        if self.holiday_calendar is None and any(p.unit is Unit.BUSINESS_DAYS for p in self.periods()):
            raise ValueError(f"{self.code}: business days need a holiday calendar")
        if self.time_zone is not None:
            ZoneInfo(self.time_zone)  # raises for an unknown zone

    def periods(self) -> tuple[Period, ...]:
        """Every deadline rule this regime sets."""
        rules = (
            self.request_answer,
            self.request_extension,
            self.breach_authority,
            self.breach_supplement,
            self.breach_subjects,
        )
        return tuple(p for p in rules if p is not None)

    @property
    def request_answer_extended(self) -> Period | None:
        """The whole extended period, counted from receipt (not from the first deadline); None without one."""
        if self.request_extension is None:
            return None
        return self.request_answer + self.request_extension

    def basis(self, code: str) -> LegalBasis | None:
        return next((b for b in self.bases if b.code == code), None)

    def special_condition(self, code: str) -> LegalBasis | None:
        return next((b for b in self.special_conditions if b.code == code), None)


_EEA = frozenset("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO".split())

GDPR = Jurisdiction(
    code="GDPR",
    name="European Union / EEA",
    law="Regulation (EU) 2016/679 (GDPR)",
    bases=(
        LegalBasis("gdpr-6-1-a", "Art. 6(1)(a) GDPR", _("Consent"), is_consent=True),
        LegalBasis("gdpr-6-1-b", "Art. 6(1)(b) GDPR", _("Performance of a contract")),
        LegalBasis("gdpr-6-1-c", "Art. 6(1)(c) GDPR", _("Legal obligation")),
        LegalBasis("gdpr-6-1-d", "Art. 6(1)(d) GDPR", _("Vital interests")),
        LegalBasis("gdpr-6-1-e", "Art. 6(1)(e) GDPR", _("Public interest or official authority")),
        LegalBasis("gdpr-6-1-f", "Art. 6(1)(f) GDPR", _("Legitimate interests"), is_legitimate_interest=True),
    ),
    special_conditions=(
        LegalBasis("gdpr-9-2-a", "Art. 9(2)(a) GDPR", _("Explicit consent"), is_consent=True),
        LegalBasis("gdpr-9-2-b", "Art. 9(2)(b) GDPR", _("Employment and social security law")),
        LegalBasis("gdpr-9-2-c", "Art. 9(2)(c) GDPR", _("Vital interests, subject incapable of consent")),
        LegalBasis("gdpr-9-2-d", "Art. 9(2)(d) GDPR", _("Not-for-profit body, members")),
        LegalBasis("gdpr-9-2-e", "Art. 9(2)(e) GDPR", _("Made manifestly public by the subject")),
        LegalBasis("gdpr-9-2-f", "Art. 9(2)(f) GDPR", _("Legal claims")),
        LegalBasis("gdpr-9-2-g", "Art. 9(2)(g) GDPR", _("Substantial public interest")),
        LegalBasis("gdpr-9-2-h", "Art. 9(2)(h) GDPR", _("Health or social care")),
        LegalBasis("gdpr-9-2-i", "Art. 9(2)(i) GDPR", _("Public health")),
        LegalBasis("gdpr-9-2-j", "Art. 9(2)(j) GDPR", _("Archiving, research or statistics")),
    ),
    countries=_EEA,
    # Art. 12(3): "within one month of receipt of the request. That period may be extended by two further months".
    request_answer=Period(1, Unit.CALENDAR_MONTHS),
    request_extension=Period(2, Unit.CALENDAR_MONTHS),
    # Art. 33(1): "not later than 72 hours after having become aware of it".
    breach_authority=Period(72, Unit.CALENDAR_HOURS),
    # Art. 33(4): information not yet available "may be provided in phases without undue further delay".
    breach_supplement=None,
    # Art. 34(1): "without undue delay".
    breach_subjects=None,
    # The EEA spans several time zones: the controller's establishment decides (settings.CONTROLLER_TIME_ZONE).
    time_zone=None,
    holiday_calendar=None,
    authority="the competent supervisory authority (Art. 77 GDPR)",
)

LGPD = Jurisdiction(
    code="LGPD",
    name="Brazil",
    law="Lei nº 13.709/2018 (LGPD)",
    bases=(
        LegalBasis("lgpd-7-i", "Art. 7, I LGPD", _("Consent"), is_consent=True),
        LegalBasis("lgpd-7-ii", "Art. 7, II LGPD", _("Legal or regulatory obligation")),
        LegalBasis("lgpd-7-iii", "Art. 7, III LGPD", _("Public administration")),
        LegalBasis("lgpd-7-iv", "Art. 7, IV LGPD", _("Studies by research bodies")),
        LegalBasis("lgpd-7-v", "Art. 7, V LGPD", _("Performance of a contract")),
        LegalBasis("lgpd-7-vi", "Art. 7, VI LGPD", _("Exercise of rights in proceedings")),
        LegalBasis("lgpd-7-vii", "Art. 7, VII LGPD", _("Protection of life")),
        LegalBasis("lgpd-7-viii", "Art. 7, VIII LGPD", _("Protection of health")),
        LegalBasis("lgpd-7-ix", "Art. 7, IX LGPD", _("Legitimate interests"), is_legitimate_interest=True),
        LegalBasis("lgpd-7-x", "Art. 7, X LGPD", _("Credit protection")),
    ),
    special_conditions=(
        LegalBasis("lgpd-11-i", "Art. 11, I LGPD", _("Specific and highlighted consent"), is_consent=True),
        LegalBasis("lgpd-11-ii-a", "Art. 11, II, a LGPD", _("Legal or regulatory obligation")),
        LegalBasis("lgpd-11-ii-b", "Art. 11, II, b LGPD", _("Public administration")),
        LegalBasis("lgpd-11-ii-c", "Art. 11, II, c LGPD", _("Studies by research bodies")),
        LegalBasis("lgpd-11-ii-d", "Art. 11, II, d LGPD", _("Exercise of rights in proceedings")),
        LegalBasis("lgpd-11-ii-e", "Art. 11, II, e LGPD", _("Protection of life")),
        LegalBasis("lgpd-11-ii-f", "Art. 11, II, f LGPD", _("Protection of health")),
        LegalBasis("lgpd-11-ii-g", "Art. 11, II, g LGPD", _("Fraud prevention and security")),
    ),
    countries=frozenset({"BR"}),
    # Art. 19, II: the full statement "no prazo de até 15 (quinze) dias, contado da data do requerimento";
    # the LGPD provides no extension.
    request_answer=Period(15, Unit.CALENDAR_DAYS),
    request_extension=None,
    # Resolution CD/ANPD 15/2024, Art. 6: three business days from the controller's knowledge that the
    # incident affected personal data; the information may be completed within twenty business days from the
    # date of the communication. The same resolution gives the communication to the data subjects three
    # business days from that knowledge too. (Small processing agents have these periods doubled:
    # small_agent_factor below.)
    breach_authority=Period(3, Unit.BUSINESS_DAYS),
    breach_supplement=Period(20, Unit.BUSINESS_DAYS),
    breach_subjects=Period(3, Unit.BUSINESS_DAYS),
    # Brasília time, the federal administration's (and the ANPD's) clock.
    time_zone="America/Sao_Paulo",
    # National holidays only: Carnival and the other pontos facultativos are working days.
    holiday_calendar=HolidayCalendar("BR"),
    authority="Autoridade Nacional de Proteção de Dados (ANPD)",
    # Resolution CD/ANPD 2/2022, Art. 14, II: small processing agents have doubled periods for communicating an
    # incident to the ANPD and to the data subjects (six business days; the supplement forty).
    small_agent_factor=2,
)

JURISDICTIONS: dict[str, Jurisdiction] = {j.code: j for j in (GDPR, LGPD)}
JURISDICTION_CHOICES = [(j.code, j.code) for j in JURISDICTIONS.values()]


def jurisdiction_get(code: str) -> Jurisdiction:
    return JURISDICTIONS[code]


def jurisdiction_for_country(country: str | None, *, default: str) -> str:
    """The regime for a subject from this country, or ``default`` when none claims it."""
    if country:
        for jurisdiction in JURISDICTIONS.values():
            if country.upper() in jurisdiction.countries:
                return jurisdiction.code
    return default


LANGUAGES = ("en", "de", "nl", "it", "pt-br")
LANGUAGE_CHOICES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("nl", "Nederlands"),
    ("it", "Italiano"),
    ("pt-br", "Português (Brasil)"),
]
_COUNTRY_LANGUAGE = {
    "DE": "de", "AT": "de", "LI": "de", "NL": "nl", "BE": "nl", "IT": "it", "SM": "it", "BR": "pt-br", "PT": "pt-br",
}  # fmt: skip


def language_for_country(country: str | None) -> str:
    return _COUNTRY_LANGUAGE.get((country or "").upper(), "en")
