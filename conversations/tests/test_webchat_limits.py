"""The web chat's public door per source address: a script opening a fresh visitor per socket is stopped at
the address's limits (sockets open at once, new visitors and new conversations within the hour), before anything
is stored, while another address still gets through."""

import asyncio
import os
import time
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import caches

from consent.models import ConsentEvent, Subject
from contactcenter.asgi import application
from conversations import selectors
from conversations.consumers.webchat import CLOSE_TOO_MANY
from conversations.models import Conversation
from conversations.services import webchat_limits
from conversations.tests.factories import TeamFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCRIPT_IP = "198.51.100.66"
TIMEOUT = 5
db = database_sync_to_async


@pytest.fixture
def chat(webchat_purpose, notices):
    """The purpose, the notices and a team whose agents see the queue."""
    team = TeamFactory(name="Care", is_default=True, auto_assign=False)
    return TeamMembershipFactory(team=team, user__username="queue-agent").user


async def connect(ip: str, *, forwarded_for: str | None = None) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://testserver"), (b"host", b"testserver")]
    if forwarded_for is not None:
        headers.append((b"x-forwarded-for", forwarded_for.encode()))
    communicator = WebsocketCommunicator(application, "/ws/webchat/", headers=headers)
    communicator.scope["client"] = (ip, 50123)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def receive(communicator: WebsocketCommunicator) -> dict[str, Any]:
    return await communicator.receive_json_from(timeout=TIMEOUT)


async def refused_with(communicator: WebsocketCommunicator, code: str) -> None:
    """The error frame naming the limit, then the close with 4429."""
    frame = await receive(communicator)
    assert frame["type"] == "error" and frame["code"] == code
    closing = await communicator.receive_output(timeout=TIMEOUT)
    assert closing == {"type": "websocket.close", "code": CLOSE_TOO_MANY}


async def hello(communicator: WebsocketCommunicator) -> dict[str, Any]:
    await communicator.send_json_to({"type": "hello", "visitor": None, "token": None, "language": "de"})
    return await receive(communicator)


async def visitor_tries(ip: str, *, forwarded_for: str | None = None) -> str:
    """What a scripted visitor gets: a fresh identity, consent, a first message. "ack" when a conversation was
    opened, else the code that refused it."""
    communicator = await connect(ip, forwarded_for=forwarded_for)
    try:
        welcome = await hello(communicator)
        if welcome["type"] == "error":
            closing = await communicator.receive_output(timeout=TIMEOUT)
            assert closing == {"type": "websocket.close", "code": CLOSE_TOO_MANY}
            return welcome["code"]
        await communicator.send_json_to({"type": "consent", "notice_id": welcome["notice"]["id"]})
        assert await receive(communicator) == {"type": "consented"}
        client_id = str(uuid.uuid4())
        await communicator.send_json_to({"type": "message", "client_id": client_id, "text": "Hallo"})
        answer = await receive(communicator)
        if answer["type"] == "ack":
            return "ack"
        assert answer["client_id"] == client_id
        closing = await communicator.receive_output(timeout=TIMEOUT)
        assert closing == {"type": "websocket.close", "code": CLOSE_TOO_MANY}
        return answer["code"]
    finally:
        await communicator.disconnect()


def _counts() -> tuple[int, int, int]:
    return Conversation.objects.count(), Subject.objects.count(), ConsentEvent.objects.count()


@pytest.mark.asyncio
async def test_a_thousand_scripted_visitors_from_one_address_open_only_the_limit_of_conversations(chat, settings):
    started = time.monotonic()
    answers = [await visitor_tries(SCRIPT_IP) for _ in range(1000)]
    conversations, visitors = (
        settings.WEBCHAT_CONVERSATIONS_PER_ADDRESS_PER_HOUR,
        settings.WEBCHAT_VISITORS_PER_ADDRESS_PER_HOUR,
    )
    assert (conversations, visitors) == (10, 20)
    assert answers.count("ack") == conversations
    assert answers.count("too_many_conversations") == visitors - conversations
    assert answers.count("too_many_visitors") == 1000 - visitors
    # Only the admitted visitors left a subject and a consent event; only their conversations reach the agents.
    assert await db(_counts)() == (conversations, visitors, visitors)
    queue = await db(lambda: selectors.conversation_list(user=chat, scope="team").count())()
    assert queue == conversations
    assert time.monotonic() - started < 60

    # Another address (another IPv6 /64 too) is not held up by the script's.
    assert await visitor_tries("192.0.2.10") == "ack"
    assert await visitor_tries("2001:db8:1:2::1") == "ack"
    assert await db(Conversation.objects.count)() == conversations + 2


@pytest.mark.asyncio
async def test_ipv6_hosts_in_one_64_share_its_limit(chat, settings):
    settings.WEBCHAT_VISITORS_PER_ADDRESS_PER_HOUR = 3
    answers = [await visitor_tries(f"2001:db8:5:6::{n:x}") for n in range(1, 6)]
    assert answers == ["ack", "ack", "ack", "too_many_visitors", "too_many_visitors"]
    assert await visitor_tries("2001:db8:5:7::1") == "ack"  # the next /64


