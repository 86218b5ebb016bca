"""Agents' presence: the status they set, what auto-assignment does with it, what supervisors see (API, socket)."""

import json

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from contactcenter.asgi import application
from conversations import services
from conversations.exceptions import NotAllowed
from conversations.models import AgentPresence, Conversation, PresenceStatus, TeamMembership
from conversations.tests.conftest import TIMEOUT, WA_ID, close_code, headers_for, inbound_text
from conversations.tests.factories import ConversationFactory, TeamFactory, TeamMembershipFactory

PRESENCE_URL = "/api/v1/presence/"
TEAM_PRESENCE_URL = "/api/v1/teams/presence/"


@pytest.fixture
def care(db):
    """A team that assigns new conversations automatically."""
    return TeamFactory(name="Care", is_default=True, auto_assign=True)


def member(team, username: str, *, connections: int = 1, status: str = PresenceStatus.ONLINE, role: str = "agent"):
    user = TeamMembershipFactory(team=team, user__username=username, role=role).user
    AgentPresence.objects.update_or_create(user=user, defaults={"connections": connections, "status": status})
    return user


@pytest.fixture
def lead(support):
    """lead1: the supervisor of Support (not of Sales)."""
    return TeamMembershipFactory(team=support, user__username="lead1", role=TeamMembership.Role.SUPERVISOR).user


# --- the status ----------------------------------------------------------------------------------------


def test_presence_set_records_the_status_and_when(agent, django_capture_on_commit_callbacks):
    before = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks:
        services.presence_set(user=agent, status="away")
    presence = AgentPresence.objects.get(user=agent)
    assert presence.status == "away" and before <= presence.status_changed_at <= timezone.now()
    assert len(callbacks) == 1  # the supervisors hear of it after commit
    changed_at = presence.status_changed_at
    with django_capture_on_commit_callbacks() as callbacks:
        services.presence_set(user=agent, status="away")  # the same status again: nothing written, nothing sent
    assert callbacks == [] and AgentPresence.objects.get(user=agent).status_changed_at == changed_at


def test_presence_set_refuses_an_unknown_status(agent):
    with pytest.raises(NotAllowed):
        services.presence_set(user=agent, status="busy")
    assert not AgentPresence.objects.filter(user=agent).exists()


