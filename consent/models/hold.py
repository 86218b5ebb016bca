from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.encrypted import Encrypted


class LegalHold(models.Model):
    """A legal hold: while it stands, nothing of the subject (or of one of its conversations) is purged or erased.

    Placed by a DPO with a reason (a lawsuit, an authority's order) and, where known, an end date; the
    purge and the erasure refuse what it covers and say so. ``conversation_id`` is a plain id: ``consent`` knows
    no other app's models, and the hold outlives nothing it protects. The reason may name the customer, so it is
    encrypted under the subject's key.
    """

    subject = models.ForeignKey(
        "consent.Subject", on_delete=models.PROTECT, related_name="legal_holds", verbose_name=_("subject")
    )
    conversation_id = models.BigIntegerField(
        _("conversation id"), null=True, blank=True, help_text=_("Empty: every conversation and record of the subject.")
    )
    reason_enc = models.BinaryField(editable=False)
    reason = Encrypted("reason_enc", label="consent.legalhold.reason", subject=lambda hold: hold.subject)
    until = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: until a DPO releases it."))
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("placed by")
    )
    placed_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("released by"),
    )  # fmt: skip
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["reason_enc"])

    class Meta:
        ordering = ["-placed_at", "-id"]
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        indexes = [models.Index(fields=["subject", "released_at"])]

    def __str__(self) -> str:
        return f"legal hold #{self.pk}"
