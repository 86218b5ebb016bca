"""Retention rules, purge runs and erasure receipts: the deletion concept's configuration and its evidence.

None of these rows holds personal data: rules are configuration, a purge run is counts per category, an
erasure receipt says how much of what was erased, when, by whom and why, but not whose data it was (the
erasure journal, outside the database, links a receipt to the subject's public id; see ``retention.journal``).
"""

import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.declarations import CLOCK_NAMES, Category, Clock
from consent.jurisdictions import LANGUAGES


class RetentionAction(models.TextChoices):
    DELETE = "delete", _("Delete")
    ANONYMISE = "anonymise", _("Anonymise (keep without anything that identifies the person)")


class RetentionRule(models.Model):
    """How long one data category is kept: from a clock event, for a period, for a reason, then an action.

    ``legal_reason`` is written for the customer in every language we serve: the privacy statement and the
    export's summary show it. Edited by the DPO in the admin; every change is kept with who and why.
    """

    category = models.CharField(
        _("data category"), max_length=32, choices=[(c.value, c.value) for c in Category], unique=True
    )
    clock = models.CharField(_("counted from"), max_length=32, choices=[(c.value, CLOCK_NAMES[c]) for c in Clock])
    period_days = models.PositiveIntegerField(
        _("period (days)"), help_text=_("How many days after the clock event the data goes.")
    )
    action = models.CharField(
        _("then"), max_length=16, choices=RetentionAction.choices, default=RetentionAction.DELETE,
        help_text=_("Anonymise keeps what can be kept without anything that identifies the person (the staff "
                    "access log keeps who looked and when) and removes what cannot."),
    )  # fmt: skip
    legal_reason = models.JSONField(
        _("legal reason"), help_text=_("Why we keep it this long, for the customer: en, de, nl, it, pt-br.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["category"]
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")

    def __str__(self) -> str:
        return f"{self.category}: {self.period_days} days after {self.clock}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        reasons = self.legal_reason if isinstance(self.legal_reason, dict) else {}
        missing = [lang for lang in LANGUAGES if not str(reasons.get(lang, "")).strip()]
        if missing:
            errors["legal_reason"] = _("Missing languages: %(missing)s.") % {"missing": ", ".join(missing)}
        clocks = self.clocks_possible()
        if clocks and self.clock not in clocks:
            # A clock no row of the category has would make the rule silently never run.
            errors["clock"] = _("No data of this category records that moment. Possible: %(clocks)s.") % {
                "clocks": ", ".join(str(CLOCK_NAMES[c]) for c in sorted(clocks))
            }
        if errors:
            raise ValidationError(errors)

    def clocks_possible(self) -> set[str]:
        """The clocks the category's rows record (from the registry); empty while nothing of it is stored."""
        from retention import registry

        if self.category in (Category.IDENTITY, Category.CONTACT_POINTS):
            return {Clock.NOTHING_ELSE_KEPT}  # they go with the last of the rest (the purge's left-with-nothing)
        return {clock for d in registry.of_category(self.category) for clock in d.clocks}

    def reason_in(self, language: str) -> str:
        return (self.legal_reason or {}).get(language) or (self.legal_reason or {}).get("en", "")


class PurgeRun(models.Model):
    """One run of ``manage.py purge_expired``: when, what it removed per category, how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        DRY_RUN = "dry_run", _("Dry run (nothing removed)")
        FAILED = "failed", _("Failed (what was removed stays removed; the next run goes on)")
        # Killed (SIGKILL, out of memory, the host went down): found by the next run, which then holds the lock.
        INTERRUPTED = (
            "interrupted",
            _("Interrupted (stopped without finishing; what was removed stays removed; the next run goes on)"),
        )

    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(
        _("finished at"),
        null=True,
        blank=True,
        help_text=_("Empty while it runs, and for an interrupted run (not known)."),
    )
    progress_at = models.DateTimeField(
        _("latest progress at"), null=True, blank=True,
        help_text=_("When its latest batch committed (counts are recorded with each batch, in its transaction)."),
    )  # fmt: skip
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.RUNNING)
    counts = models.JSONField(
        _("rows removed"), default=dict, help_text=_("Rows removed per category (files counted with their rows).")
    )
    subjects_erased = models.PositiveIntegerField(_("subjects erased"), default=0)
    held_back = models.JSONField(
        _("held back"), default=dict, help_text=_("Rows due but kept by a legal hold, per category.")
    )
    longest_transaction_ms = models.PositiveIntegerField(_("longest transaction (ms)"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("purge run")
        verbose_name_plural = _("purge runs")

    def __str__(self) -> str:
        return f"purge run #{self.pk}"


class ErasureReason(models.TextChoices):
    """The grounds for an erasure (GDPR Art. 17(1), LGPD Art. 16 and 18), as a receipt records them."""

    SUBJECT_REQUEST = "subject_request", _("The person asked for it (GDPR Art. 17(1); LGPD Art. 18 VI)")
    CONSENT_WITHDRAWN = (
        "consent_withdrawn",
        _("Consent was withdrawn and nothing else allows keeping the data (GDPR Art. 17(1)(b); LGPD Art. 18 VI)"),
    )
    OBJECTION = "objection", _("The person objected to the processing (GDPR Art. 17(1)(c); LGPD Art. 18 §2)")
    UNLAWFUL = "unlawful", _("The data was processed unlawfully (GDPR Art. 17(1)(d); LGPD Art. 18 IV)")
    LEGAL_OBLIGATION = "legal_obligation", _("A legal obligation requires the erasure (GDPR Art. 17(1)(e))")
    RETENTION_EXPIRED = (
        "retention_expired",
        _("Nothing of the person is kept any more: their retention periods ran out (LGPD Art. 16)"),
    )
    RESTORED = "restored", _("Erased before; a restored backup brought the data back")


class ErasureReceipt(models.Model):
    """Evidence that a subject's data was erased, without saying whose: counts per category, when, who, why, and
    the recipients to inform (GDPR Art. 19, LGPD Art. 18 §6)."""

    id = models.UUIDField(_("receipt number"), primary_key=True, default=uuid.uuid4, editable=False)
    erased_at = models.DateTimeField(_("erased at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("erased by")
    )
    trigger = models.CharField(
        _("trigger"), max_length=32, help_text=_("request, staff, purge, or reapplied after a restore")
    )
    # Why, as one of the legal grounds (never typed prose: a receipt outlives the subject, and a sentence could
    # name them), and where it was asked (a request or ticket number: ``consent.references``).
    reason = models.CharField(_("legal ground"), max_length=32, choices=ErasureReason.choices)
    reference = models.CharField(_("reference"), max_length=40, blank=True)
    counts = models.JSONField(_("rows erased"), default=dict)
    kept = models.JSONField(
        _("kept"), default=dict, help_text=_("Rows kept without identifiers, per category, and why.")
    )
    recipients = models.JSONField(
        _("recipients to inform"), default=list, help_text=_("Who else holds the data and must be told (Art. 19).")
    )

    class Meta:
        ordering = ["-erased_at"]
        verbose_name = _("erasure receipt")
        verbose_name_plural = _("erasure receipts")

    def __str__(self) -> str:
        return f"erasure receipt {self.pk}"
