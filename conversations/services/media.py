"""Inbound media: download from the provider, store encrypted under the subject's key.

Invariants:
- The file on disk is ciphertext under the subject's data key (crypto-shredding
  covers attachments as it covers message text); the plaintext exists only in
  memory during download and in ``attachment_read``'s return value.
- The provider's download (``providers.whatsapp.media``) verifies what it fetched:
  a sha256 that does not match fails the attachment, we never store what the
  provider did not vouch for.
- Transient failures (5xx, 429, timeouts, connection errors) are retried a
  bounded number of times with exponential backoff; after the last attempt, or
  on a permanent error (4xx, mismatch, too large), the attachment is ``failed``.
- No network I/O inside a database transaction; the final write is one transaction.
- Logs carry attachment ids and error classes only.
"""

import hashlib
import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task

from consent.exceptions import KeyDestroyed
from conversations.models import Attachment, AttachmentStatus, Conversation
from conversations.providers.base import PermanentMediaError, RetryableMediaError
from conversations.providers.whatsapp.media import media_download
from conversations.services.realtime import event_record

logger = logging.getLogger(__name__)

# WhatsApp's own ceiling is 100 MB (documents); anything larger is not media WhatsApp sent us.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


def _attempt_count() -> int:
    return max(1, getattr(settings, "ATTACHMENT_FETCH_MAX_ATTEMPTS", settings.OUTBOUND_MAX_ATTEMPTS))


def attachment_fetch(*, attachment_id: int, sleep: Callable[[float], None] = time.sleep) -> str:
    """Download, verify, encrypt and store one attachment; returns its final status."""
    attachment = Attachment.objects.select_related("message__conversation__subject").get(pk=attachment_id)
    if attachment.status == AttachmentStatus.STORED:
        return attachment.status
    attempts = _attempt_count()
    max_bytes = getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES)
    delay = settings.OUTBOUND_BACKOFF_SECONDS
    reason = ""
    for attempt in range(1, attempts + 1):
        attachment.attempts += 1
        try:
            data, mime_type = media_download(attachment.provider_media_id, max_bytes=max_bytes)
        except PermanentMediaError as exc:
            reason = str(exc)
            break
        except RetryableMediaError as exc:
            reason = str(exc)
            logger.warning("attachment %s: download failed (attempt %s/%s): %s", attachment_id, attempt, attempts, exc)
            if attempt < attempts:
                sleep(min(delay * 2 ** (attempt - 1), settings.OUTBOUND_BACKOFF_MAX_SECONDS))
            continue
        try:
            return _store(attachment, data=data, mime_type=mime_type)
        except KeyDestroyed:
            reason = "subject erased meanwhile"
            break
    logger.warning("attachment %s: failed after %s attempt(s): %s", attachment_id, attachment.attempts, reason)
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().select_related("message__conversation").get(pk=attachment_id)
        if locked.status == AttachmentStatus.STORED:
            return locked.status  # another worker got it meanwhile
        locked.status, locked.attempts = AttachmentStatus.FAILED, attachment.attempts
        locked.save(update_fields=["status", "attempts"])
        event_record(
            kind="attachment.failed",
            conversation=locked.message.conversation,
            message=locked.message,
            data={"attachment_id": locked.pk},
        )
    return AttachmentStatus.FAILED


def _store(attachment: Attachment, *, data: bytes, mime_type: str) -> str:
    ciphertext = Attachment.data.encrypt(attachment, data)
    # A random name: the path says nothing about the subject or the content.
    name = default_storage.save(f"attachments/{uuid.uuid4().hex}.bin", ContentFile(ciphertext))
    try:
        with transaction.atomic():
            locked = (
                Attachment.objects.select_for_update().select_related("message__conversation").get(pk=attachment.pk)
            )
            if locked.status == AttachmentStatus.STORED:
                default_storage.delete(name)  # another worker stored it first
                return locked.status
            locked.file.name = name
            locked.size = len(data)
            locked.sha256 = hashlib.sha256(data).hexdigest()
            locked.mime_type = (locked.mime_type or mime_type)[:100]
            locked.status = AttachmentStatus.STORED
            locked.attempts = attachment.attempts
            locked.save(update_fields=["file", "size", "sha256", "mime_type", "status", "attempts"])
            event_record(
                kind="attachment.stored",
                conversation=locked.message.conversation,
                message=locked.message,
                data={"attachment_id": locked.pk, "mime_type": locked.mime_type, "size": locked.size},
            )
    except BaseException:
        default_storage.delete(name)  # no orphaned ciphertext when the row could not be written
        raise
    return AttachmentStatus.STORED


def attachment_get(*, conversation: Conversation, attachment_id: int) -> Attachment | None:
    """A stored attachment of a message in ``conversation`` (one the caller already may see), with that
    conversation attached (its subject's key already unwrapped); None for another conversation's, or one not
    stored (yet, or ever)."""
    attachment = (
        Attachment.objects.filter(pk=attachment_id, message__conversation=conversation, status=AttachmentStatus.STORED)
        .select_related("message")
        .first()
    )
    if attachment is not None:
        attachment.message.conversation = conversation
    return attachment


def attachment_read(*, attachment: Attachment) -> bytes:
    """The plaintext bytes of a stored attachment. Raises ``KeyDestroyed`` once the subject is erased."""
    if attachment.status != AttachmentStatus.STORED or not attachment.file:
        raise ValueError(f"attachment {attachment.pk} is not stored")
    with default_storage.open(attachment.file.name, "rb") as handle:
        ciphertext = handle.read()
    return Attachment.data.decrypt(attachment, ciphertext)


@task()
def fetch_attachment(*, attachment_id: int) -> str:
    """The background download (Django's Tasks), queued once the message is committed."""
    return attachment_fetch(attachment_id=attachment_id)
