"""An agent sends a file (an image or a document) over WhatsApp: checked, stored encrypted, uploaded, sent.

Invariants:
- The same rules as a free-text reply (``outbound.message_reply``): nothing goes to a customer whose processing
  is restricted, nothing outside the 24-hour window, and the caption passes the same sensitive-draft guard. An
  erased customer's key is gone, so nothing of theirs can be stored either (``KeyDestroyed``, 410).
- The file's type is read from its bytes (``conversations.file_types``), never from its name or the browser's
  Content-Type; only what WhatsApp carries, within its limits, is accepted. A refusal stores nothing.
- The file is stored as inbound media is (``services.media``): ciphertext under the subject's data key, on a
  random path, with its sha256, size and type on the ``Attachment``; the message row is created once, in the
  caller's transaction, ``queued``, and the file's ciphertext is removed again if that insert fails.
- After commit a background task uploads the file to the Cloud API, keeps the media id on the attachment (a
  later run does not upload again) and sends the message with the outbound pipeline's own send
  (``outbound.message_send_with_retries``): same retries, same "sent once or failed". A failed upload fails the
  message with the Graph API's reason.
- No network I/O inside a transaction. Logs carry ids and error codes only, never a name, caption or content.
"""

import hashlib
import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from consent.exceptions import KeyDestroyed
from conversations.exceptions import FileRefused, NotAllowed, WindowClosed
from conversations.file_types import MAX_BYTES, FileType, file_type_sniff
from conversations.models import (
    Attachment,
    AttachmentStatus,
    Channel,
    Conversation,
    Direction,
    Message,
    MessageStatus,
    Severity,
)
from conversations.providers.base import PermanentSendError, RetryableSendError
from conversations.search import messages_index
from conversations.services.conversation import conversation_locked, conversation_take_on_reply
from conversations.services.media import attachment_read
from conversations.services.outbound import ensure_not_restricted, message_mark, message_send_with_retries, sender_for
from conversations.services.realtime import event_record
from conversations.services.sensitive import (
    alert_raise,
    draft_guard,
    message_apply_scan,
    message_scan,
    sensitive_after_store,
)

logger = logging.getLogger(__name__)

CAPTION_MAX = 1024  # WhatsApp's limit for a media caption
_FILENAME_MAX = 200
_UNSAFE_IN_NAME = re.compile(r"[\x00-\x1f\x7f\"\\/:*?<>|]+")
_SAME_EXTENSIONS = {"jpg": ("jpg", "jpeg"), "txt": ("txt", "text")}


def _file_bytes(file: bytes | UploadedFile) -> bytes:
    """The file's bytes, refusing an empty or oversized one before reading it."""
    size = len(file) if isinstance(file, bytes) else file.size
    if not size:
        raise FileRefused("the file is empty", code="file_empty")
    if size > MAX_BYTES:
        raise FileRefused(f"a file is at most {MAX_BYTES // 1024 // 1024} MB", code="file_too_large", http_status=413)
    if isinstance(file, bytes):
        return file
    file.seek(0)
    return b"".join(file.chunks())


def file_check(*, data: bytes) -> FileType:
    """The WhatsApp type of ``data`` (sniffed from its bytes), or ``FileRefused``."""
    if not data:
        raise FileRefused("the file is empty", code="file_empty")
    kind = file_type_sniff(data)
    if kind is None:
        raise FileRefused(
            "WhatsApp carries JPEG and PNG images and PDF, text and Microsoft Office documents only",
            code="file_type_not_allowed",
            http_status=415,
        )
    if len(data) > kind.max_bytes:
        raise FileRefused(
            f"a file of type {kind.mime_type} is at most {kind.limit_label}", code="file_too_large", http_status=413
        )
    return kind


