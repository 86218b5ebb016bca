from collections.abc import Collection

from django.db import models
from django.utils.translation import gettext_lazy as _

from consent import crypto


class DataKey(models.Model):
    """A subject's data key, wrapped by the master key.

    Kept apart from ``Subject`` on purpose: ``Subject`` has history rows, and a
    wrapped key copied into them would survive erasure. This table has no
    history; deleting the row is crypto-shredding.
    """

    subject = models.OneToOneField("consent.Subject", on_delete=models.CASCADE, related_name="data_key")
    wrapped_key = models.BinaryField()
    master_key_id = models.CharField(max_length=16, db_index=True)  # which master key wraps it (rotation)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self) -> str:
        return f"data key of subject #{self.subject_id}"


class HashKey(models.Model):
    """A keyed-hash key (blind indexes, search tokens, evidence and address hashes), wrapped by the master key.

    Pinned here by ``rotate_master_key`` so these keys outlive the master key they were first derived from: a
    rotation re-wraps them like data keys, and every blind index, search token and ledger hash stored before it
    still matches after it (``consent.crypto``, "Rotation")."""

    purpose = models.CharField(max_length=32, unique=True)
    wrapped_key = models.BinaryField()
    master_key_id = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("keyed-hash key")
        verbose_name_plural = _("keyed-hash keys")

    def __str__(self) -> str:
        return f"keyed-hash key {self.purpose}"


def stored_hash_keys(configured_ids: Collection[str]) -> tuple[list[tuple[str, bytes, str]], bool]:
    """For ``consent.crypto``: the pinned keyed-hash keys, and whether (none being pinned yet) data keys exist under a
    master key not among ``configured_ids``."""
    rows = [(p, bytes(w), k) for p, w, k in HashKey.objects.values_list("purpose", "wrapped_key", "master_key_id")]
    unknown = not rows and DataKey.objects.exclude(master_key_id__in=list(configured_ids)).exists()
    return rows, unknown


crypto.register_hash_key_reader(stored_hash_keys)