def test_api_sets_and_reads_the_callers_own_status(client, agent):
    client.force_login(agent)
    answer = client.get(PRESENCE_URL)
    assert answer.status_code == 200
    assert answer.json() == {"user": agent.pk, "username": "agent1", "status": "online", "connected": False,
                             "since": None}  # fmt: skip
    answer = client.post(PRESENCE_URL, {"status": "offline"}, content_type="application/json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "offline" and answer.json()["since"] is not None
    assert client.get(PRESENCE_URL).json()["status"] == "offline"


@pytest.mark.parametrize("body", [{"status": "busy"}, {"status": ""}, {}, {"status": ["away"]}])
def test_api_answers_400_to_a_bad_status_and_keeps_the_old_one(client, agent, body):
    services.presence_set(user=agent, status="away")
    client.force_login(agent)
    answer = client.post(PRESENCE_URL, body, content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid"
    assert AgentPresence.objects.get(user=agent).status == "away"


def test_api_refuses_anonymous_callers(client):
    assert client.post(PRESENCE_URL, {"status": "away"}, content_type="application/json").status_code in (401, 403)
    assert client.get(TEAM_PRESENCE_URL).status_code in (401, 403)


# --- auto-assignment -----------------------------------------------------------------------------------


def test_auto_assignment_picks_the_least_loaded_agent_who_is_online_and_connected(care, notices):
    member(care, "away1", status=PresenceStatus.AWAY)  # nothing held, but away
    member(care, "offline1", status=PresenceStatus.OFFLINE)  # nothing held, but offline
    member(care, "closed1", connections=0)  # online, but the inbox is closed
    busy = member(care, "busy1")
    light = member(care, "light1")
    ConversationFactory(team=care, assigned_agent=busy)
    ConversationFactory(team=care, assigned_agent=busy)
    ConversationFactory(team=care, assigned_agent=light)

    conversation = services.ingest(inbound=inbound_text(WA_ID, "Hallo", message_id="wamid.p1")).message.conversation
    assert conversation.assigned_agent == light


def test_nobody_online_leaves_the_conversation_in_the_queue(care, notices):
    member(care, "away1", status=PresenceStatus.AWAY)
    member(care, "offline1", status=PresenceStatus.OFFLINE)
    conversation = services.ingest(inbound=inbound_text(WA_ID, "Hallo", message_id="wamid.p2")).message.conversation
    assert conversation.assigned_agent is None and conversation.team == care


def test_going_offline_keeps_the_conversations_held(care):
    agent = member(care, "agent9")
    held = ConversationFactory(team=care, assigned_agent=agent)
    services.presence_set(user=agent, status="offline")
    assert Conversation.objects.get(pk=held.pk).assigned_agent == agent


# --- what supervisors see --------------------------------------------------------------------------------


def test_supervisor_sees_the_members_of_their_teams_only(client, support, teams, agent, lead, outsider):
    services.presence_set(user=agent, status="away")
    services.presence_connect(user=agent)
    ConversationFactory(team=support, assigned_agent=agent)
    # agent1 also works for Sales, which lead1 does not oversee: that work is not counted on lead1's panel.
    TeamMembershipFactory(team=teams[1], user=agent)
    ConversationFactory(team=teams[1], assigned_agent=agent)
    client.force_login(lead)
    answer = client.get(TEAM_PRESENCE_URL)
    assert answer.status_code == 200
    body = answer.json()
    assert [team["name"] for team in body] == ["Support"]  # not Sales, which lead1 does not supervise
    rows = {row["username"]: row for row in body[0]["members"]}
    assert set(rows) == {"agent1", "lead1"}
    assert rows["agent1"]["status"] == "away" and rows["agent1"]["connected"] is True
    assert rows["agent1"]["since"] is not None and rows["agent1"]["held"] == 1
    assert rows["lead1"] == {"user": lead.pk, "username": "lead1", "status": "online", "connected": False,
                             "since": None, "role": "supervisor", "held": 0}  # fmt: skip
    assert "sales1" not in json.dumps(body)


def test_plain_agents_get_403(client, support, agent):
    client.force_login(agent)
    answer = client.get(TEAM_PRESENCE_URL)
    assert answer.status_code == 403 and answer.json()["error"] == "permission_denied"


def test_view_all_holders_see_every_team(client, dpo, support, teams, agent, outsider):
    client.force_login(dpo)
    body = client.get(TEAM_PRESENCE_URL).json()
    assert [team["name"] for team in body] == ["Sales", "Support"]
    assert {row["username"] for team in body for row in team["members"]} == {"agent1", "sales1"}


def test_team_presence_reads_a_fixed_number_of_queries(client, support, lead, django_assert_max_num_queries):
    client.force_login(lead)
    client.get(TEAM_PRESENCE_URL)  # warm the session and permission caches
    for n in range(12):
        member(support, f"extra{n}", status=PresenceStatus.AWAY)
        if n % 3 == 0:
            ConversationFactory(team=support, assigned_agent=lead)
    with django_assert_max_num_queries(10):
        assert len(client.get(TEAM_PRESENCE_URL).json()[0]["members"]) == 14


# --- the event ---------------------------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_event_carries_no_personal_data(support, agent, lead):
    def name_the_agent() -> None:
        agent.first_name, agent.last_name, agent.email = "Annegret", "Kowalczyk", "annegret@example.test"
        agent.save()

    await database_sync_to_async(name_the_agent)()
    socket = await presence_socket(lead)
    await database_sync_to_async(services.presence_set)(user=agent, status="away")
    frame = await socket.receive_json_from(timeout=TIMEOUT)
    presence = frame["presence"]
    assert set(presence) == {"user", "username", "status", "connected", "since"}
    assert (presence["user"], presence["username"], presence["status"]) == (agent.pk, "agent1", "away")
    dumped = json.dumps(frame)
    for personal in ("Annegret", "Kowalczyk", "annegret@example.test"):
        assert personal not in dumped
    await socket.disconnect()


# --- the supervisors' socket ------------------------------------------------------------------------------


async def presence_socket(user) -> WebsocketCommunicator:
    headers = await database_sync_to_async(headers_for)(user)
    communicator = WebsocketCommunicator(application, "/ws/presence/", headers=headers)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_supervisor_socket_hears_status_and_inbox_changes(support, agent, lead):
    socket = await presence_socket(lead)
    await database_sync_to_async(services.presence_set)(user=agent, status="away")
    frame = await socket.receive_json_from(timeout=TIMEOUT)
    assert frame["type"] == "presence"
    assert {k: frame["presence"][k] for k in ("user", "status", "connected")} == {
        "user": agent.pk,
        "status": "away",
        "connected": False,
    }
    await database_sync_to_async(services.presence_connect)(user=agent)  # the first inbox tab opens
    frame = await socket.receive_json_from(timeout=TIMEOUT)
    assert frame["presence"]["connected"] is True and frame["presence"]["status"] == "away"
    await database_sync_to_async(services.presence_connect)(user=agent)  # a second tab: nothing new to say
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_supervisor_socket_does_not_hear_other_teams(support, teams, lead, outsider):
    socket = await presence_socket(lead)
    await database_sync_to_async(services.presence_set)(user=outsider, status="away")  # Sales: not lead1's team
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_presence_socket_refuses_agents_and_anonymous_callers(support, agent):
    assert await close_code(await presence_socket(agent)) == 4403
    assert await close_code(await presence_socket(None)) == 4401


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_view_all_socket_hears_every_team(dpo, teams, outsider):
    socket = await presence_socket(dpo)
    await database_sync_to_async(services.presence_set)(user=outsider, status="offline")
    frame = await socket.receive_json_from(timeout=TIMEOUT)
    assert frame["presence"]["username"] == "sales1" and frame["presence"]["status"] == "offline"
    await socket.disconnect()


# --- the header ------------------------------------------------------------------------------------------


def test_header_shows_the_stored_status_and_links_the_reports_only_for_supervisors(client, support, agent, lead):
    services.presence_set(user=agent, status="away")
    client.force_login(agent)
    page = client.get("/inbox/", headers={"accept-language": "de"}).content.decode()
    assert 'value="away" checked' in page and 'value="online" checked' not in page
    assert "Abwesend" in page and "Ihre Verfügbarkeit" in page
    assert "/inbox/reports/" not in page
    client.force_login(lead)
    page = client.get("/inbox/", headers={"accept-language": "de"}).content.decode()
    assert 'value="online" checked' in page and 'href="/inbox/reports/"' in page
