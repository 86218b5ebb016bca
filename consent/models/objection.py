from django.db import models
from django.utils.translation import gettext_lazy as _


class Objection(models.Model):
    """The subject objected (GDPR Art. 21; LGPD Art. 18 §2) to processing for a purpose, or (no purpose) to every
    purpose that rests on legitimate interests and to direct marketing. Outbound refuses what it covers
    (``conversations.services.outbound``), as it refuses for a restricted subject. Recorded by
    ``consent.services.subject_object``; an objection is not lifted by hand: a new consent (marketing) or the
    DPO's finding of compelling grounds is a new record, not an edit."""

    subject = models.ForeignKey(
        "consent.Subject", on_delete=models.CASCADE, related_name="objections", verbose_name=_("subject")
    )
    purpose = models.ForeignKey(
        "consent.Purpose", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("purpose")
    )
    reference = models.CharField(
        _("reference"), max_length=40, blank=True, help_text=_("The request it answers, e.g. R-7K3F-9Q2M.")
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        constraints = [models.UniqueConstraint(fields=["subject", "purpose"], name="objection_once_per_purpose")]

    def __str__(self) -> str:
        return f"objection #{self.pk}"
