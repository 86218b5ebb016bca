"""The breach register (GDPR Art. 33(5), LGPD Art. 48 with Resolution CD/ANPD 15/2024).

Every personal-data breach is recorded, notifiable or not: when the controller became aware of it, what it is
(the Art. 33(3) content), whom and what it concerns, how risky it is, and what was done and when. The
deadlines are not stored: ``contactcenter.breaches`` computes them from the jurisdictions' rules
(``consent.jurisdictions``: 72 hours under the GDPR; three business days, Brazilian national holidays
skipped, under the LGPD) with the one deadline function, so the register counts them down.

A record describes the incident, never a person: counts and categories of those affected, no names, numbers
or addresses (the help texts say so); so it holds no personal data of customers and the registry does not
list it. It is kept at least five years (Resolution 15/2024, Art. 10): nothing purges it and nobody deletes
it; every change is kept with who made it.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.declarations import Category
from consent.jurisdictions import JURISDICTIONS

# A moment recorded as done may lie this far ahead (clocks differ); further is the future.
FUTURE_SKEW = timedelta(minutes=5)

# How long a breach record is kept at least (Resolution CD/ANPD 15/2024, Art. 10: five years).
KEPT_YEARS = 5


class BreachRisk(models.TextChoices):
    UNLIKELY = "unlikely", _("Unlikely to result in a risk to people (recorded, not notified)")
    RISK = "risk", _("A risk to people (notify the authority)")
    HIGH = "high", _("A high risk to people (notify the authority and tell the people concerned)")


class SubjectsDecision(models.TextChoices):
    """Whether the people concerned are told (GDPR Art. 34; LGPD Art. 48 with Resolution 15/2024 Art. 9)."""

    UNDECIDED = "undecided", _("Not decided yet")
    INFORM = "inform", _("Tell the people concerned")
    NOT_HIGH_RISK = "not_high_risk", _("Not required: no high risk (GDPR Art. 34(1))")
    ENCRYPTED = "encrypted", _("Not required: the data were unintelligible to others, e.g. encrypted (Art. 34(3)(a))")
    MITIGATED = "mitigated", _("Not required: measures taken since remove the high risk (Art. 34(3)(b))")
    PUBLIC_NOTICE = (
        "public_notice",
        _(
            "Not required individually: it would take disproportionate effort; a public communication instead "
            "(Art. 34(3)(c))"
        ),
    )


# The Art. 34(3) exceptions: each needs its reason written down. Under the LGPD none exempts the communication.
EXCEPTIONS = (SubjectsDecision.ENCRYPTED, SubjectsDecision.MITIGATED, SubjectsDecision.PUBLIC_NOTICE)


class Breach(models.Model):
    title = models.CharField(
        _("title"), max_length=120,
        help_text=_("A short name for the incident, e.g. “lost laptop of the support team”. No customer's name."),
    )  # fmt: skip
    jurisdictions = models.JSONField(
        _("jurisdictions"), default=list,
        help_text=_("The regimes of the people concerned (GDPR, LGPD): each has its own deadlines."),
    )  # fmt: skip
    aware_at = models.DateTimeField(
        _("became aware at"),
        help_text=_("When the controller became aware of the breach: every deadline counts from here."),
    )
    occurred_from = models.DateTimeField(_("occurred from"), null=True, blank=True)
    occurred_until = models.DateTimeField(_("occurred until"), null=True, blank=True)
    # Resolution CD/ANPD 2/2022, Art. 14: a small processing agent has the LGPD's breach periods doubled (the
    # factor is the jurisdiction's, ``Jurisdiction.small_agent_factor``; the GDPR has none).
    small_agent = models.BooleanField(
        _("the controller is a small processing agent"), default=False,
        help_text=_("LGPD (Resolution CD/ANPD 2/2022, Art. 14): the periods to communicate the incident are "
                    "doubled, six business days for the ANPD and forty for the supplement."),
    )  # fmt: skip
    # GDPR Art. 33(3)(a): the nature of the breach, the categories and approximate numbers concerned.
    nature = models.TextField(
        _("what happened"),
        help_text=_("The nature of the breach: what happened, how it was found. Counts and kinds, no names."),
    )
    # Resolution CD/ANPD 15/2024, Art. 6: the communication to the ANPD states the cause and the measures that
    # were in place before the incident.
    cause = models.TextField(
        _("cause of the incident"), blank=True, default="",
        help_text=_("What caused it, as far as known, e.g. “a phishing e-mail”, “a misconfigured export”."),
    )  # fmt: skip
    prior_measures = models.TextField(
        _("security measures in place before the incident"), blank=True, default="",
        help_text=_("The technical and organisational measures that protected the data before it happened."),
    )  # fmt: skip
    subject_categories = models.CharField(
        _("categories of people concerned"), max_length=200, help_text=_("E.g. “customers writing on WhatsApp”.")
    )
    subjects_count = models.PositiveIntegerField(_("people concerned (approximately)"))
    # LGPD Art. 14 (children and adolescents) and the ANPD's communication form: how many of them are vulnerable.
    children_count = models.PositiveIntegerField(
        _("children and adolescents concerned"), null=True, blank=True,
        help_text=_("How many of the people concerned are under 18 (LGPD Art. 14). Empty: not known."),
    )  # fmt: skip
    elderly_count = models.PositiveIntegerField(
        _("elderly people concerned"), null=True, blank=True,
        help_text=_("How many of the people concerned are 60 or older. Empty: not known."),
    )  # fmt: skip
    data_categories = models.JSONField(_("categories of data concerned"), default=list, blank=True)
    records_count = models.PositiveIntegerField(_("records concerned (approximately)"))
    # Art. 33(3)(b): who the authority may ask.
    contact = models.CharField(
        _("contact for the authority"), max_length=200,
        help_text=_("The data-protection officer or another contact point: name and how to reach them."),
    )  # fmt: skip
    # Art. 33(3)(c), (d).
    consequences = models.TextField(_("likely consequences"))
    measures = models.TextField(_("measures taken or proposed"), help_text=_("Including those that limit its effects."))
    risk = models.CharField(_("risk"), max_length=16, choices=BreachRisk.choices, default=BreachRisk.RISK)
    risk_reason = models.TextField(
        _("why this risk"), blank=True,
        help_text=_("Required when the breach is unlikely to result in a risk: why it is not notified."),
    )  # fmt: skip
    # What was done, and when.
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_reference = models.CharField(_("the authority's reference"), max_length=64, blank=True)
    notification_complete = models.BooleanField(
        _("the notification was complete"), default=False,
        help_text=_("LGPD: nothing was missing, so no supplement is owed."),
    )  # fmt: skip
    supplement_sent_at = models.DateTimeField(
        _("supplementary information sent at"), null=True, blank=True,
        help_text=_("LGPD: what was missing from the notification, within 20 business days of it."),
    )  # fmt: skip
    delay_reasons = models.TextField(
        _("reasons for a late notification"), blank=True,
        help_text=_("GDPR Art. 33(1): a notification after 72 hours states why."),
    )  # fmt: skip
    subjects_decision = models.CharField(
        _("telling the people concerned"), max_length=16, choices=SubjectsDecision.choices,
        default=SubjectsDecision.UNDECIDED,
    )  # fmt: skip
    subjects_decision_reason = models.TextField(_("why"), blank=True)
    subjects_informed_at = models.DateTimeField(_("people concerned told at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        editable=False, verbose_name=_("recorded by"),
    )  # fmt: skip

    history = HistoricalRecords()

    class Meta:
        ordering = ["-aware_at", "-pk"]
        verbose_name = _("personal-data breach")
        verbose_name_plural = _("breach register")
        permissions = [("export_breach_notification", _("Can export a draft notification to the authority"))]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"B-{self.pk:05d}" if self.pk else "B-new"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        unknown = [code for code in self.jurisdictions or [] if code not in JURISDICTIONS]
        if not self.jurisdictions or unknown:
            errors["jurisdictions"] = _("Name at least one regime, of: %(known)s.") % {
                "known": ", ".join(sorted(JURISDICTIONS))
            }
        wrong = [c for c in self.data_categories or [] if c not in {category.value for category in Category}]
        if wrong:
            errors["data_categories"] = _("Unknown data categories: %(wrong)s.") % {"wrong": ", ".join(wrong)}
        soon = timezone.now() + FUTURE_SKEW
        for field in ("aware_at", "authority_notified_at", "supplement_sent_at", "subjects_informed_at", "closed_at"):
            moment = getattr(self, field)
            if moment is not None and moment > soon:
                errors[field] = _("This is in the future: record what has happened.")
            elif moment is not None and self.aware_at is not None and moment < self.aware_at:
                errors[field] = _("This cannot be before the controller became aware of the breach.")
        if self.risk == BreachRisk.UNLIKELY and not self.risk_reason.strip():
            errors["risk_reason"] = _("A breach that is not notified needs the reason (GDPR Art. 33(5)).")
        if (
            "LGPD" in (self.jurisdictions or [])
            and self.risk != BreachRisk.UNLIKELY
            and (self.subjects_decision == SubjectsDecision.NOT_HIGH_RISK)
        ):
            errors["subjects_decision"] = _(
                "Under the LGPD the people concerned are told whenever the authority is, whatever the risk."
            )
        if self.supplement_sent_at is not None and self.authority_notified_at is None:
            errors["supplement_sent_at"] = _("Supplementary information follows a notification: record that first.")
        if self.occurred_from and self.occurred_until and self.occurred_until < self.occurred_from:
            errors["occurred_until"] = _("The end cannot be before the start.")
        for field in ("children_count", "elderly_count"):
            part = getattr(self, field)
            if part is not None and self.subjects_count is not None and part > self.subjects_count:
                errors[field] = _("This cannot be more than the people concerned.")
        if self.subjects_decision in EXCEPTIONS and not self.subjects_decision_reason.strip():
            errors["subjects_decision_reason"] = _("An exception from telling the people concerned needs its reason.")
        if self.subjects_decision in EXCEPTIONS and "LGPD" in (self.jurisdictions or []):
            errors["subjects_decision"] = _(
                "The people under the LGPD are told whenever the authority is: no exception applies to them. "
                "Record the people under the GDPR as a breach of its own to use one."
            )
        if self.risk == BreachRisk.HIGH and self.subjects_decision == SubjectsDecision.NOT_HIGH_RISK:
            errors["subjects_decision"] = _("The risk is recorded as high: “no high risk” contradicts it.")
        if errors:
            raise ValidationError(errors)


# --- The privacy programme: who the controller is, who receives data, which authority oversees it ------------
# (GDPR Art. 13(1)(a)-(f), 30(1); LGPD Art. 9, 41.) Edited by the DPO in the admin, every change kept; the
# privacy statements and the records of processing are generated from these rows.


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def business_hours_problem(hours: object) -> str:
    """Why ``hours`` is not a weekly schedule ({"mon": ["09:00", "17:00"], ...}); empty when it is one."""
    if not isinstance(hours, dict):
        return str(_("Map weekdays (mon … sun) to an opening and a closing time."))
    for day, span in hours.items():
        if day not in WEEKDAYS:
            return str(_("Unknown weekday “%(day)s”: use mon, tue, wed, thu, fri, sat, sun.") % {"day": day})
        if (
            not isinstance(span, list) or len(span) != 2
            or not all(isinstance(t, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", t) for t in span)
            or span[0] >= span[1]
        ):  # fmt: skip
            return str(_('%(day)s: give an opening and a later closing time, e.g. ["09:00", "17:00"].') % {"day": day})
    return ""


class Controller(models.Model):
    """The controller and its contacts. One row (``Controller.current()``)."""

    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("postal address"))
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    eu_representative = models.TextField(
        _("representative in the EU"), blank=True,
        help_text=_("GDPR Art. 27: only for a controller established outside the EU; name and address."),
    )  # fmt: skip
    whatsapp_number = models.CharField(
        _("WhatsApp business number"), max_length=20, blank=True,
        help_text=_("The number customers write to, in international form (+49…): the contact snippet shows it."),
    )  # fmt: skip
    business_hours = models.JSONField(
        _("business hours"), default=dict, blank=True,
        help_text=_('When agents answer, per weekday in the controller\'s time zone, e.g. {"mon": ["09:00", '
                    '"17:00"], …}; a day left out is closed.'),
    )  # fmt: skip
    response_hours = models.PositiveSmallIntegerField(
        _("usual response time (hours)"),
        default=2,
        help_text=_("Within business hours; the contact snippet promises no more than this."),
    )
    dpo_name = models.CharField(_("data-protection officer"), max_length=200)
    dpo_email = models.EmailField(_("data-protection officer's e-mail address"))
    dpo_phone = models.CharField(_("data-protection officer's telephone"), max_length=40, blank=True)
    encarregado_name = models.CharField(
        _("encarregado (LGPD)"), max_length=200, blank=True,
        help_text=_("LGPD Art. 41: published with the contact. Empty: the data-protection officer."),
    )  # fmt: skip
    encarregado_email = models.EmailField(_("encarregado's e-mail address"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("controller")
        verbose_name_plural = _("controller")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # one controller per installation
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "Controller | None":
        return cls.objects.filter(pk=1).first()

    @property
    def encarregado(self) -> tuple[str, str]:
        """(name, e-mail) of the LGPD's encarregado: the data-protection officer unless named apart."""
        return (self.encarregado_name or self.dpo_name, self.encarregado_email or self.dpo_email)

    def clean(self) -> None:
        hours_error = business_hours_problem(self.business_hours)
        if hours_error:
            raise ValidationError({"business_hours": hours_error})
        if self.whatsapp_number and not re.fullmatch(r"\+[1-9]\d{6,14}", self.whatsapp_number.replace(" ", "")):
            raise ValidationError({"whatsapp_number": _("Give the number in international form, e.g. +49 30 1234567.")})
        if bool(self.encarregado_name) != bool(self.encarregado_email):
            raise ValidationError(
                {"encarregado_email": _("Give the encarregado's name and e-mail address, or neither.")}
            )