def filename_clean(filename: str, kind: FileType) -> str:
    """The name the customer sees: no path, no control or reserved characters, and an extension that says what
    the file really is (``invoice.exe`` holding a PDF is sent as ``invoice.exe.pdf``)."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = _UNSAFE_IN_NAME.sub("_", name).strip(" ._")
    extensions = _SAME_EXTENSIONS.get(kind.extension, (kind.extension,))
    stem, dot, extension = name.rpartition(".")
    if not (dot and stem and extension.lower() in extensions):
        name = f"{name or 'file'}.{kind.extension}"
    if len(name) > _FILENAME_MAX:
        stem, _, extension = name.rpartition(".")
        name = f"{stem[: _FILENAME_MAX - len(extension) - 1]}.{extension}"
    return name


def _ciphertext_save(attachment: Attachment, data: bytes) -> str:
    ciphertext = Attachment.data.encrypt(attachment, data)
    # A random name: the path says nothing about the subject or the content.
    return default_storage.save(f"attachments/{uuid.uuid4().hex}.bin", ContentFile(ciphertext))


@transaction.atomic
def message_send_media(
    *,
    conversation: Conversation,
    actor: AbstractBaseUser,
    file: bytes | UploadedFile,
    filename: str,
    caption: str = "",
    confirm_sensitive: bool = False,
) -> Message:
    """An agent's image or document to a WhatsApp customer, with an optional caption; queued, sent by the task.

    Refuses with ``FileRefused`` (``file_empty``, ``file_too_large``, ``file_type_not_allowed``,
    ``caption_too_long``), ``NotAllowed`` (``channel_not_supported``: web chat), ``ProcessingRestricted``,
    ``WindowClosed``, ``SensitiveDraft`` (a caption asking for card numbers and the like, until confirmed)."""
    caption = (caption or "").strip()
    if len(caption) > CAPTION_MAX:
        raise FileRefused(f"a caption is at most {CAPTION_MAX} characters", code="caption_too_long")
    data = _file_bytes(file)
    kind = file_check(data=data)
    name = filename_clean(filename, kind)
    conversation = conversation_locked(conversation)
    ensure_not_restricted(conversation)
    if conversation.channel != Channel.WHATSAPP:
        raise NotAllowed(
            f"conversation {conversation.pk}: files are sent over WhatsApp only", code="channel_not_supported"
        )
    if not conversation.window_open:
        raise WindowClosed(
            f"conversation {conversation.pk}: the 24-hour window is closed; send an approved template instead"
        )
    asked = draft_guard(text=caption, language=conversation.subject.language, confirmed=confirm_sensitive)
    conversation = conversation_take_on_reply(conversation=conversation, actor=actor, reason="answered with a file")

    outcome = message_scan(text=caption, message_type=kind.message_type, direction="out", team=conversation.team)
    message = Message(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        type=kind.message_type,
        provider=conversation.channel,
        status=MessageStatus.QUEUED,
        author=actor if actor.is_authenticated else None,
    )
    content: dict = {"media": {"mime_type": kind.mime_type, "filename": name}}
    if caption:
        content["text"] = caption
    message.content = content  # encrypted under the subject's key
    message_apply_scan(message, outcome)
    attachment = Attachment(
        message=message,
        mime_type=kind.mime_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        status=AttachmentStatus.STORED,
    )
    stored_as = _ciphertext_save(attachment, data)
    try:
        message.save(force_insert=True)
        attachment.message = message
        attachment.file.name = stored_as
        attachment.save(force_insert=True)
        messages_index(messages=[message])  # the caption's words, as a text reply's
        conversation.last_message_at, conversation.last_message = timezone.now(), message
        Conversation.objects.filter(pk=conversation.pk).update(  # no history
            last_message_at=conversation.last_message_at, last_message=message
        )
        sensitive_after_store(message=message, conversation=conversation, outcome=outcome)
        if asked:
            alert_raise(
                conversation=conversation, message=message, text=caption, findings=message.findings, start=0,
                end=min(len(caption), 80), label=f"agent asked for: {', '.join(asked)}", severity=Severity.MEDIUM,
            )  # fmt: skip
        event_record(kind="conversation.message", conversation=conversation, message=message)
    except BaseException:
        default_storage.delete(stored_as)  # this transaction rolls back: no ciphertext without its row
        raise
    logger.info("message %s: file of type %s queued (%s bytes)", message.pk, kind.mime_type, len(data))
    transaction.on_commit(lambda: deliver_media_message.enqueue(message_id=message.pk), robust=True)
    return message


def _media_id_keep(attachment: Attachment, media_id: str) -> bool:
    """Keep the upload's media id on the attachment; False if the message left ``queued`` meanwhile."""
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().select_related("message").get(pk=attachment.pk)
        if locked.message.status != MessageStatus.QUEUED:
            return False
        locked.provider_media_id = media_id[:128]
        locked.save(update_fields=["provider_media_id"])
    attachment.provider_media_id = locked.provider_media_id
    return True


