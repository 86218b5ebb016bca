"""One-time codes that prove a person controls a WhatsApp number or an e-mail address (the self-service page).

Invariants:
- Nothing here is readable without the master key: the identifier is its blind index (as the contact point's),
  the requester's IP address its keyed hash, the code a keyed hash bound to the challenge. The code itself is in
  no row (``retention.services.verification``).
- Every identifier gets a challenge, known or not; only the background send links it to the contact point it
  matched (``contact_point``), and only then is a code made and sent. An unknown identifier's challenge can never
  be verified: its hash is of a random secret no one ever saw.
- A challenge is dead once verified (it proves control once), locked (``MAX_ATTEMPTS`` wrong codes) or expired.
"""

import uuid
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.models import ContactKind

CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5


class VerificationChannel(models.TextChoices):
    """Where a one-time code can go: the contact kinds that reach a person (consent.models.ContactKind)."""

    WHATSAPP = ContactKind.WHATSAPP.value, ContactKind.WHATSAPP.label
    EMAIL = ContactKind.EMAIL.value, ContactKind.EMAIL.label


class VerificationChallenge(models.Model):
    """A one-time code asked for an identifier: sent to it if we know it, refused alike if we do not."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=16, choices=VerificationChannel.choices)
    # consent.contacts.contact_index of the normalised identifier: what a contact point's value_index is.
    value_index = models.CharField(max_length=64, editable=False)
    # The contact point the identifier matched, set by the background send; none for an unknown identifier.
    contact_point = models.ForeignKey(
        "consent.ContactPoint",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="verification_challenges",
    )
    code_hash = models.CharField(max_length=64, editable=False)  # HMAC-SHA256, never the code
    language = models.CharField(max_length=8, help_text=_("The language the code's message is written in."))
    # consent.crypto.ip_hash of the requester's address (of its /64 for IPv6: consent.network.limit_address)
    ip_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When the code was made and handed to its channel (never, if unknown).")
    )
    attempts = models.PositiveSmallIntegerField(default=0, help_text=_("Wrong codes entered."))
    locked_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("verification challenge")
        verbose_name_plural = _("verification challenges")
        # The rate limits count the last hour's challenges per identifier and per address.
        indexes = [
            models.Index(fields=["value_index", "created_at"], name="challenge_identifier_recent"),
            models.Index(fields=["ip_hash", "created_at"], name="challenge_address_recent"),
        ]

    def __str__(self) -> str:
        return f"verification challenge {self.pk}"

    def is_over(self, *, now: datetime | None = None) -> bool:
        """Verified, locked or expired: no code is accepted any more."""
        now = now or timezone.now()
        return self.verified_at is not None or self.locked_at is not None or now >= self.expires_at