class RecipientRole(models.TextChoices):
    PROCESSOR = "processor", _("Processor: acts on our instructions")
    CONTROLLER = "controller", _("Independent controller")
    JOINT = "joint", _("Joint controller")


class TransferMechanism(models.TextChoices):
    """On what a transfer outside the EEA (GDPR Chapter V) or Brazil (LGPD Art. 33) rests."""

    NONE = "none", _("No transfer: the data stay in the EEA")
    ADEQUACY = "adequacy", _("An adequacy decision (GDPR Art. 45; LGPD Art. 33, I)")
    DPF = "dpf", _("The EU-US Data Privacy Framework (Commission Implementing Decision (EU) 2023/1795)")
    SCC = (
        "scc",
        _("Standard contractual clauses (Commission Implementing Decision (EU) 2021/914; ANPD Resolution 19/2024)"),
    )
    BCR = "bcr", _("Binding corporate rules (GDPR Art. 47)")


class LgpdTransfer(models.TextChoices):
    """On what a transfer out of Brazil rests (LGPD Art. 33): the LGPD's own instruments, not the GDPR's."""

    NONE = "none", _("No transfer: the data stay in Brazil")
    ADEQUACY = "adequacy", _("A country the ANPD recognises as adequate (LGPD Art. 33, I)")
    SCC = "scc", _("The ANPD's standard contractual clauses (LGPD Art. 33, II, b; Resolution CD/ANPD 19/2024)")
    BCR = "bcr", _("Global corporate rules (LGPD Art. 33, II, c)")
    CONSENT = "consent", _("The customer's specific and highlighted consent to the transfer (LGPD Art. 33, VIII)")


