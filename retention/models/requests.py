"""Subject requests (GDPR Arts. 12-22, LGPD Arts. 18-19): what a person asked of us, its legal clock, its course.

A request is received (self-service page, chat, e-mail, phone), its requester's identity is verified, it is
worked on and completed, or rejected with the reason and the right to complain, or withdrawn by the person.
The moves are a declared table (``TRANSITIONS``); ``retention.services.requests`` is the one place that makes
them, each recorded with who and why (simple-history).

Clocks are data (DESIGN decision 9): ``due_at`` is ``consent.deadlines.deadline`` from receipt with the
jurisdiction's ``request_answer`` (GDPR one month, LGPD 15 days); a GDPR extension (up to two more months, from
receipt) is only possible with a reason and while the customer can still be told inside the first month.

The row names its subject by key while the subject exists, and by public id after an erasure (the request that
led to the erasure stays, pseudonymous, as the proof it was answered); it holds no name, number or text.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.rights import Right

# Crockford's base32 without I, L, O, U: read aloud or typed from a phone without ambiguity.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def request_reference() -> str:
    """A reference the customer can quote ("R-7K3F-9Q2M"): random, 40 bits, not the row's id."""
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"R-{code[:4]}-{code[4:]}"


def status_key_new() -> str:
    """The status link's own secret (128 bits), kept in the request's row: without it no signature, even one
    made with a leaked ``SECRET_KEY``, names the request."""
    return secrets.token_urlsafe(16)


class RequestKind(models.TextChoices):
    ACCESS = Right.ACCESS.value, _("Access: a copy of my data")
    PORTABILITY = Right.PORTABILITY.value, _("Portability: my data in a machine-readable form")
    ERASURE = Right.ERASURE.value, _("Erasure: delete my data")
    RECTIFICATION = Right.RECTIFICATION.value, _("Rectification: correct my data")
    RESTRICTION = Right.RESTRICTION.value, _("Restriction: keep my data but stop processing it")
    OBJECTION = Right.OBJECTION.value, _("Objection: stop using my data for marketing or legitimate interests")
    WITHDRAWAL = Right.WITHDRAWAL.value, _("Withdrawal of consent")


class RequestState(models.TextChoices):
    RECEIVED = "received", _("Received")
    VERIFYING = "verifying", _("Waiting for identity verification")
    VERIFIED = "verified", _("Identity verified")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn by the customer")


OPEN_STATES = frozenset(
    {RequestState.RECEIVED, RequestState.VERIFYING, RequestState.VERIFIED, RequestState.IN_PROGRESS}
)
CLOSED_STATES = frozenset({RequestState.COMPLETED, RequestState.REJECTED, RequestState.WITHDRAWN})

# Every move a request may make; anything else is refused (``retention.services.requests``).
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestState.RECEIVED: frozenset({RequestState.VERIFYING, RequestState.VERIFIED, RequestState.REJECTED,
                                      RequestState.WITHDRAWN}),
    RequestState.VERIFYING: frozenset({RequestState.VERIFIED, RequestState.REJECTED, RequestState.WITHDRAWN}),
    RequestState.VERIFIED: frozenset({RequestState.IN_PROGRESS, RequestState.COMPLETED, RequestState.REJECTED,
                                      RequestState.WITHDRAWN}),
    RequestState.IN_PROGRESS: frozenset({RequestState.COMPLETED, RequestState.REJECTED, RequestState.WITHDRAWN}),
    RequestState.COMPLETED: frozenset(),
    RequestState.REJECTED: frozenset(),
    RequestState.WITHDRAWN: frozenset(),
}  # fmt: skip


class RequestChannel(models.TextChoices):
    SELF_SERVICE = "self_service", _("Self-service page")
    CHAT = "chat", _("Chat (the conversation is the verified channel)")
    EMAIL = "email", _("E-mail, entered by staff")
    PHONE = "phone", _("Phone, entered by staff")


class RejectionGround(models.TextChoices):
    """Why a request may be refused (GDPR Art. 12(5), 12(6), 17(3); LGPD Art. 18 §4, 19)."""

    IDENTITY_NOT_VERIFIED = "identity_not_verified", _("We could not verify that the request comes from you")
    MANIFESTLY_UNFOUNDED = "manifestly_unfounded", _("The request is manifestly unfounded")
    EXCESSIVE = "excessive", _("The request is excessive, in particular because it repeats an earlier one")
    LEGAL_OBLIGATION = "legal_obligation", _("A legal obligation requires us to keep the data")
    LEGAL_CLAIMS = "legal_claims", _("We need the data to establish, exercise or defend legal claims")
    NO_DATA = "no_data", _("We hold no data about you")


class ExtensionGround(models.TextChoices):
    """Why the answer takes longer (GDPR Art. 12(3): the complexity and number of the requests)."""

    COMPLEXITY = "complexity", _("The request is complex")
    NUMBER = "number", _("We received many requests at the same time")


class SubjectRequest(models.Model):
    reference = models.CharField(_("reference"), max_length=16, unique=True, default=request_reference, editable=False)
    kind = models.CharField(_("right exercised"), max_length=16, choices=RequestKind.choices)
    subject = models.ForeignKey(
        "consent.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="subject_requests",
        verbose_name=_("subject"),
    )  # fmt: skip
    subject_public_id = models.UUIDField(_("subject's public id"), null=True, blank=True, db_index=True, editable=False)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=8)
    channel = models.CharField(_("channel"), max_length=16, choices=RequestChannel.choices)
    state = models.CharField(_("state"), max_length=16, choices=RequestState.choices, default=RequestState.RECEIVED)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"), help_text=_("The legal deadline for the complete answer."))
    extended_until = models.DateTimeField(_("extended until"), null=True, blank=True)
    extension_ground = models.CharField(
        _("ground for the extension"), max_length=16, choices=ExtensionGround.choices, blank=True
    )
    extension_notified_at = models.DateTimeField(_("customer told of the extension at"), null=True, blank=True)
    verified_at = models.DateTimeField(_("identity verified at"), null=True, blank=True)
    simplified_reply_at = models.DateTimeField(
        _("simplified reply sent at"),
        null=True,
        blank=True,
        help_text=_("LGPD Art. 19 I: the simplified reply, sent at once after verification."),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    rejection_ground = models.CharField(
        _("ground for the rejection"), max_length=32, choices=RejectionGround.choices, blank=True
    )
    # What the request covers: purpose codes for a withdrawal or an objection (empty: all that apply).
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    # Whom we told of a rectification, erasure or restriction (GDPR Art. 19, LGPD Art. 18 §6).
    recipients_informed = models.JSONField(_("recipients informed"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("recorded by"),
    )  # fmt: skip
    # The customer's chat message the request was recorded from (channel "chat"); gone when the message is.
    source_message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    status_key = models.CharField(max_length=32, default=status_key_new, editable=False)

    history = HistoricalRecords(excluded_fields=["status_key"])

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("subject request")
        verbose_name_plural = _("subject requests")
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def deadline(self):
        """The deadline that applies now: the extended one, once extended."""
        return self.extended_until or self.due_at
