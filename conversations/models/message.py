from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from consent.encrypted import BYTES, JSON, Encrypted


class Direction(models.TextChoices):
    """From the customer (inbound) or to them (outbound)."""

    INBOUND = "in", _("Inbound")
    OUTBOUND = "out", _("Outbound")


class MessageType(models.TextChoices):
    """What a message carries, as the provider names it; what we cannot show is ``unsupported``."""

    TEXT = "text", _("Text")
    IMAGE = "image", _("Image")
    AUDIO = "audio", _("Audio")
    VOICE = "voice", _("Voice note")
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("Document")
    STICKER = "sticker", _("Sticker")
    LOCATION = "location", _("Location")
    CONTACTS = "contacts", _("Contacts")
    INTERACTIVE = "interactive", _("Interactive reply")
    BUTTON = "button", _("Button reply")
    REACTION = "reaction", _("Reaction")
    SYSTEM = "system", _("System message")
    TEMPLATE = "template", _("Template")
    UNSUPPORTED = "unsupported", _("Unsupported")


# Messages whose content is a file: fetched in the background, and never scanned (flagged "may contain").
MEDIA_TYPES = frozenset(
    {
        MessageType.IMAGE,
        MessageType.AUDIO,
        MessageType.VOICE,
        MessageType.VIDEO,
        MessageType.DOCUMENT,
        MessageType.STICKER,
    }
)


class MessageStatus(models.TextChoices):
    """How far a message got: received (inbound), or queued to read (outbound; ``status_may_advance``)."""

    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    READ = "read", _("Read")
    FAILED = "failed", _("Failed")


# Statuses only move forward, whatever order the provider's webhooks arrive in.
# ``failed`` can follow queued or sent, never a delivery that already happened.
_RANK = {"received": 0, "queued": 0, "sent": 1, "failed": 2, "delivered": 3, "read": 4}


def status_may_advance(current: str, new: str) -> bool:
    if current == MessageStatus.FAILED:
        return False
    return _RANK[new] > _RANK[current]


class Message(models.Model):
    conversation = models.ForeignKey("conversations.Conversation", on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    type = models.CharField(max_length=16, choices=MessageType.choices, default=MessageType.TEXT)
    # Text and structured content (caption, location, contacts, reply payload …) as encrypted JSON.
    content_enc = models.BinaryField(null=True, blank=True)
    content = Encrypted(
        "content_enc", label="conversations.message", subject=lambda message: message.conversation.subject, codec=JSON
    )
    provider = models.CharField(max_length=16)
    provider_message_id = models.CharField(max_length=128, null=True, blank=True)
    reply_to_provider_id = models.CharField(max_length=128, blank=True)
    status = models.CharField(max_length=16, choices=MessageStatus.choices)
    error_code = models.CharField(max_length=16, blank=True)
    error_title = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template_name = models.CharField(max_length=100, blank=True)
    template_language = models.CharField(max_length=16, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    provider_timestamp = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The sensitive-data guard (conversations.services.sensitive): [{"category", "type", "start", "end"}] into the
    # text, never the value itself. Masked types show only their last four characters to agents.
    findings = models.JSONField(default=list, blank=True)
    special_category = models.BooleanField(
        _("special-category data"), default=False, help_text=_("Art. 9 GDPR / Art. 11 LGPD data detected.")
    )
    may_contain_special = models.BooleanField(
        _("may contain special-category data"), default=False, help_text=_("Media: not scanned, may hold such data.")
    )
    redacted = models.BooleanField(
        _("redacted"), default=False, help_text=_("Only the masked form was stored (team policy).")
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            # A provider delivering the same message twice stores it once.
            models.UniqueConstraint(fields=["provider", "provider_message_id"], name="message_unique_provider_id")
        ]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self) -> str:
        return f"message #{self.pk} ({self.direction} {self.type})"


class AttachmentStatus(models.TextChoices):
    """Whether a message's file was fetched from the provider and stored."""

    PENDING = "pending", _("Pending download")
    STORED = "stored", _("Stored")
    FAILED = "failed", _("Download failed")


class Attachment(models.Model):
    """Media of a message: fetched from the provider in the background, stored encrypted."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    provider_media_id = models.CharField(max_length=128, blank=True)
    mime_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    file = models.FileField(upload_to="attachments/", blank=True)  # ciphertext under the subject's key:
    data = Encrypted(
        None, label="conversations.attachment", subject=lambda attachment: attachment.message.conversation.subject,
        codec=BYTES,
    )  # fmt: skip
    status = models.CharField(max_length=16, choices=AttachmentStatus.choices, default=AttachmentStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"attachment #{self.pk}"


class EarlyStatus(models.Model):
    """A status webhook that arrived before we stored the provider's id for the message (a race on send).

    Applied, then deleted, as soon as the send completes. No name or text, but a WhatsApp message id
    encodes the recipient's number: rows no send ever claims (another system on the same number) are
    purged after a day (``manage.py purge_early_statuses``). Until then they belong to the subject with
    that number: ``recipient_index`` is the blind index of the recipient's contact value (what the
    subject's ``ContactPoint.value_index`` holds), so an erasure or an export finds them although no
    stored message carries their id yet, or ever will. Never the number itself.
    """

    provider = models.CharField(max_length=16)
    provider_message_id = models.CharField(max_length=128, db_index=True)
    recipient_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    status = models.CharField(max_length=16)
    timestamp = models.DateTimeField()
    error_code = models.CharField(max_length=16, blank=True)
    error_title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("early delivery status")
        verbose_name_plural = _("early delivery statuses")
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_message_id", "status"], name="early_status_once")
        ]

    def __str__(self) -> str:
        return f"early status {self.status}"