@pytest.mark.asyncio
async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_counts_against_the_peer(chat, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.WEBCHAT_VISITORS_PER_ADDRESS_PER_HOUR = 2
    answers = [await visitor_tries(SCRIPT_IP, forwarded_for=f"192.0.2.{n}") for n in range(5)]
    assert answers == ["ack", "ack", "too_many_visitors", "too_many_visitors", "too_many_visitors"]
    # Through a trusted proxy the header names the client: each is counted as itself, the proxy never.
    proxied = [await visitor_tries("10.1.2.3", forwarded_for=f"192.0.2.{n}") for n in range(3)]
    assert proxied == ["ack", "ack", "ack"]


@pytest.mark.asyncio
async def test_sockets_beyond_the_limit_are_refused_and_a_closed_one_frees_its_slot(chat, settings):
    settings.WEBCHAT_SOCKETS_PER_ADDRESS = 3
    held = [await connect(SCRIPT_IP) for _ in range(3)]
    extra = await connect(SCRIPT_IP)
    await refused_with(extra, "too_many_connections")
    await extra.disconnect()
    # A refused socket held no slot: freeing none, it leaves the three open ones theirs.
    again = await connect(SCRIPT_IP)
    await refused_with(again, "too_many_connections")
    await again.disconnect()

    await held.pop().disconnect()
    freed = await connect(SCRIPT_IP)
    welcome = await hello(freed)
    assert welcome["type"] == "welcome"  # the slot went to the new socket
    other = await connect("192.0.2.10")  # another address has slots of its own
    assert (await hello(other))["type"] == "welcome"
    for communicator in [*held, freed, other]:
        await communicator.disconnect()
    assert await db(Subject.objects.count)() == 0  # refusals and hellos store nothing


@pytest.mark.asyncio
async def test_an_open_socket_keeps_its_slot_beyond_the_slot_timeout_by_renewing_it(chat, settings, monkeypatch):
    """The heartbeat renews the slot (here every 50 ms): a socket open longer than its key's life keeps it, so
    the address's limit still counts it; the slot of a crashed process lapses."""
    settings.WEBCHAT_SOCKETS_PER_ADDRESS = 1
    monkeypatch.setattr(webchat_limits, "SLOT_RENEW", 0.05)
    monkeypatch.setattr(webchat_limits, "SLOT_TIMEOUT", 1)
    held = await connect(SCRIPT_IP)
    await asyncio.sleep(1.5)
    refused = await connect(SCRIPT_IP)
    await refused_with(refused, "too_many_connections")
    await refused.disconnect()
    await held.disconnect()

    crashed = webchat_limits.socket_slot_take(address=SCRIPT_IP)  # a process that took a slot and died
    assert crashed is not None and webchat_limits.socket_slot_take(address=SCRIPT_IP) is None
    await asyncio.sleep(1.1)
    assert webchat_limits.socket_slot_take(address=SCRIPT_IP) is not None


def test_the_hour_counts_in_five_minute_buckets_and_refusals_are_not_counted(settings, monkeypatch):
    settings.WEBCHAT_VISITORS_PER_ADDRESS_PER_HOUR = 3
    now = 1_800_000_000.0
    monkeypatch.setattr(webchat_limits.time, "time", lambda: now)
    assert [webchat_limits.visitor_admit(address=SCRIPT_IP) for _ in range(5)] == [True, True, True, False, False]
    now += 55 * 60  # still within the hour
    assert webchat_limits.visitor_admit(address=SCRIPT_IP) is False
    now += 5 * 60  # the first bucket fell out of the hour
    assert [webchat_limits.visitor_admit(address=SCRIPT_IP) for _ in range(4)] == [True, True, True, False]


def test_the_cache_keys_name_no_address():
    webchat_limits.visitor_admit(address=SCRIPT_IP)
    webchat_limits.socket_slot_take(address="2001:db8::1")
    keys = list(caches["default"]._cache)  # the test's own locmem store
    assert keys and not any(SCRIPT_IP in key or "2001" in key for key in keys)


@pytest.mark.django_db
def test_two_cache_clients_on_redis_share_the_counters(settings, monkeypatch):
    """Two server processes each have their own cache client: on Redis they count together, so the limits hold
    across them. Keys under a prefix of this test's own, deleted after it (never a clear of the shared Redis)."""
    url = os.environ.get("REDIS_URL")
    if not url:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but REDIS_URL is not set")
        pytest.skip("needs Redis: set REDIS_URL=redis://... (CI does)")
    from django.core.cache.backends.redis import RedisCache

    prefix = f"cc-test-{uuid.uuid4().hex}"
    first, second = (RedisCache(url, {"KEY_PREFIX": prefix}) for _ in range(2))
    settings.WEBCHAT_CONVERSATIONS_PER_ADDRESS_PER_HOUR = 4
    settings.WEBCHAT_SOCKETS_PER_ADDRESS = 1

    def on(process: RedisCache) -> None:
        monkeypatch.setattr(webchat_limits, "cache", process)

    try:
        admitted = []
        for n in range(8):  # the two processes take turns
            on(first if n % 2 == 0 else second)
            admitted.append(webchat_limits.conversation_admit(address=SCRIPT_IP))
        assert admitted == [True, True, True, True, False, False, False, False]

        on(first)
        slot = webchat_limits.socket_slot_take(address=SCRIPT_IP)
        on(second)  # the other process sees the first one's socket, and its release
        assert slot is not None and webchat_limits.socket_slot_take(address=SCRIPT_IP) is None
        on(first)
        webchat_limits.socket_slot_release(slot=slot)
        on(second)
        assert webchat_limits.socket_slot_take(address=SCRIPT_IP) is not None
    finally:
        client = first._cache.get_client(write=True)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        first.close()
        second.close()