def _upload(message: Message, attachment: Attachment, *, sleep: Callable[[float], object]) -> bool:
    """Upload the file, retrying what may work later as a send is retried; False when the message failed."""
    try:
        data = attachment_read(attachment=attachment)
    except (KeyDestroyed, OSError, ValueError) as exc:  # erased meanwhile, or the file gone from storage
        logger.warning("message %s: its file cannot be read (%s)", message.pk, type(exc).__name__)
        message_mark(
            message, status=MessageStatus.FAILED, code="file_unreadable", title="the stored file cannot be read"
        )
        return False
    filename = (message.content.get("media") or {}).get("filename", "") or f"file-{attachment.pk}"
    sender = sender_for(message.provider)
    attempts, delay = settings.OUTBOUND_MAX_ATTEMPTS, settings.OUTBOUND_BACKOFF_SECONDS
    last: RetryableSendError | None = None
    for attempt in range(1, attempts + 1):
        message.attempts = attempt
        try:
            media_id = sender.upload_media(data=data, mime_type=attachment.mime_type, filename=filename)
        except PermanentSendError as exc:
            message_mark(
                message, status=MessageStatus.FAILED, code=exc.code, title=f"upload of the file refused: {exc}"
            )
            return False
        except RetryableSendError as exc:
            last = exc
            logger.warning(
                "upload for message %s failed (attempt %s/%s, code %s)", message.pk, attempt, attempts, exc.code
            )
            if attempt < attempts:
                sleep(min(exc.retry_after or delay * 2 ** (attempt - 1), settings.OUTBOUND_BACKOFF_MAX_SECONDS))
            continue
        return _media_id_keep(attachment, media_id)
    message_mark(
        message, status=MessageStatus.FAILED, code=last.code if last else "",
        title=f"upload of the file failed after {attempts} attempts: {last}" if last else "upload of the file failed",
    )  # fmt: skip
    return False


def message_media_deliver(*, message_id: int, sleep: Callable[[float], object] = time.sleep) -> str:
    """Upload a queued file message's file (once) and send the message; its final status, ``gone`` when the
    message no longer exists (erased with its subject before a worker came to it)."""
    message = (
        Message.objects.select_related("conversation__subject", "conversation__contact_point")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        logger.info("message %s: gone before it was delivered", message_id)
        return "gone"
    if message.status != MessageStatus.QUEUED:
        return message.status
    if message.conversation.subject.restricted:
        message_mark(
            message, status=MessageStatus.FAILED, code="restricted", title="processing restricted (GDPR Art. 18)"
        )
        return MessageStatus.FAILED
    attachment = message.attachments.order_by("pk").first()
    if attachment is None or attachment.status != AttachmentStatus.STORED:
        message_mark(message, status=MessageStatus.FAILED, code="no_file", title="the message has no stored file")
        return MessageStatus.FAILED
    attachment.message = message  # the subject's key is unwrapped once
    if not attachment.provider_media_id and not _upload(message, attachment, sleep=sleep):
        message.refresh_from_db(fields=["status"])
        return message.status
    return message_send_with_retries(message, sleep=sleep)


@task()
def deliver_media_message(*, message_id: int) -> str:
    """The background upload and send (Django's Tasks), queued once the message is committed."""
    return message_media_deliver(message_id=message_id)
