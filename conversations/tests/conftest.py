"""Fixtures for the conversations tests: the WhatsApp channel's settings, a running fake Graph API, signed webhook
posts; the teams (Support, the default, and Sales) and the agents in them."""

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from conversations.models import Conversation
from conversations.providers.base import InboundMessage, MediaRef
from conversations.providers.whatsapp.signature import HEADER, signature_for
from conversations.tests.factories import TeamFactory, TeamMembershipFactory
from devtools.fakegraph import FakeGraphAPI

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "whatsapp"  # recorded payloads, SOURCES.md says whence
WEBHOOK_URL = "/webhooks/whatsapp/"
APP_SECRET = "test-app-secret"
ACCESS_TOKEN = "test-access-token"
VERIFY_TOKEN = "test-verify-token"
PHONE_NUMBER_ID = "106540352242922"
WA_ID = "4915123456789"  # the customer of the outbound tests
TIMEOUT = 3  # seconds a socket test waits for a frame


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES_DIR / name).read_text())


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return signature_for(body, secret=secret)


@pytest.fixture
def whatsapp_settings(settings, tmp_path: Path):
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_ACCESS_TOKEN = ACCESS_TOKEN
    settings.WHATSAPP_VERIFY_TOKEN = VERIFY_TOKEN
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_TIMEOUT_SECONDS = 5.0
    # Nothing in these tests may reach Meta: unless a test starts the fake, sends go to a closed port.
    settings.WHATSAPP_API_BASE = "http://127.0.0.1:9"
    settings.OUTBOUND_BACKOFF_SECONDS = 0.001
    settings.OUTBOUND_BACKOFF_MAX_SECONDS = 0.05
    settings.OUTBOUND_MAX_ATTEMPTS = 3
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return settings


@pytest.fixture
def fake_graph(whatsapp_settings) -> Iterator[FakeGraphAPI]:
    """A running fake Graph API on a free loopback port; the app's settings point at it. No status webhooks."""
    fake = FakeGraphAPI(access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID, auto_statuses=()).start()
    whatsapp_settings.WHATSAPP_API_BASE = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def default_team(db):
    """Support: where a new customer's conversation lands; nobody is assigned automatically, tests choose."""
    return TeamFactory(name="Support", is_default=True, auto_assign=False)


@pytest.fixture
def teams(default_team):
    """Support (the default team) and Sales."""
    return default_team, TeamFactory(name="Sales")


@pytest.fixture
def support(teams, agent):
    """Support, with ``agent`` (agent1) in it."""
    TeamMembershipFactory(team=teams[0], user=agent)
    return teams[0]


@pytest.fixture
def teammate(support):
    """agent2: ``agent``'s colleague in Support."""
    return TeamMembershipFactory(team=support, user__username="agent2").user


@pytest.fixture
def outsider(teams):
    """sales1: an agent in Sales only, who must not see Support's conversations."""
    return TeamMembershipFactory(team=teams[1], user__username="sales1").user


@pytest.fixture
def post_webhook(client, whatsapp_settings) -> Callable[..., Any]:
    """POST a payload (dict or raw bytes) to the webhook, signed with the app secret unless told otherwise."""

    def post(payload: dict | bytes, *, signature: str | None = "valid", **headers: str):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        if signature == "valid":
            headers[HEADER] = sign(body)
        elif signature is not None:
            headers[HEADER] = signature
        return client.post(WEBHOOK_URL, data=body, content_type="application/json", headers=headers)

    return post


def inbound_text(
    wa_id: str,
    text: str,
    *,
    message_id: str,
    name: str = "Erika",
    type: str = "text",
    media: MediaRef | None = None,
    timestamp: datetime | None = None,
) -> InboundMessage:
    """A customer's message as the parser would produce it, for arranging state through ``ingest``."""
    return InboundMessage(
        provider="whatsapp",
        provider_message_id=message_id,
        contact_kind="whatsapp",
        sender=wa_id,
        timestamp=timestamp or datetime.now(tz=UTC),
        type=type,
        text=text,
        profile_name=name,
        media=media,
    )


def customer_wrote(*, hours_ago: float = 0, wa_id: str = WA_ID) -> Conversation:
    """The customer's message, through the real ingest (it opens the 24-hour window)."""
    from conversations.services import ingest

    inbound = inbound_text(
        wa_id,
        "Hallo, wo ist meine Bestellung?",
        message_id=f"wamid.in-{time.monotonic_ns()}",
        timestamp=datetime.now(tz=UTC) - timedelta(hours=hours_ago),
    )
    return ingest(inbound=inbound).message.conversation


@pytest.fixture
def fresh_watch_terms() -> Iterator[None]:
    """The watch-term cache starts and ends empty, so no test sees terms another one saved."""
    from conversations.services.sensitive import watch_terms_forget

    watch_terms_forget()
    yield
    watch_terms_forget()


# --- sockets through the real ASGI stack -------------------------------------------------------------------------


def headers_for(user) -> list[tuple[bytes, bytes]]:
    """An allowed origin, and the session cookie of ``user`` unless it is None."""
    origin = [(b"origin", b"http://testserver")]
    if user is None:
        return origin
    client = Client()
    client.force_login(user)
    return [*origin, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def close_code(communicator: WebsocketCommunicator) -> int:
    frame = await communicator.receive_output(timeout=TIMEOUT)
    assert frame["type"] == "websocket.close"
    return frame["code"]
