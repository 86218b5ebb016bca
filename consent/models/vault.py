from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A subject's data key, wrapped by the master key.

    Kept apart from ``Subject`` on purpose: ``Subject`` has history rows, and a
    wrapped key copied into them would survive erasure. This table has no
    history; deleting the row is crypto-shredding.
    """

    subject = models.OneToOneField("consent.Subject", on_delete=models.CASCADE, related_name="data_key")
    wrapped_key = models.BinaryField()
    master_key_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self) -> str:
        return f"data key of subject #{self.subject_id}"
