"""The breach register's deadlines and its draft notifications (``contactcenter.models.Breach``).

Invariants:
- One source of time: every due moment comes from ``consent.deadlines.deadline`` with the jurisdiction's
  ``breach_*`` periods; nothing here counts days itself.
- Per jurisdiction of the people concerned: the notification to its authority (GDPR Art. 33(1): 72 hours from
  awareness; LGPD, Resolution CD/ANPD 15/2024 Art. 6: three business days), the supplement (LGPD: twenty
  business days from the notification), the communication to the people concerned (GDPR Art. 34: without
  undue delay, when the risk is high and no exception applies; LGPD Art. 9 of the resolution: three business
  days, whenever the authority is notified).
- A small processing agent (``Breach.small_agent``) has the breach periods multiplied by the jurisdiction's
  ``small_agent_factor`` (LGPD: doubled, Resolution CD/ANPD 2/2022 Art. 14: six business days, the supplement
  forty); a regime whose factor is 1 (the GDPR) counts as for anyone.
- A breach unlikely to result in a risk is recorded (Art. 33(5)) and owes no notification: its deadlines say
  "not required", never a countdown.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consent.deadlines import deadline, deadline_zone
from consent.declarations import CATEGORY_NAMES
from consent.jurisdictions import JURISDICTIONS, Jurisdiction
from consent.periods import Period
from contactcenter.models import EXCEPTIONS, Breach, BreachRisk, Controller, SubjectsDecision, SupervisoryAuthority

STEP_NAMES = {
    "authority": gettext_lazy("Notify the authority"),
    "supplement": gettext_lazy("Complete the notification"),
    "subjects": gettext_lazy("Tell the people concerned"),
}


@dataclass(frozen=True)
class BreachDeadline:
    jurisdiction: str
    step: str  # authority, supplement, subjects
    due: datetime | None  # None: no fixed period ("without undue delay"), or not required
    done_at: datetime | None
    required: bool

    @property
    def name(self) -> str:
        return str(STEP_NAMES[self.step])

    def state(self, now: datetime | None = None) -> str:
        """``done``, ``late`` (done after the due moment), ``overdue``, ``open``, or ``not_required``."""
        now = now or timezone.now()
        if not self.required:
            return "not_required"
        if self.done_at is not None:
            return "late" if self.due is not None and self.done_at > self.due else "done"
        if self.due is not None and now > self.due:
            return "overdue"
        return "open"


def _periods(breach: Breach, rules: Jurisdiction) -> tuple[Period, Period | None, Period | None]:
    """The jurisdiction's breach periods (authority, supplement, subjects) as they apply to ``breach``'s
    controller: scaled by the table's ``small_agent_factor`` for a small processing agent."""
    factor = rules.small_agent_factor if breach.small_agent else 1

    def scaled(period: Period | None) -> Period | None:
        return Period(period.amount * factor, period.unit) if period is not None else None

    return scaled(rules.breach_authority), scaled(rules.breach_supplement), scaled(rules.breach_subjects)


def breach_deadlines(breach: Breach) -> list[BreachDeadline]:
    """The register's deadlines for ``breach``, per jurisdiction, in the order they come."""
    found: list[BreachDeadline] = []
    notifiable = breach.risk != BreachRisk.UNLIKELY
    for code in breach.jurisdictions:
        rules = JURISDICTIONS[code]
        authority_period, supplement_period, subjects_period = _periods(breach, rules)
        due = deadline(start=breach.aware_at, period=authority_period, jurisdiction=rules)
        found.append(BreachDeadline(code, "authority", due, breach.authority_notified_at, notifiable))
        if supplement_period is not None:
            supplement_due = None
            if breach.authority_notified_at is not None:
                supplement_due = deadline(start=breach.authority_notified_at, period=supplement_period,
                                          jurisdiction=rules)  # fmt: skip
            # Owed once notified, unless the notification was complete (nothing to supplement).
            owed = notifiable and breach.authority_notified_at is not None and not breach.notification_complete
            found.append(BreachDeadline(code, "supplement", supplement_due, breach.supplement_sent_at, owed))
        if code == "LGPD":
            told = notifiable  # Resolution 15/2024 Art. 9: with the authority, no exception
        else:
            exempt = (*EXCEPTIONS, SubjectsDecision.NOT_HIGH_RISK)
            told = breach.risk == BreachRisk.HIGH and breach.subjects_decision not in exempt
        subjects_due = (
            deadline(start=breach.aware_at, period=subjects_period, jurisdiction=rules)
            if subjects_period is not None
            else None
        )
        found.append(BreachDeadline(code, "subjects", subjects_due, breach.subjects_informed_at, told))
    return sorted(found, key=lambda d: (d.due is None, d.due or breach.aware_at))


def breach_clean(breach: Breach) -> None:
    """What the model's own ``clean`` cannot check without the deadlines: a late notification states its
    reasons (GDPR Art. 33(1)), and a breach is closed only once nothing is owed. Raises ``ValidationError``;
    call it after ``full_clean`` (the admin's form does)."""
    errors: dict[str, str] = {}
    if breach.aware_at is None or not breach.jurisdictions:
        return
    if breach.authority_notified_at is not None and not breach.delay_reasons.strip():
        late = [d.jurisdiction for d in breach_deadlines(breach) if d.step == "authority" and d.state() == "late"]
        if late:
            errors["delay_reasons"] = _("The notification came after the deadline (%(late)s): give the reasons.") % {
                "late": ", ".join(late)
            }
    if breach.closed_at is not None and not errors:
        owed = breach_next(breach)
        if owed is not None:
            errors["closed_at"] = _("Still owed: %(step)s (%(jurisdiction)s).") % {
                "step": owed.name,
                "jurisdiction": owed.jurisdiction,
            }
    if errors:
        raise ValidationError(errors)


