"""The WhatsApp webhook's POST as a lean ASGI endpoint, in front of Django's request machinery.

Why: under ASGI, Django runs each classic middleware's hooks through a thread hop, and
sets up a fresh thread context per request; for a machine-to-machine endpoint that needs
no session, CSRF, locale or auth (it is authenticated by the HMAC over its body), that
machinery cost more than the ingest itself (measured in bench/ingest.py). This app reads
the body with the same limit, then runs exactly the code the Django view runs
(``conversations.webhooks.whatsapp_post``): same checks, same transaction, same answers.
GET (Meta's verification handshake) and every other path go to Django unchanged.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from conversations.providers.whatsapp.signature import HEADER
from conversations.webhooks import body_size_refusal, declared_size_refusal, whatsapp_post

PATH = "/webhooks/whatsapp/"
Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


async def _answer(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


class WhatsAppWebhookApp:
    def __init__(self, fallback: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.fallback(scope, receive, send)
            return
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        if refusal := declared_size_refusal(headers.get("content-length")):
            await _answer(send, *refusal)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if refusal := body_size_refusal(size):
                await _answer(send, *refusal)
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        status, text = await whatsapp_post(body=b"".join(chunks), signature=headers.get(HEADER.lower()))
        await _answer(send, status, text)
