from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consent.encrypted import Encrypted


class AccessRecord(models.Model):
    """The staff access log: personal data seen beyond the default view (a revealed card number, say).

    Append-only: who, what, when and why. The reason is typed by staff and may name the customer,
    so it is stored encrypted under the subject's key; the entry itself (ids, action, time) stays
    after an erasure, as proof of who accessed what.
    """

    subject = models.ForeignKey(
        "consent.Subject", null=True, on_delete=models.SET_NULL, related_name="access_records",
        verbose_name=_("subject"),
    )  # fmt: skip
    subject_public_id = models.UUIDField(_("subject's public id"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("staff member")
    )
    actor_username = models.CharField(_("staff member's username"), max_length=150)
    action = models.CharField(_("action"), max_length=64)
    object_ref = models.CharField(
        _("object accessed"), max_length=100, help_text=_('What was accessed, e.g. "conversations.message:42".')
    )
    reason_enc = models.BinaryField()
    reason = Encrypted("reason_enc", label="consent.accessrecord.reason", subject=lambda record: record.subject)
    created_at = models.DateTimeField(_("accessed at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("access record")
        verbose_name_plural = _("staff access log")

    def __str__(self) -> str:
        return f"access #{self.pk} {self.action} {self.object_ref}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("access records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("access records are append-only")
