"""The web-chat widget's socket (``/ws/webchat/``): customers, not users.

Protocol (JSON frames, ``type`` says which):

client → server                          server → client
``hello {visitor, token, language}``      ``welcome {visitor, token, language, notice, consented, history, rights_url}``
``consent {notice_id}``                   ``consented``
``message {client_id, text}``             ``ack {client_id, message_id}``
``typing``                                (relayed to agents as ``inbox.typing``)
``transcript``                            ``transcript {text, filename}``
``delivered {message_id}``                (status of an agent reply moves forward)
``read {message_id}``                     ``message {message}`` (agent replies, live)
                                          ``error {code[, client_id, notice]}``

Per source address (``conversations.services.webchat_limits``): a socket beyond the open ones allowed, a new
visitor or a new conversation beyond the hour's is answered with ``error`` (``too_many_connections``,
``too_many_visitors``, ``too_many_conversations``) and closed with ``CLOSE_TOO_MANY`` (4429).

Invariants:
- Limits refuse before anything is stored: at connect, at hello (before an identity is issued) and before the
  message that would open a conversation.
- Nothing is stored before the visitor ticked the consent box: the subject,
  its contact point and the ledger event are written together on ``consent``;
  a ``message`` before that is refused with ``consent_required``.
- The visitor id is trusted only with its signed token; otherwise the socket
  gets a new identity (``conversations.providers.webchat``).
- A status report is applied only to a reply sent to this visitor.
- Thin: every write is a use case in ``conversations.services.webchat``.
- Never logs message text or visitor ids.
"""

import asyncio
import contextlib
import logging
import time
from typing import Any

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.cache import cache
from django.utils import timezone

from consent.exceptions import DomainError
from consent.network import limit_address, scope_client_address
from consent.selectors import notice_current
from conversations.consumers.relay import RelayDispatchMixin
from conversations.exceptions import WebchatRefused as Refused
from conversations.models import Conversation, ConversationStatus, Direction
from conversations.providers import webchat
from conversations.services import signal_send, webchat_limits
from conversations.services import webchat as webchat_services

logger = logging.getLogger(__name__)

MESSAGES_PER_MINUTE = 20  # per visitor, across its sockets and tabs
FRAMES_PER_MINUTE = 240  # per socket, every frame type: a runaway or hostile client
TYPING_INTERVAL = 2.0  # seconds between two typing signals relayed to agents
MAX_FRAME_CHARS = 20_000
HISTORY_LIMIT = 50
CLOSE_TOO_MANY = 4429  # the socket's "429": a per-address limit, try later
# Refusals that end the socket: the widget says why and waits before it tries again.
CLOSING_REFUSALS = frozenset({"too_many_connections", "too_many_visitors", "too_many_conversations"})


# --- Database work (each runs in a worker thread) -------------------------------------------


_subject = webchat_services.visitor_subject
_jurisdiction = webchat_services.visitor_jurisdiction
_consented = webchat_services.visitor_consented


@database_sync_to_async
def _welcome(visitor: str, language: str) -> dict[str, Any]:
    subject = _subject(visitor)
    notice = notice_current(language=language, jurisdiction=_jurisdiction(subject))
    history = webchat.customer_history(subject=subject, limit=HISTORY_LIMIT) if subject is not None else []
    return {
        "notice": webchat.notice_render(notice, language=language),
        "consented": _consented(subject),
        "history": history,
    }


_consent = database_sync_to_async(webchat_services.webchat_consent)
_message = database_sync_to_async(webchat_services.webchat_receive)
_slot_take = sync_to_async(webchat_limits.socket_slot_take)
_slot_renew = sync_to_async(webchat_limits.socket_slot_renew)
_slot_release = sync_to_async(webchat_limits.socket_slot_release)
_visitor_admit = sync_to_async(webchat_limits.visitor_admit)
_status = database_sync_to_async(webchat_services.webchat_status)


