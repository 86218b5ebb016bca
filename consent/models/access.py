from django.conf import settings
from django.db import models

from consent.encrypted import Encrypted


class AccessRecord(models.Model):
    """The staff access log: personal data seen beyond the default view (a revealed card number, say).

    Append-only: who, what, when and why. The reason is typed by staff and may name the customer,
    so it is stored encrypted under the subject's key; the entry itself (ids, action, time) stays
    after an erasure, as proof of who accessed what.
    """

    subject = models.ForeignKey("consent.Subject", null=True, on_delete=models.SET_NULL, related_name="access_records")
    subject_public_id = models.UUIDField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_username = models.CharField(max_length=150)
    action = models.CharField(max_length=64)
    object_ref = models.CharField(max_length=100, help_text='What was accessed, e.g. "conversations.message:42".')
    reason_enc = models.BinaryField()
    reason = Encrypted("reason_enc", label="consent.accessrecord.reason", subject=lambda record: record.subject)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"access #{self.pk} {self.action} {self.object_ref}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("access records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("access records are append-only")
