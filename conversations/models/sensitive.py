"""The sensitive-data guard's configuration and output: the DPO's watch terms and the alerts they raise."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.encrypted import Encrypted
from sensitive.findings import CATEGORY_OF_TYPE
from sensitive.patterns import PatternError, compile_pattern


def _pattern_refusal(exc: PatternError) -> str:
    """The detector library's refusal (English, it knows no translations) in the DPO's language."""
    if exc.reason == "empty":
        return str(_("This pattern matches empty text, so it would match every message."))
    if exc.reason == "slow":
        return str(
            _("This pattern takes too long on some texts (nested repetition such as (a|aa)+ or (a+)+); simplify it.")
        )
    return _("Not a valid regular expression: %(error)s.") % {"error": exc.detail}


class Severity(models.TextChoices):
    """How urgent the DPO finds a watch term's matches."""

    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class WatchTerm(models.Model):
    """A term, pattern or detector type the DPO wants to be told about, for one team or all of them."""

    class Kind(models.TextChoices):
        """What a watch term is."""

        TERM = "term", _("Word or phrase (case and accents ignored, whole words)")
        PATTERN = "pattern", _("Regular expression")
        FINDING = "finding", _("Detector type (e.g. payment_card, iban, health)")

    class Direction(models.TextChoices):
        """Whose messages a watch term watches."""

        BOTH = "both", _("Customers and agents")
        INBOUND = "in", _("Customers' messages")
        OUTBOUND = "out", _("Agents' messages")

    team = models.ForeignKey(
        "conversations.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="watch_terms",
        verbose_name=_("team"), help_text=_("Empty: every team."),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.TERM)
    value = models.CharField(_("value"), max_length=200)
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices, default=Direction.BOTH)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("created by"))  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["team__name", "value"]
        verbose_name = _("watch term")
        verbose_name_plural = _("watch terms")

    def __str__(self) -> str:
        return f"{self.get_kind_display().split(' (')[0]}: {self.value}"

    def clean(self) -> None:
        value = self.value.strip()
        if not value:
            raise ValidationError({"value": _("A watch term needs a value.")})
        if self.kind == self.Kind.PATTERN:
            try:
                compile_pattern(value, timeout=settings.WATCH_PATTERN_TIMEOUT)
            except PatternError as exc:
                raise ValidationError({"value": _pattern_refusal(exc)}) from None
        if self.kind == self.Kind.FINDING and value not in CATEGORY_OF_TYPE:
            raise ValidationError(
                {
                    "value": _("Unknown detector type; one of: %(types)s.")
                    % {"types": ", ".join(sorted(CATEGORY_OF_TYPE))}
                }
            )


class AlertStatus(models.TextChoices):
    """Where the DPO stands with an alert (``ALERT_TRANSITIONS``)."""

    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISMISSED = "dismissed", _("Dismissed")


ALERT_TRANSITIONS: dict[str, frozenset[str]] = {
    AlertStatus.OPEN: frozenset({AlertStatus.ACKNOWLEDGED, AlertStatus.DISMISSED}),
    AlertStatus.ACKNOWLEDGED: frozenset({AlertStatus.DISMISSED}),
    AlertStatus.DISMISSED: frozenset(),
}


class SensitiveAlert(models.Model):
    """A watch term matched a message. The excerpt is masked and encrypted under the subject's key."""

    # Alerts are kept a year (their retention rule), longer than the conversation they point at may be: they
    # belong to the subject, and lose their conversation and message when those are purged.
    subject = models.ForeignKey(
        "consent.Subject", on_delete=models.CASCADE, related_name="sensitive_alerts", verbose_name=_("subject")
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, on_delete=models.SET_NULL, related_name="alerts",
        verbose_name=_("conversation"),
    )  # fmt: skip
    message = models.ForeignKey(
        "conversations.Message", null=True, on_delete=models.SET_NULL, related_name="alerts", verbose_name=_("message")
    )
    watch_term = models.ForeignKey(
        WatchTerm, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts",
        verbose_name=_("watch term"),
    )  # fmt: skip
    label = models.CharField(
        _("what matched"), max_length=200, help_text=_("What matched: the watch term, or the detector type.")
    )
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    excerpt_enc = models.BinaryField(null=True, blank=True)
    excerpt = Encrypted("excerpt_enc", label="conversations.alert.excerpt", subject=lambda alert: alert.subject)
    status = models.CharField(_("status"), max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("handled by"))  # fmt: skip
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True, db_index=True)

    history = HistoricalRecords(excluded_fields=["excerpt_enc"])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sensitive-data alert")
        verbose_name_plural = _("sensitive-data alerts")
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"alert #{self.pk} ({self.severity})"