def breach_next(breach: Breach, now: datetime | None = None) -> BreachDeadline | None:
    """The first deadline still owed (open or overdue), if any."""
    owed = [d for d in breach_deadlines(breach) if d.state(now) in ("open", "overdue")]
    return owed[0] if owed else None


def remaining(due: datetime, now: datetime | None = None) -> str:
    """ "1 day, 17 hours left", "overdue by 3 hours": the countdown in the current language (Django's own
    ``timeuntil`` and ``timesince``, two units at most)."""
    now = now or timezone.now()
    if due < now:
        return _("overdue by %(span)s") % {"span": timesince(due, now, depth=2)}
    return _("%(span)s left") % {"span": timeuntil(due, now, depth=2)}


# --- The draft notification -----------------------------------------------------------------------------

# The authority's name in the draft's language (``Jurisdiction.authority`` is the developers' English): the ANPD
# is a proper name, the same in every language, so it is no text to translate.
AUTHORITY_NAMES = {"GDPR": gettext_lazy("competent data-protection supervisory authority"),
                   "LGPD": "Autoridade Nacional de Proteção de Dados (ANPD)"}  # fmt: skip

# The language each authority is written to in: the ANPD in Portuguese; a GDPR authority in the DPO's own
# (the admin's language: the controller's authority is the one of its establishment).
AUTHORITY_LANGUAGE = {"LGPD": "pt-br"}


def breach_notification_draft(breach: Breach, *, jurisdiction: str, language: str) -> str:
    """A draft of the notification to ``jurisdiction``'s authority, as plain text with the items the law asks
    for (GDPR Art. 33(3); Resolution CD/ANPD 15/2024 Art. 6), for the DPO to check and send through the
    authority's own form. ``language``: the admin's, used where the authority has no fixed one."""
    if jurisdiction not in breach.jurisdictions:
        raise ValueError(f"breach {breach.reference} concerns no one under {jurisdiction}")
    rules = JURISDICTIONS[jurisdiction]
    zone = deadline_zone(rules)
    with translation.override(AUTHORITY_LANGUAGE.get(jurisdiction, language)):

        def when(moment: datetime | None) -> str:
            return timezone.localtime(moment, zone).strftime("%Y-%m-%d %H:%M %Z") if moment else _("not yet")

        def counted(number: int | None) -> str:
            return str(number) if number is not None else _("not stated")

        [authority] = [d for d in breach_deadlines(breach) if d.jurisdiction == jurisdiction and d.step == "authority"]
        categories = ", ".join(str(CATEGORY_NAMES[c]) for c in breach.data_categories if c in CATEGORY_NAMES)
        authority_row = SupervisoryAuthority.objects.filter(jurisdiction=jurisdiction).first()
        controller = Controller.current()
        small_agent = None  # stated only where the regime gives small agents longer periods (the ANPD's form)
        if rules.small_agent_factor != 1:
            small_agent = (
                _("Small processing agent: yes (the periods are doubled)")
                if breach.small_agent
                else _("Small processing agent: no")
            )
        lines = [
            _("Draft notification of a personal-data breach to the %(authority)s")
            % {"authority": authority_row.name if authority_row else str(AUTHORITY_NAMES[jurisdiction])},
            _("Our reference: %(reference)s") % {"reference": breach.reference},
            "",
            _("0. The controller"),
            " ".join(f"{controller.name}, {controller.address}, {controller.email}".split())
            if controller
            else _("not stated"),
            small_agent,
            "",
            _("1. The breach"),
            breach.title,
            breach.nature,
            _("Cause: %(cause)s") % {"cause": breach.cause.strip() or _("not stated")},
            _("Security measures in place before the incident: %(measures)s")
            % {"measures": breach.prior_measures.strip() or _("not stated")},
            _("Became aware at: %(at)s") % {"at": when(breach.aware_at)},
            _("Occurred: from %(start)s until %(end)s")
            % {"start": when(breach.occurred_from), "end": when(breach.occurred_until)},
            _("Deadline for this notification: %(at)s") % {"at": when(authority.due)},
            "",
            _("2. Who and what it concerns"),
            _("Categories of people: %(categories)s") % {"categories": breach.subject_categories},
            _("Number of people (approximately): %(count)s") % {"count": breach.subjects_count},
            _("Of them children or adolescents: %(count)s") % {"count": counted(breach.children_count)},
            _("Of them elderly people: %(count)s") % {"count": counted(breach.elderly_count)},
            _("Categories of data: %(categories)s") % {"categories": categories or _("not stated")},
            _("Number of records (approximately): %(count)s") % {"count": breach.records_count},
            "",
            _("3. Contact"),
            breach.contact,
            "",
            _("4. Likely consequences"),
            breach.consequences,
            "",
            _("5. Measures taken or proposed"),
            breach.measures,
            "",
            _("6. The people concerned"),
            str(SubjectsDecision(breach.subjects_decision).label),
            breach.subjects_decision_reason,
            _("Told at: %(at)s") % {"at": when(breach.subjects_informed_at)},
        ]
        if authority.state() in ("late", "overdue") or breach.delay_reasons:
            lines += ["", _("7. Reasons for the delay"), breach.delay_reasons or _("not stated")]
    return "\n".join(line for line in lines if line is not None).strip() + "\n"
