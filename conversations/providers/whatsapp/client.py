"""Outbound WhatsApp: ``POST {WHATSAPP_API_BASE}/{phone_number_id}/messages`` on the Cloud API.

``WhatsAppSender.upload_media`` puts a file an agent sends on Meta's servers first
(``POST /{phone_number_id}/media``, multipart: ``messaging_product``, ``type``, ``file``)
and returns its media id; an image or document message then names that id.
``WhatsAppSender.send`` returns the provider's message id (``wamid``) or
raises (``upload_media`` the same): ``RetryableSendError`` for what may succeed later (5xx, 429, Meta's
throttling codes, timeouts, connection errors; ``Retry-After`` honoured),
``PermanentSendError`` for a refusal (window closed, undeliverable, invalid
parameter, bad token). Errors carry Graph error codes, never the recipient.
"""

import email.utils
import time
from typing import Any, NoReturn

import httpx
from django.conf import settings

from conversations.models import Message, MessageType
from conversations.providers.base import PermanentSendError, RetryableSendError

# Graph error codes that mean "too much, too fast" or "temporarily unavailable": try again later.
# 1/2 API unknown/temporarily unavailable, 4 app rate limit, 80007 WABA rate limit, 130429 throughput,
# 131048 spam rate limit, 131056 pair rate limit.
RETRYABLE_CODES = frozenset({1, 2, 4, 80007, 130429, 131048, 131056})


def retry_after_parse(value: str | None) -> float | None:
    """``Retry-After`` as seconds or an HTTP date; ``None`` when absent or unreadable."""
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def recipient_for(message: Message) -> str:
    """The wa_id (E.164 digits without '+') of the conversation's WhatsApp contact point."""
    conversation = message.conversation
    contact = conversation.contact_point
    if contact is None or contact.kind != "whatsapp":
        contact = conversation.subject.contact_points.filter(kind="whatsapp").order_by("pk").first()
    if contact is None:
        raise PermanentSendError(f"message {message.pk}: the subject has no WhatsApp contact point", code="no_contact")
    contact.subject = conversation.subject  # reuse the instance whose data key is already unwrapped
    return contact.value.lstrip("+")


def message_payload(message: Message, *, to: str) -> dict[str, Any]:
    content = message.content
    payload: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
    if message.type == MessageType.TEMPLATE:
        template = content.get("template") or {}
        values = [str(p) for p in template.get("parameters", [])]
        if template.get("button") == "copy_code":
            # An authentication template: the stored copy holds the code masked; the code itself is only in
            # memory, on the instance ``message_send_code`` hands over. Without it nothing goes (never the mask).
            code = getattr(message, "one_time_code", "")
            if not code:
                raise PermanentSendError(f"message {message.pk}: its one-time code is not kept", code="code_not_kept")
            values = [code]
        parameters = [{"type": "text", "text": value} for value in values]
        payload["type"] = "template"
        payload["template"] = {
            "name": template.get("name", message.template_name),
            "language": {"code": template.get("language", message.template_language)},
        }
        if parameters:
            payload["template"]["components"] = [{"type": "body", "parameters": parameters}]
        if template.get("button") == "copy_code":
            # Meta creates the copy-code button as a URL button: it is sent as one, with the code as its text.
            payload["template"]["components"].append(
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": code}]}
            )
    elif message.type in (MessageType.IMAGE, MessageType.DOCUMENT):
        payload["type"] = message.type
        payload[message.type] = media_section(message)
    else:
        payload["type"] = "text"
        payload["text"] = {"body": content.get("text", ""), "preview_url": False}
    if message.reply_to_provider_id:
        payload["context"] = {"message_id": message.reply_to_provider_id}
    return payload


def media_section(message: Message) -> dict[str, str]:
    """``{"id", "caption", "filename"}`` of an image or document message whose file was uploaded (its media id
    on the attachment); the filename only for documents (WhatsApp shows it; images have none)."""
    content = message.content
    attachment = message.attachments.exclude(provider_media_id="").order_by("pk").first()
    if attachment is None:
        raise PermanentSendError(f"message {message.pk}: its file was not uploaded", code="not_uploaded")
    section = {"id": attachment.provider_media_id}
    if content.get("text"):
        section["caption"] = content["text"]
    filename = (content.get("media") or {}).get("filename", "")
    if message.type == MessageType.DOCUMENT and filename:
        section["filename"] = filename
    return section


def _graph_error(response: httpx.Response) -> tuple[int | None, str]:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        return None, ""
    code = error.get("code")
    return (int(code) if isinstance(code, int | str) and str(code).isdigit() else None), str(error.get("message", ""))


class WhatsAppSender:
    """Sends one message through the Cloud API. Referenced by ``settings.CONVERSATION_SENDERS``."""

    def __init__(self, *, transport: httpx.BaseTransport | None = None) -> None:
        self.base = settings.WHATSAPP_API_BASE.rstrip("/")
        self.phone_number_id = settings.WHATSAPP_PHONE_NUMBER_ID
        self.token = settings.WHATSAPP_ACCESS_TOKEN
        self.timeout = settings.WHATSAPP_TIMEOUT_SECONDS
        self.transport = transport

    def _post(self, path: str, **request: Any) -> httpx.Response:
        url = f"{self.base}/{self.phone_number_id}/{path}"
        try:
            with httpx.Client(timeout=self.timeout, transport=self.transport) as client:
                return client.post(url, headers={"Authorization": f"Bearer {self.token}"}, **request)
        except httpx.TimeoutException as exc:
            raise RetryableSendError("Graph API timed out", code="timeout") from exc
        except httpx.TransportError as exc:
            raise RetryableSendError("Graph API unreachable", code="connection") from exc

    def send(self, *, message: Message) -> str:
        payload = message_payload(message, to=recipient_for(message))
        response = self._post("messages", json=payload)
        if response.is_success:
            try:
                return str(response.json()["messages"][0]["id"])
            except (ValueError, KeyError, IndexError, TypeError) as exc:
                # Accepted but unreadable: sending again could duplicate the message; fail it visibly instead.
                raise PermanentSendError("Graph API answered without a message id", code="bad_response") from exc
        _refusal(response, "Graph API refused the message")

    def upload_media(self, *, data: bytes, mime_type: str, filename: str) -> str:
        """Upload one file (multipart/form-data, as the Cloud API's media endpoint takes it); its media id."""
        response = self._post(
            "media",
            data={"messaging_product": "whatsapp", "type": mime_type},
            files={"file": (filename, data, mime_type)},
        )
        if response.is_success:
            try:
                media_id = str(response.json()["id"] or "")
            except (ValueError, KeyError, TypeError):
                media_id = ""
            if not media_id:
                raise PermanentSendError("Graph API answered the upload without a media id", code="bad_response")
            return media_id
        _refusal(response, "Graph API refused the file")


def _refusal(response: httpx.Response, fallback: str) -> NoReturn:
    """Raise the error a Graph API refusal means: retryable (5xx, 429, throttling codes) or permanent."""
    code, title = _graph_error(response)
    shown = str(code) if code is not None else f"http_{response.status_code}"
    title = (title or response.reason_phrase or "")[:200]
    if response.status_code >= 500 or response.status_code == 429 or code in RETRYABLE_CODES:
        raise RetryableSendError(
            title or "Graph API temporarily unavailable",
            code=shown,
            retry_after=retry_after_parse(response.headers.get("Retry-After")),
        )
    raise PermanentSendError(title or fallback, code=shown)
