"""``GET /healthz``: can we reach the database and the channel layer right now?"""

import asyncio
import secrets
from contextlib import suppress

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse

CHECK_TIMEOUT = 3.0


def _database_answers() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


async def _channel_layer_answers() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    channel = await layer.new_channel("healthz.")
    nonce = secrets.token_hex(8)
    try:
        await layer.send(channel, {"type": "healthz.ping", "nonce": nonce})
        message = await layer.receive(channel)
        return message.get("nonce") == nonce
    finally:
        # A cancelled receive is how the pub/sub layer unsubscribes a channel.
        with suppress(TimeoutError):
            await asyncio.wait_for(layer.receive(channel), 0.01)


async def _check(coro) -> bool:
    try:
        return bool(await asyncio.wait_for(coro, CHECK_TIMEOUT))
    except Exception:  # noqa: BLE001 — any failure means "not answering"
        return False


async def healthz(request: HttpRequest) -> JsonResponse:
    database, layer = await asyncio.gather(
        _check(sync_to_async(_database_answers)()),
        _check(_channel_layer_answers()),
    )
    healthy = database and layer
    return JsonResponse(
        {
            "status": "ok" if healthy else "unavailable",
            "database": "ok" if database else "unavailable",
            "channel_layer": "ok" if layer else "unavailable",
        },
        status=200 if healthy else 503,
    )
