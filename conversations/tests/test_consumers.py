"""The agent inbox socket, through the real ASGI stack (origin check, session auth, routing).

Services run in worker threads and really commit (transactional database), so
events are published by ``event_record``'s on-commit hook exactly as in
production; the channel layer is the in-memory one, or Redis pub/sub when
``REDIS_URL`` is set.
"""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from contactcenter.asgi import application
from conversations.models import AgentPresence, Conversation, ConversationEvent
from conversations.providers.base import InboundMessage
from conversations.services import conversation_assign, conversation_transfer, ingest, note_add
from conversations.tests.conftest import TIMEOUT, close_code, headers_for
from conversations.tests.factories import ConversationFactory

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.asyncio]


@pytest.fixture
def ours(support) -> Conversation:
    return ConversationFactory(team=support)


@pytest.fixture
def theirs(teams) -> Conversation:
    return ConversationFactory(team=teams[1])


async def connect(user) -> WebsocketCommunicator:
    headers = await database_sync_to_async(headers_for)(user)
    communicator = WebsocketCommunicator(application, "/ws/agent/", headers=headers)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def next_event(communicator: WebsocketCommunicator) -> dict:
    frame = await communicator.receive_json_from(timeout=TIMEOUT)
    assert frame["type"] == "event", frame
    return frame["event"]


async def note(conversation: Conversation, user, body: str = "internal") -> int:
    created = await database_sync_to_async(note_add)(conversation=conversation, actor=user, body=body)
    return created.pk


# --- who may connect ---------------------------------------------------------------------------------


async def test_anonymous_is_refused_with_4401():
    communicator = await connect(None)
    assert await close_code(communicator) == 4401


async def test_user_without_inbox_permission_is_refused_with_4403(nobody):
    communicator = await connect(nobody)
    assert await close_code(communicator) == 4403
    assert not await database_sync_to_async(AgentPresence.objects.filter(connections__gt=0).exists)()


async def test_foreign_origin_is_refused(agent):
    headers = await database_sync_to_async(headers_for)(agent)
    headers = [(b"origin", b"http://evil.example")] + [h for h in headers if h[0] != b"origin"]
    communicator = WebsocketCommunicator(application, "/ws/agent/", headers=headers)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert not connected


async def test_presence_counts_sockets(agent, support):
    first, second = await connect(agent), await connect(agent)
    presence = database_sync_to_async(lambda: AgentPresence.objects.get(user=agent).connections)
    assert await presence() == 2
    await first.disconnect()
    assert await presence() == 1
    await second.disconnect()
    assert await presence() == 0


# --- what arrives --------------------------------------------------------------------------------------


async def test_only_events_of_own_teams_arrive(agent, ours, theirs):
    communicator = await connect(agent)
    await note(theirs, agent)  # another team's conversation: published to team-<sales> only
    own_note = await note(ours, agent)
    event = await next_event(communicator)
    # The foreign event was published first: had it leaked it would have arrived first.
    assert event["kind"] == "conversation.note" and event["data"] == {"note": own_note}
    assert event["conversation"]["id"] == ours.pk
    assert await communicator.receive_nothing(timeout=0.3)
    await communicator.disconnect()


async def test_a_new_customer_conversation_appears_live(agent, support):
    communicator = await connect(agent)
    inbound = InboundMessage(
        provider="webchat", provider_message_id="wc-1", contact_kind="webchat", sender="visitor-live",
        timestamp=timezone.now(), type="text", text="Hello, my order is late",
    )  # fmt: skip
    await database_sync_to_async(ingest)(inbound=inbound)
    opened, message = await next_event(communicator), await next_event(communicator)
    assert opened["kind"] == "conversation.opened" and opened["conversation"]["team"] == support.pk
    assert message["kind"] == "conversation.message" and message["id"] > opened["id"]
    assert message["message"]["text"] == "Hello, my order is late"
    assert message["conversation"]["unread"] == 1
    await communicator.disconnect()


async def test_resume_replays_missed_visible_events_in_order(agent, ours, theirs):
    seen = await note(ours, agent, "before")
    last_seen = await database_sync_to_async(lambda: ConversationEvent.objects.get(data={"note": seen}).pk)()
    await note(ours, agent, "missed 1")
    await note(theirs, agent, "not yours")
    await note(ours, agent, "missed 2")
    communicator = await connect(agent)
    await communicator.send_json_to({"type": "resume", "last_event_id": last_seen})
    first, second = await next_event(communicator), await next_event(communicator)
    assert [first["conversation"]["id"], second["conversation"]["id"]] == [ours.pk, ours.pk]
    assert last_seen < first["id"] < second["id"]
    done = await communicator.receive_json_from(timeout=TIMEOUT)
    assert done == {"type": "resumed", "last_event_id": second["id"], "more": False}
    # Resuming again from the end replays nothing.
    await communicator.send_json_to({"type": "resume", "last_event_id": second["id"]})
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "resumed"
    await communicator.disconnect()


