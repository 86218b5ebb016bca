from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.encrypted import Encrypted

CUSTOMER_SERVICE_WINDOW = timedelta(hours=24)


class Channel(models.TextChoices):
    """Where a conversation takes place (one provider each)."""

    WHATSAPP = "whatsapp", "WhatsApp"
    WEBCHAT = "webchat", _("Web chat")


class ConversationStatus(models.TextChoices):
    """Where a conversation stands in the agents' work (``CONVERSATION_TRANSITIONS``)."""

    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    RESOLVED = "resolved", _("Resolved")


# The only moves a conversation's status may make; ``conversation_set_status`` enforces it.
CONVERSATION_TRANSITIONS: dict[str, frozenset[str]] = {
    ConversationStatus.OPEN: frozenset({ConversationStatus.PENDING, ConversationStatus.RESOLVED}),
    ConversationStatus.PENDING: frozenset({ConversationStatus.OPEN, ConversationStatus.RESOLVED}),
    ConversationStatus.RESOLVED: frozenset({ConversationStatus.OPEN}),
}


class Conversation(models.Model):
    subject = models.ForeignKey("consent.Subject", on_delete=models.CASCADE, related_name="conversations")
    contact_point = models.ForeignKey(
        "consent.ContactPoint", null=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    team = models.ForeignKey("conversations.Team", null=True, on_delete=models.SET_NULL, related_name="conversations")
    assigned_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    status = models.CharField(max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.OPEN)
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # The newest message, for the list's preview (kept with ``last_message_at``, read with the list: no query per row).
    last_message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unread_count = models.PositiveIntegerField(default=0)
    sensitive = models.BooleanField(
        _("sensitive"), default=False, help_text=_("Holds special-category data: narrower visibility.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["last_inbound_at", "last_message_at", "last_message", "unread_count"])

    class Meta:
        ordering = ["-last_message_at"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        permissions = [("view_all_conversations", _("Can see every conversation, whatever the team"))]
        constraints = [
            # At most one conversation in progress per subject and channel: inbound messages attach to it.
            models.UniqueConstraint(
                fields=["subject", "channel"],
                condition=~models.Q(status="resolved"),
                name="one_active_conversation_per_channel",
            )
        ]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["assigned_agent", "status"]),
        ]

    def __str__(self) -> str:
        return f"conversation #{self.pk}"

    @property
    def window_closes_at(self):
        return self.last_inbound_at + CUSTOMER_SERVICE_WINDOW if self.last_inbound_at else None

    @property
    def window_open(self) -> bool:
        closes = self.window_closes_at
        return closes is not None and timezone.now() < closes


class Note(models.Model):
    """An internal note on a conversation: staff only, never sent. Encrypted under the subject's key."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body_enc = models.BinaryField()
    body = Encrypted("body_enc", label="conversations.note", subject=lambda note: note.conversation.subject)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")

    def __str__(self) -> str:
        return f"note #{self.pk}"


class PresenceStatus(models.TextChoices):
    """What an agent says about themselves in the inbox's header; auto-assignment only picks ``online``."""

    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentPresence(models.Model):
    """Which agents have the inbox open now (counted per socket) and what they set (online, away, offline).

    Auto-assignment picks an agent who is connected *and* online; supervisors see both.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence")
    connections = models.PositiveIntegerField(default=0)
    status = models.CharField(
        _("availability"), max_length=8, choices=PresenceStatus.choices, default=PresenceStatus.ONLINE
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presences")

    def __str__(self) -> str:
        return f"presence of user #{self.user_id}"


class AgentProfile(models.Model):
    """An agent's own settings for the inbox: the language it is shown in (empty: the browser's)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_profile")
    language = models.CharField(
        _("inbox language"), max_length=8, blank=True, choices=settings.LANGUAGES,
        help_text=_("Empty: the browser's language."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return f"inbox profile of user #{self.user_id}"