@database_sync_to_async
def _typing(visitor: str) -> None:
    subject = _subject(visitor)
    if subject is None:
        return
    conversation_id = (
        Conversation.objects.filter(subject=subject, channel=webchat.PROVIDER)
        .exclude(status=ConversationStatus.RESOLVED)
        .values_list("pk", flat=True)
        .first()
    )
    if conversation_id is not None:
        signal_send(
            group=f"conversation-{conversation_id}",
            # Same shape as an agent's typing signal; ``agent: None`` says it is the customer.
            message={"type": "inbox.typing", "conversation": conversation_id, "agent": None, "username": ""},
        )


@database_sync_to_async
def _transcript(visitor: str, language: str) -> str:
    return webchat.transcript_render(subject=_subject(visitor), language=language)


# --- The consumer ------------------------------------------------------------------------------


class WebchatConsumer(RelayDispatchMixin, AsyncJsonWebsocketConsumer):
    relay_types = frozenset({"webchat.message", "webchat.typing"})

    async def connect(self) -> None:
        self.visitor: str | None = None
        self.group: str | None = None
        self.language = "en"
        self.sent_ids: set[str] = set()  # provider ids of replies this socket was handed
        self.frames: list[float] = []
        self.last_typing = 0.0
        self.address = limit_address(self._client_ip())
        self.slot = await _slot_take(address=self.address)
        self.heartbeat: asyncio.Task | None = None
        self.refused = False
        await self.accept()
        if self.slot is None:
            await self.refuse("too_many_connections")
            return
        self.heartbeat = asyncio.create_task(self._hold_slot())

    async def disconnect(self, code: int) -> None:
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.heartbeat
        if self.slot is not None:
            await _slot_release(slot=self.slot)
            self.slot = None
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def _hold_slot(self) -> None:
        """Renew the socket's slot while it is open; a socket whose slot is gone to others is closed."""
        while True:
            await asyncio.sleep(webchat_limits.SLOT_RENEW)
            self.slot = await _slot_renew(slot=self.slot, address=self.address)
            if self.slot is None:
                await self.refuse("too_many_connections")
                return

    async def refuse(self, code: str, **extra: Any) -> None:
        """A per-address limit: say which, then close the socket with 4429."""
        self.refused = True
        await self.error(code, **extra)
        await self.close(code=CLOSE_TOO_MANY)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        if self.refused:
            return  # closing with 4429: nothing more is handled
        if text_data is None or len(text_data) > MAX_FRAME_CHARS:
            await self.error("bad_frame")
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self.error("bad_frame")
            return
        await self.receive_json(content)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("bad_frame")
            return
        if not self._frame_allowed():
            await self.error("rate_limited")
            return
        kind = content["type"]
        handler = self.HANDLERS.get(kind)
        if handler is None:
            await self.error("unknown_type")
            return
        if kind != "hello" and self.visitor is None:
            await self.error("hello_required")
            return
        try:
            await handler(self, content)
        except Refused as refused:
            if refused.code in CLOSING_REFUSALS:
                await self.refuse(refused.code, **refused.extra)
            else:
                await self.error(refused.code, **refused.extra)
        except DomainError as exc:  # a rule refused (consent state, restriction, ...): answered, not a crash
            logger.warning("web chat %s refused by a service: %s", kind, getattr(exc, "code", type(exc).__name__))
            await self.error("refused", **self._client_id_of(kind, content))

    async def error(self, code: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, **extra})

    # --- client frames

    async def on_hello(self, content: dict[str, Any]) -> None:
        if self.visitor is not None:
            raise Refused("already_greeted")
        visitor, token = content.get("visitor"), content.get("token")
        if not webchat.visitor_verify(visitor=visitor, token=token):
            # Unknown, tampered with or absent: a fresh identity, never the claimed one, within the address's hour.
            if not await _visitor_admit(address=self.address):
                raise Refused("too_many_visitors")
            visitor, token = webchat.visitor_issue()
        self.language = webchat.language_from_browser(content.get("language"))
        state = await _welcome(visitor, self.language)
        self.visitor, self.group = visitor, webchat.visitor_group(visitor)
        await self.channel_layer.group_add(self.group, self.channel_name)
        self.sent_ids.update(m["id"] for m in state["history"] if m["direction"] == Direction.OUTBOUND)
        await self.send_json(
            {
                "type": "welcome",
                "visitor": visitor,
                "token": token,
                "language": self.language,
                **state,
                "rights_url": webchat.rights_url(state.get("notice")),
                "max_length": webchat.MAX_TEXT,
            }
        )

    async def on_consent(self, content: dict[str, Any]) -> None:
        notice_id = content.get("notice_id")
        if not isinstance(notice_id, int) or isinstance(notice_id, bool):
            raise Refused("bad_frame")
        await _consent(visitor=self.visitor, language=self.language, notice_id=notice_id, ip=self._client_ip())
        await self.send_json({"type": "consented"})

    async def on_message(self, content: dict[str, Any]) -> None:
        client_id = webchat.client_id_parse(content.get("client_id"))
        if client_id is None:
            raise Refused("bad_client_id")
        text = content.get("text")
        text = text.strip() if isinstance(text, str) else ""
        if not text:
            raise Refused("empty", client_id=client_id)
        if len(text) > webchat.MAX_TEXT:
            raise Refused("too_long", client_id=client_id)
        if not await self._message_allowed():
            raise Refused("rate_limited", client_id=client_id)
        try:
            message_id = await _message(
                visitor=self.visitor, language=self.language, client_id=client_id, text=text, address=self.address
            )
        except Refused as refused:
            refused.extra.setdefault("client_id", client_id)
            raise
        await self.send_json({"type": "ack", "client_id": client_id, "message_id": message_id})

    async def on_typing(self, content: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - self.last_typing < TYPING_INTERVAL:
            return
        self.last_typing = now
        await _typing(self.visitor)

    async def on_transcript(self, content: dict[str, Any]) -> None:
        text = await _transcript(self.visitor, self.language)
        filename = f"chat-transcript-{timezone.now():%Y%m%d-%H%M}.txt"
        await self.send_json({"type": "transcript", "text": text, "filename": filename})

    async def on_delivered(self, content: dict[str, Any]) -> None:
        await self._report(content, "delivered")

    async def on_read(self, content: dict[str, Any]) -> None:
        await self._report(content, "read")

    async def _report(self, content: dict[str, Any], status: str) -> None:
        message_id = content.get("message_id")
        if not isinstance(message_id, str) or not message_id.startswith("webchat.") or len(message_id) > 128:
            raise Refused("unknown_message")
        await _status(
            visitor=self.visitor, provider_message_id=message_id, status=status, trusted=message_id in self.sent_ids
        )

    HANDLERS = {
        "hello": on_hello,
        "consent": on_consent,
        "message": on_message,
        "typing": on_typing,
        "transcript": on_transcript,
        "delivered": on_delivered,
        "read": on_read,
    }

    # --- channel-layer events (WebchatSender, agents)

    async def webchat_message(self, event: dict[str, Any]) -> None:
        message = event["message"]
        if len(self.sent_ids) > 2000:
            self.sent_ids.clear()
        self.sent_ids.add(message["id"])
        await self.send_json({"type": "message", "message": message})

    async def webchat_typing(self, event: dict[str, Any]) -> None:
        """An agent is typing (sent by the agent inbox, if it chooses to)."""
        await self.send_json({"type": "agent_typing"})

    # --- helpers

    def _client_ip(self) -> str:
        return scope_client_address(self.scope)[:64]  # the visitor's, behind the proxies we trust

    @staticmethod
    def _client_id_of(kind: str, content: dict[str, Any]) -> dict[str, Any]:
        client_id = webchat.client_id_parse(content.get("client_id")) if kind == "message" else None
        return {"client_id": client_id} if client_id else {}

    def _frame_allowed(self) -> bool:
        now = time.monotonic()
        self.frames = [t for t in self.frames if now - t < 60]
        if len(self.frames) >= FRAMES_PER_MINUTE:
            return False
        self.frames.append(now)
        return True

    async def _message_allowed(self) -> bool:
        # A sliding minute, in the cache, keyed by the group (a hash, not the visitor id). Not atomic
        # across a visitor's tabs, which only lets a racing tab slip one message past: good enough here.
        key = f"webchat-rate:{self.group}"
        now = time.time()
        recent = [t for t in (await cache.aget(key)) or [] if now - t < 60]
        if len(recent) >= MESSAGES_PER_MINUTE:
            return False
        await cache.aset(key, [*recent, now], timeout=60)
        return True