async def test_an_event_reaching_several_groups_is_forwarded_once(agent, support, ours):
    await database_sync_to_async(conversation_assign)(conversation=ours, agent=agent, actor=None)
    communicator = await connect(agent)
    await communicator.send_json_to({"type": "subscribe", "conversation": ours.pk})
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"type": "subscribed", "conversation": ours.pk}
    # Published to conversation-, team- and agent- groups: this socket is in all three.
    note_id = await note(ours, agent)
    event = await next_event(communicator)
    assert event["data"] == {"note": note_id}
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


async def test_live_event_already_replayed_is_not_sent_twice(agent, ours):
    communicator = await connect(agent)
    note_id = await note(ours, agent)
    live = await next_event(communicator)
    await communicator.send_json_to({"type": "resume", "last_event_id": live["id"] - 1})
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "resumed"
    assert live["data"] == {"note": note_id}
    await communicator.disconnect()


# --- subscriptions and typing ------------------------------------------------------------------------------


async def test_subscribing_to_a_foreign_conversation_is_refused(agent, support, theirs):
    communicator = await connect(agent)
    await communicator.send_json_to({"type": "subscribe", "conversation": theirs.pk})
    reply = await communicator.receive_json_from(timeout=TIMEOUT)
    assert reply == {"type": "error", "code": "forbidden", "conversation": theirs.pk}
    await note(theirs, None)
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.send_json_to({"type": "typing", "conversation": theirs.pk})
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["code"] == "forbidden"
    await communicator.disconnect()


async def test_dpo_sees_only_the_conversations_they_open(dpo, theirs, ours):
    communicator = await connect(dpo)
    await note(ours, None)  # no team of the DPO's, no subscription: nothing arrives
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.send_json_to({"type": "subscribe", "conversation": theirs.pk})
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "subscribed"
    await note(theirs, None)
    assert (await next_event(communicator))["conversation"]["id"] == theirs.pk
    await communicator.disconnect()


async def test_typing_reaches_the_other_agent_not_the_typist(agent, teammate, ours):
    typist, other = await connect(agent), await connect(teammate)
    for communicator in (typist, other):
        await communicator.send_json_to({"type": "subscribe", "conversation": ours.pk})
        assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "subscribed"
    await typist.send_json_to({"type": "typing", "conversation": ours.pk})
    assert await other.receive_json_from(timeout=TIMEOUT) == {
        "type": "typing",
        "conversation": ours.pk,
        "username": "agent1",
    }
    assert await typist.receive_nothing(timeout=0.3)
    # Not persisted: typing leaves no outbox row.
    assert not await database_sync_to_async(ConversationEvent.objects.exists)()
    await typist.disconnect()
    await other.disconnect()


async def test_transfer_away_revokes_the_subscription(agent, teams, ours):
    communicator = await connect(agent)
    await communicator.send_json_to({"type": "subscribe", "conversation": ours.pk})
    assert (await communicator.receive_json_from(timeout=TIMEOUT))["type"] == "subscribed"
    await database_sync_to_async(conversation_transfer)(conversation=ours, team=teams[1], actor=None)
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"type": "revoked", "conversation": ours.pk}
    await note(ours, None)  # now the other team's: nothing more reaches this agent
    assert await communicator.receive_nothing(timeout=0.5)
    await communicator.disconnect()


# --- malformed input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        "[1, 2]",
        '{"type": "launch"}',
        '{"type": "subscribe", "conversation": "7"}',
        '{"type": "subscribe", "conversation": true}',
        '{"type": "resume", "last_event_id": -1}',
        '{"type": "typing"}',
    ],
)
async def test_malformed_frames_get_bad_request_and_the_socket_stays(agent, frame):
    communicator = await connect(agent)
    await communicator.send_to(text_data=frame)
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"type": "error", "code": "bad_request"}
    await communicator.send_json_to({"type": "ping"})
    assert await communicator.receive_json_from(timeout=TIMEOUT) == {"type": "pong"}
    await communicator.disconnect()


async def test_resume_replays_nothing_of_a_conversation_that_left_the_agents_sight(agent, ours, teams):
    """An event recorded while the agent could see the conversation is rendered as the conversation is now (its
    newest message too): once it moved to another team, or became sensitive, the replay leaves it out."""
    await note(ours, agent, "while ours")
    await database_sync_to_async(Conversation.objects.filter(pk=ours.pk).update)(team=teams[1])
    communicator = await connect(agent)
    await communicator.send_json_to({"type": "resume", "last_event_id": 0})
    done = await communicator.receive_json_from(timeout=TIMEOUT)
    assert done["type"] == "resumed"  # no event frame before it
    await communicator.disconnect()
