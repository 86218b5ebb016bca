"""Scale-out: two ASGI server processes on one PostgreSQL and Redis.

An agent connected to the first server receives, live, a message that the second one
ingested: the event crosses processes through Redis pub/sub, and the socket's replay
comes from the shared database.
"""

import asyncio
import json
import os
import socket
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from conversations.providers.whatsapp.signature import signature_for
from conversations.tests.factories import TeamFactory, TeamMembershipFactory
from devtools.fakegraph import inbound_text_value, webhook_envelope
from tests.faults import start_server

ROOT = Path(__file__).resolve().parents[1]
APP_SECRET = "scale-out-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def signed_text(wa_id: str, wamid: str, text: str) -> tuple[bytes, str]:
    value = inbound_text_value(wa_id=wa_id, name="Scale Test", text=text, phone_number_id="106540352242922",
                               message_id=wamid)  # fmt: skip
    body = json.dumps(webhook_envelope(value)).encode()
    return body, signature_for(body, secret=APP_SECRET)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agent_on_one_server_receives_a_message_ingested_by_the_other(require_postgres, client, django_user_model):
    if not os.environ.get("REDIS_URL"):
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but REDIS_URL is not set")
        pytest.skip("needs Redis: set REDIS_URL=redis://... (CI does)")
    team = TeamFactory(name="Care", is_default=True, auto_assign=False)
    agent = TeamMembershipFactory(team=team, user__username="scale-agent").user
    client.force_login(agent)  # the session row is committed: both servers read it
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value

    database = settings.DATABASES["default"]
    database_url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": settings.FIELD_ENCRYPTION_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_API_BASE": "http://127.0.0.1:9",
        "EMAIL_URL": "smtp://127.0.0.1:9",  # required with DEBUG off; nothing is mailed here
        "CHANNEL_LAYER_PREFIX": f"scale{os.getpid()}",
    }
    port_a, port_b = free_port(), free_port()
    server_a, _ = start_server(env, port=port_a)
    server_b, _ = start_server(env, port=port_b)
    try:
        received = asyncio.run(_agent_on_a_webhook_on_b(port_a, port_b, cookie))
    finally:
        for process in (server_a, server_b):
            process.terminate()
            process.wait(timeout=15)
    assert received["kind"] == "conversation.message"
    assert received["message"]["text"] == "Hello from the other server"
    assert received["conversation"]["team"] == team.pk


async def _agent_on_a_webhook_on_b(port_a: int, port_b: int, cookie: str) -> dict:
    from websockets.asyncio.client import connect

    origin = f"http://127.0.0.1:{port_a}"
    async with connect(
        f"ws://127.0.0.1:{port_a}/ws/agent/", additional_headers=[("Cookie", f"sessionid={cookie}"), ("Origin", origin)]
    ) as ws:
        await ws.send(json.dumps({"type": "resume", "last_event_id": 0}))
        await asyncio.sleep(0.5)  # the group subscriptions are in place
        body, signature = signed_text("4915123400001", "wamid.scaleout.1", "Hello from the other server")
        async with httpx.AsyncClient() as http:
            response = await http.post(
                f"http://127.0.0.1:{port_b}/webhooks/whatsapp/",
                content=body,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
            )
        assert response.status_code == 200, response.text
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=deadline - time.monotonic()))
            event = frame.get("event") or {}
            if frame.get("type") == "event" and event.get("kind") == "conversation.message":
                return event
    raise AssertionError("the agent on server A never received the message ingested by server B")