class Recipient(models.Model):
    """A processor or other recipient of personal data, with where it processes them and on what basis."""

    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=16, choices=RecipientRole.choices, default=RecipientRole.PROCESSOR)
    # Per language (en, de, nl, it, pt-br): the privacy statement names it in each.
    service = models.JSONField(
        _("what they do for us"), default=dict,
        help_text=_("Per language, e.g. “delivers our WhatsApp messages”: the privacy statement shows it."),
    )  # fmt: skip
    data_categories = models.JSONField(
        _("categories of data they receive"), default=list, blank=True,
        help_text=_("The records of processing and the privacy statement list them."),
    )  # fmt: skip
    country = models.CharField(
        _("country"), max_length=2, help_text=_("Where the data are processed: the ISO 3166 code, e.g. IE, US, BR.")
    )
    transfer_mechanism = models.CharField(_("transfer mechanism"), max_length=16, choices=TransferMechanism.choices)
    lgpd_transfer_mechanism = models.CharField(
        _("transfer mechanism under the LGPD"), max_length=16, choices=LgpdTransfer.choices, blank=True,
        help_text=_("For customers under the LGPD: what a transfer out of Brazil rests on (the EU's instruments "
                    "are no basis there). Empty: not decided yet; the statement cannot be published."),
    )  # fmt: skip
    transfer_note = models.CharField(
        _("about the transfer"), max_length=300, blank=True,
        help_text=_("E.g. onward transfers to a parent company, and on what they rest; for data under the LGPD, "
                    "what its Art. 33 transfer rests on."),
    )  # fmt: skip
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)
    active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("processor or recipient")
        verbose_name_plural = _("processors and recipients")

    def __str__(self) -> str:
        return self.name

    def service_in(self, language: str) -> str:
        return str((self.service or {}).get(language, "")).strip() if isinstance(self.service, dict) else ""

    def clean(self) -> None:
        if not isinstance(self.service, dict) or not any(str(v).strip() for v in self.service.values()):
            raise ValidationError({"service": _("Say what they do for us.")})
        unknown = set(self.data_categories or []) - {c.value for c in Category}
        if not isinstance(self.data_categories, list) or unknown:
            raise ValidationError({"data_categories": _("Choose from the data categories.")})
        self.country = (self.country or "").strip().upper()
        if len(self.country) != 2 or not self.country.isalpha():
            raise ValidationError({"country": _("Give the two-letter ISO 3166 code, e.g. IE.")})
        # Under the GDPR (Chapter V), the controller's regime: anywhere outside the EEA, Brazil included, is a
        # transfer. The LGPD's view of the same recipient (Art. 33) goes in the transfer note.
        if self.lgpd_transfer_mechanism == LgpdTransfer.NONE and self.country not in JURISDICTIONS["LGPD"].countries:
            raise ValidationError({"lgpd_transfer_mechanism": _(
                "Processing outside Brazil is a transfer under the LGPD: name what it rests on."
            )})  # fmt: skip
        if self.transfer_mechanism == TransferMechanism.NONE and self.country not in JURISDICTIONS["GDPR"].countries:
            raise ValidationError({"transfer_mechanism": _(
                "Processing outside the EEA is a transfer: name what it rests on."
            )})  # fmt: skip


class SupervisoryAuthority(models.Model):
    """The authority a customer may complain to, per jurisdiction (GDPR Art. 13(2)(d); LGPD Art. 18 §1)."""

    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=8, unique=True, choices=[(code, code) for code in sorted(JURISDICTIONS)]
    )
    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("postal address"), blank=True)
    website = models.URLField(_("website"))
    email = models.EmailField(_("e-mail address"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["jurisdiction"]
        verbose_name = _("supervisory authority")
        verbose_name_plural = _("supervisory authorities")

    def __str__(self) -> str:
        return f"{self.name} ({self.jurisdiction})"
