"""The DPO's alert socket through the real ASGI stack: live alerts, replay after reconnect, who may listen."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from contactcenter.asgi import application
from conversations import services
from conversations.providers.base import InboundMessage
from conversations.tests.conftest import TIMEOUT, close_code, headers_for, inbound_text

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


def card_message(mid: str) -> InboundMessage:
    return inbound_text("4915123456789", "Meine Karte: 4111 1111 1111 1111", message_id=mid)


async def dpo_socket(user) -> WebsocketCommunicator:
    headers = await database_sync_to_async(headers_for)(user)
    return WebsocketCommunicator(application, "/ws/dpo/", headers=headers)


@pytest.fixture
def watching(fresh_watch_terms, transactional_db, default_team, dpo):
    services.watch_term_create(actor=dpo, kind="finding", value="payment_card", severity="high")


async def test_a_connected_dpo_receives_the_alert_live_and_masked(watching, dpo):
    socket = await dpo_socket(dpo)
    assert (await socket.connect(timeout=TIMEOUT))[0]

    await database_sync_to_async(services.ingest)(inbound=card_message("wamid.live1"))

    frame = await socket.receive_json_from(timeout=TIMEOUT)
    assert frame["type"] == "alert"
    alert = frame["alert"]
    assert (alert["severity"], alert["label"]) == ("high", "detected: payment_card")
    assert "•••• •••• •••• 1111" in alert["excerpt"] and "4111" not in alert["excerpt"]
    assert alert["url"].startswith("/admin/conversations/sensitivealert/")
    await socket.disconnect()


async def test_a_reconnecting_dpo_is_replayed_the_open_alerts_it_missed(watching, dpo):
    await database_sync_to_async(services.ingest)(inbound=card_message("wamid.missed1"))
    socket = await dpo_socket(dpo)
    assert (await socket.connect(timeout=TIMEOUT))[0]
    await socket.send_json_to({"type": "resume", "last_alert_id": 0})
    frame = await socket.receive_json_from(timeout=TIMEOUT)
    assert frame["type"] == "alert" and frame["alert"]["label"] == "detected: payment_card"
    await socket.send_json_to({"type": "resume", "last_alert_id": frame["alert"]["id"]})
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_agents_and_strangers_may_not_listen(watching, agent):
    for user, code in ((None, 4401), (agent, 4403)):
        socket = await dpo_socket(user)
        await socket.connect(timeout=TIMEOUT)
        assert await close_code(socket) == code
