"""The consent ledger: append-only, hash-chained (DESIGN decision 2).

Invariants:
- ``ConsentEvent`` rows are inserted once and never updated or deleted. The
  model and its queryset refuse; on PostgreSQL a trigger refuses too
  (migration 0002).
- ``seq`` is gap-free and ``prev_hash`` is the ``hash`` of event ``seq - 1``;
  appends serialise on the ``LedgerHead`` row (``select_for_update``), which
  holds the tail. ``consent.ledger`` computes hashes; nothing else may.
- The canonical form hashed holds ids, codes and hashes, never plaintext
  personal data, so the chain still verifies after a subject is erased.
- ``ConsentState`` is the derived current state, written in the same
  transaction as the event that changed it: one indexed row per
  (subject, purpose) answers ``consent_state`` on the hot path.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consent.exceptions import ImmutableRecord

GENESIS_HASH = "0" * 64


class ConsentAction(models.TextChoices):
    """What a ledger event records about a subject's consent for a purpose."""

    REQUESTED = "requested", _("Requested (double opt-in started)")
    GRANTED = "granted", _("Granted")
    CONFIRMED = "confirmed", _("Confirmed (double opt-in completed)")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class ConsentChannel(models.TextChoices):
    """Where the customer said it (or who recorded it): part of the evidence."""

    WHATSAPP = "whatsapp", "WhatsApp"
    WEBCHAT = "webchat", _("Web chat")
    EMAIL = "email", _("E-mail")
    WEB = "web", _("Web form")
    API = "api", "API"
    ADMIN = "admin", _("Admin")
    SYSTEM = "system", _("System")


class ConsentStatus(models.TextChoices):
    """A subject's current consent for a purpose, derived from the ledger (``ConsentState``)."""

    NONE = "none", _("No consent")
    PENDING = "pending", _("Pending confirmation")
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")


class LedgerQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecord("the consent ledger is append-only")

    def delete(self):
        raise ImmutableRecord("the consent ledger is append-only")

    def bulk_update(self, objs, fields, batch_size=None):
        raise ImmutableRecord("the consent ledger is append-only")


class ConsentEvent(models.Model):
    seq = models.BigIntegerField(_("sequence number"), unique=True, editable=False)
    # No database constraint and no cascade: the event outlives the subject's
    # erasure, pointing at a public id that then resolves to nothing.
    subject = models.ForeignKey(
        "consent.Subject",
        to_field="public_id",
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="consent_events",
        verbose_name=_("subject"),
    )
    purpose = models.ForeignKey(
        "consent.Purpose", on_delete=models.PROTECT, related_name="consent_events", verbose_name=_("purpose")
    )
    action = models.CharField(_("action"), max_length=16, choices=ConsentAction.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=ConsentChannel.choices)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    notice = models.ForeignKey(
        "consent.PrivacyNotice", null=True, blank=True, on_delete=models.PROTECT, related_name="consent_events",
        verbose_name=_("privacy notice"),
    )  # fmt: skip
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        db_constraint=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), editable=False)
    prev_hash = models.CharField(_("previous event's hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        verbose_name = _("consent event")
        verbose_name_plural = _("ledger events")
        permissions = [
            ("verify_ledger", _("Can verify the integrity of the consent ledger")),
            ("export_consent_history", _("Can export a subject's consent history")),
        ]
        indexes = [
            models.Index(fields=["subject", "purpose", "seq"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self) -> str:
        return f"consent event #{self.seq} ({self.action})"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableRecord(f"consent event #{self.seq} is part of the append-only ledger")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecord(f"consent event #{self.seq} is part of the append-only ledger")


class LedgerHead(models.Model):
    """The chain's tail; one row, locked while appending."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("ledger head")
        verbose_name_plural = _("ledger heads")

    def __str__(self) -> str:
        return f"ledger head at #{self.last_seq}"


class ConsentState(models.Model):
    subject = models.ForeignKey(
        "consent.Subject", on_delete=models.CASCADE, related_name="consent_states", verbose_name=_("subject")
    )
    purpose = models.ForeignKey(
        "consent.Purpose", on_delete=models.CASCADE, related_name="consent_states", verbose_name=_("purpose")
    )
    status = models.CharField(_("status"), max_length=16, choices=ConsentStatus.choices, default=ConsentStatus.NONE)
    last_event = models.ForeignKey(
        ConsentEvent, on_delete=models.PROTECT, related_name="+", verbose_name=_("last event")
    )
    notice = models.ForeignKey(
        "consent.PrivacyNotice", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("privacy notice"),
    )  # fmt: skip
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("current consent")
        verbose_name_plural = _("current consents")
        constraints = [models.UniqueConstraint(fields=["subject", "purpose"], name="consentstate_one_per_purpose")]

    def __str__(self) -> str:
        return f"consent of subject #{self.subject_id} for purpose #{self.purpose_id}: {self.status}"
