"""WhatsApp Cloud API webhook payloads → the plain dataclasses of ``conversations.providers.base``.

The parser never raises on content it does not know: an unknown message type
becomes ``unsupported``, an unknown status or change field is skipped. It
raises ``PayloadError`` only when the envelope is not a WhatsApp Business
Account notification at all (the view answers 400). Every entry, change,
message and status of a batched payload is returned, in payload order.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from conversations.providers.base import InboundMessage, MediaRef, NumberChange, StatusUpdate

PROVIDER = "whatsapp"
OBJECT = "whatsapp_business_account"
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker")
KNOWN_STATUSES = ("sent", "delivered", "read", "failed")


class PayloadError(ValueError):
    """The body is not a WhatsApp webhook notification. The message names a reason, never a value."""


@dataclass(slots=True)
class WebhookBatch:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    number_changes: list[NumberChange] = field(default_factory=list)
    error_codes: list[str] = field(default_factory=list)  # value-level errors: codes only
    skipped: int = 0  # items without the fields we need (no id, no sender, an unknown status)


def parse_webhook(payload: Any) -> WebhookBatch:
    if not isinstance(payload, dict):
        raise PayloadError("body is not a JSON object")
    if payload.get("object") != OBJECT:
        raise PayloadError("object is not whatsapp_business_account")
    entries = payload.get("entry")
    if not isinstance(entries, list):
        raise PayloadError("entry is not a list")
    batch = WebhookBatch()
    for entry in entries:
        if not isinstance(entry, dict):
            raise PayloadError("an entry is not an object")
        changes = entry.get("changes", [])
        if not isinstance(changes, list):
            raise PayloadError("changes is not a list")
        for change in changes:
            if not isinstance(change, dict):
                raise PayloadError("a change is not an object")
            if change.get("field", "messages") != "messages":
                continue  # template status, account updates …: not for the inbox
            value = change.get("value")
            if not isinstance(value, dict):
                raise PayloadError("a change value is not an object")
            _parse_value(value, batch)
    return batch


def _list_of_dicts(value: dict, key: str) -> list[dict]:
    items = value.get(key) or []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise PayloadError(f"{key} is not a list of objects")
    return items


def _parse_value(value: dict, batch: WebhookBatch) -> None:
    names: dict[str, str] = {}
    for contact in _list_of_dicts(value, "contacts"):
        profile = contact.get("profile")
        if isinstance(profile, dict) and contact.get("wa_id"):
            names[str(contact["wa_id"])] = str(profile.get("name") or "")
    for message in _list_of_dicts(value, "messages"):
        parsed = _parse_message(message, names)
        if parsed is None:
            batch.skipped += 1
        elif isinstance(parsed, NumberChange):
            batch.number_changes.append(parsed)
        else:
            batch.messages.append(parsed)
    for status in _list_of_dicts(value, "statuses"):
        update = _parse_status(status)
        if update is None:
            batch.skipped += 1
        else:
            batch.statuses.append(update)
    batch.error_codes.extend(_error_codes(value.get("errors")))


def timestamp_parse(raw: Any) -> datetime:
    """Unix seconds (string or number) → an aware UTC datetime; garbage → now (never an exception)."""
    try:
        return datetime.fromtimestamp(int(float(raw)), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return timezone.now()


def _error_codes(errors: Any) -> list[str]:
    if not isinstance(errors, list):
        return []
    return [str(error.get("code", "")) for error in errors if isinstance(error, dict)]


def _first_error(errors: Any) -> tuple[str, str]:
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        return str(errors[0].get("code", "")), str(errors[0].get("title") or errors[0].get("message") or "")
    return "", ""


def _parse_status(status: dict) -> StatusUpdate | None:
    if not status.get("id") or status.get("status") not in KNOWN_STATUSES:
        return None
    code, title = _first_error(status.get("errors"))
    return StatusUpdate(
        provider=PROVIDER,
        provider_message_id=str(status["id"]),
        status=status["status"],
        timestamp=timestamp_parse(status.get("timestamp")),
        error_code=code,
        error_title=title,
        recipient=str(status.get("recipient_id") or ""),
    )


def _section(message: dict, key: str) -> dict:
    section = message.get(key)
    return section if isinstance(section, dict) else {}


def _parse_message(message: dict, names: dict[str, str]) -> InboundMessage | NumberChange | None:
    message_id = str(message.get("id") or "")
    sender = str(message.get("from") or "")
    kind = str(message.get("type") or "")
    timestamp = timestamp_parse(message.get("timestamp"))
    if kind == "system":
        system = _section(message, "system")
        if system.get("type") == "user_changed_number":
            old = sender or str(system.get("customer") or "")
            new = str(system.get("wa_id") or system.get("new_wa_id") or "")
            if not old or not new:
                return None
            return NumberChange(
                provider=PROVIDER, provider_message_id=message_id, old_value=old, new_value=new, timestamp=timestamp
            )
    if not message_id or not sender:
        return None
    context = _section(message, "context")
    msg_type, text, content, media = _body(kind, message)
    if context.get("forwarded") or context.get("frequently_forwarded"):
        content["forwarded"] = True
    if isinstance(context.get("referred_product"), dict):
        content["referred_product"] = context["referred_product"]
    codes = _error_codes(message.get("errors"))
    if codes:
        content["error_codes"] = codes
    return InboundMessage(
        provider=PROVIDER,
        provider_message_id=message_id,
        contact_kind="whatsapp",
        sender=sender,
        timestamp=timestamp,
        type=msg_type,
        text=text,
        content=content,
        media=media,
        reply_to=str(context.get("id") or ""),
        profile_name=names.get(sender, ""),
    )


def _body(kind: str, message: dict) -> tuple[str, str, dict[str, Any], MediaRef | None]:
    """(our type, text, structured content, media) for one message."""
    section = _section(message, kind) if kind else {}
    if kind == "text":
        return "text", str(section.get("body") or ""), {}, None
    if kind in MEDIA_TYPES and section.get("id"):
        media = MediaRef(
            media_id=str(section["id"]),
            mime_type=str(section.get("mime_type") or ""),
            sha256=str(section.get("sha256") or ""),
            filename=str(section.get("filename") or ""),
        )
        content: dict[str, Any] = {"media": {"mime_type": media.mime_type}}
        if media.filename:
            content["media"]["filename"] = media.filename
        if kind == "sticker":
            content["media"]["animated"] = bool(section.get("animated"))
        our_type = "voice" if kind == "audio" and section.get("voice") else kind
        return our_type, str(section.get("caption") or ""), content, media
    if kind == "location":
        keys = ("latitude", "longitude", "name", "address", "url")
        return "location", "", {"location": {k: section[k] for k in keys if k in section}}, None
    if kind == "contacts" and isinstance(message.get("contacts"), list):
        return "contacts", "", {"contacts": message["contacts"]}, None
    if kind == "interactive":
        reply_type = str(section.get("type") or "")
        reply = _section(section, reply_type)
        keys = ("id", "title", "description")
        content = {"interactive": {"type": reply_type, **{k: reply[k] for k in keys if k in reply}}}
        return "interactive", str(reply.get("title") or ""), content, None
    if kind == "button":
        return "button", str(section.get("text") or ""), {"button": {"payload": section.get("payload", "")}}, None
    if kind == "reaction":
        reaction = {"message_id": str(section.get("message_id") or "")}
        if section.get("emoji"):
            reaction["emoji"] = str(section["emoji"])
        return "reaction", "", {"reaction": reaction}, None
    if kind == "system":
        # Other system notices (customer_identity_changed …): shown to the agent as they come.
        return "system", str(section.get("body") or ""), {"system": {"type": str(section.get("type") or "")}}, None
    original = str(section.get("type") or kind or "unknown") if kind == "unsupported" else (kind or "unknown")
    return "unsupported", "", {"unsupported": {"type": original[:40]}}, None
