"""The inbox's one click: ``POST /api/v1/conversations/<id>/subject-requests/`` records the request a customer
wrote into the chat, with the chat as the verified channel; once per open request; only in a conversation the
agent sees in the inbox, for an agent who may record requests."""

from datetime import datetime

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from consent.tests.factories import SubjectFactory, UserFactory
from contactcenter import roles
from conversations import services as conversation_services
from conversations.models import Direction, Message, MessageStatus
from conversations.tests.conftest import inbound_text
from conversations.tests.factories import ConversationFactory, MessageFactory, TeamFactory, TeamMembershipFactory
from retention.models import SubjectRequest
from tests.clients import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    return TeamFactory(name="Support", is_default=True, auto_assign=False)


@pytest.fixture
def agent(team):
    return TeamMembershipFactory(team=team, user__username="ana").user


@pytest.fixture
def conversation(team):
    """Erika's WhatsApp conversation (a German number: GDPR), in the agent's team."""
    return ConversationFactory(channel="whatsapp", team=team, subject=SubjectFactory(value="+49 151 23456789"))


def customer_says(conversation, text: str) -> Message:
    return MessageFactory(conversation=conversation, direction=Direction.INBOUND, status=MessageStatus.RECEIVED,
                          type="text", content={"text": text})  # fmt: skip


def url(conversation) -> str:
    return f"/api/v1/conversations/{conversation.pk}/subject-requests/"


def record(client: APIClient, conversation, message, kind: str = "erasure"):
    return client.post(url(conversation), {"kind": kind, "message_id": message.pk}, format="json")


def test_one_click_records_the_request_verified_by_the_chat(agent, conversation):
    message = customer_says(conversation, "Bitte löschen Sie alle meine Daten")
    response = record(token_client(agent), conversation, message)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"reference", "kind", "state", "due_at"}
    request = SubjectRequest.objects.get()
    assert body["reference"] == request.reference and body["kind"] == "erasure" and body["state"] == "verified"
    assert (request.kind, request.channel, request.state) == ("erasure", "chat", "verified")
    assert request.subject == conversation.subject and request.created_by == agent
    assert request.source_message == message  # the DPO sees which message it was (ids only in the admin)
    assert request.jurisdiction == "GDPR" and request.verified_at is not None
    # The legal date, with the offset of the time zone whose days count (the controller's, for the GDPR).
    due = datetime.fromisoformat(body["due_at"])
    assert due == request.due_at and due.strftime("%H:%M") == "23:59" and due.utcoffset() is not None
    moves = [(h.state, h.history_user_id, h.history_change_reason) for h in request.history.order_by("history_id")]
    assert moves[0] == ("received", agent.pk, "received through chat")
    assert moves[-1] == ("verified", agent.pk, "verified by the channel (chat)")


def test_a_second_click_records_nothing_and_answers_the_first(agent, conversation):
    message = customer_says(conversation, "Please delete my data")
    api = token_client(agent)
    first = record(api, conversation, message)
    again = record(api, conversation, message)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    # The customer asking again while it is open: still the one request.
    repeated = customer_says(conversation, "Please delete my data!!")
    assert record(api, conversation, repeated).json()["reference"] == first.json()["reference"]
    assert SubjectRequest.objects.count() == 1
    # Another kind is another request.
    copy = record(api, conversation, customer_says(conversation, "and send me a copy first"), kind="access")
    assert copy.status_code == 201 and SubjectRequest.objects.count() == 2


def test_once_the_first_is_closed_a_new_click_records_a_new_request(agent, conversation, dpo):
    from retention.services.requests import request_withdraw

    message = customer_says(conversation, "Please delete my data")
    api = token_client(agent)
    first = SubjectRequest.objects.get(reference=record(api, conversation, message).json()["reference"])
    request_withdraw(request=first, actor=dpo, reason="the customer changed their mind")
    again = record(api, conversation, message)
    assert again.status_code == 201 and again.json()["reference"] != first.reference


def test_under_the_lgpd_it_is_due_in_fifteen_days_and_the_simplified_reply_is_queued(team, agent):
    conversation = ConversationFactory(channel="whatsapp", team=team, subject=SubjectFactory(value="5511987654321"))
    message = customer_says(conversation, "Quero apagar meus dados")
    response = record(token_client(agent), conversation, message)
    assert response.status_code == 201
    request = SubjectRequest.objects.get()
    assert request.jurisdiction == "LGPD" and request.simplified_reply_at is not None
    due = datetime.fromisoformat(response.json()["due_at"])
    assert response.json()["due_at"].endswith("-03:00") and (due - request.received_at).days in (14, 15)
    assert due.date() == request.due_at.astimezone(due.tzinfo).date()
    reply = Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND).get()
    assert request.reference in reply.content["text"]


def test_another_teams_conversation_is_404_and_records_nothing(agent, conversation):
    sales = TeamFactory(name="Sales")
    theirs = ConversationFactory(channel="whatsapp", team=sales)
    message = customer_says(theirs, "Please delete my data")
    api = token_client(agent)
    refused = record(api, theirs, message)
    missing = api.post("/api/v1/conversations/999999/subject-requests/", {"kind": "erasure", "message_id": 1},
                       format="json")  # fmt: skip
    assert refused.status_code == missing.status_code == 404
    assert refused.json() == missing.json() == {"error": "not_found", "detail": refused.json()["detail"]}
    assert not SubjectRequest.objects.exists()


def test_without_the_permission_it_is_403_and_anonymous_401(team, conversation):
    message = customer_says(conversation, "Please delete my data")
    viewer = TeamMembershipFactory(team=team, user__username="viewer", user__role=None).user
    viewer.user_permissions.add(Permission.objects.get(codename="view_conversation"))
    refused = record(token_client(viewer), conversation, message)
    assert refused.status_code == 403 and refused.json()["error"] == "permission_denied"
    recorder = TeamMembershipFactory(team=team, user__username="recorder", user__role=None).user
    recorder.user_permissions.add(Permission.objects.get(codename="add_subjectrequest"))
    assert record(token_client(recorder), conversation, message).status_code == 403  # no inbox of their own
    assert record(APIClient(), conversation, message).status_code == 401
    assert not SubjectRequest.objects.exists()


def test_agents_supervisors_and_the_dpo_may_record(team, conversation):
    message = customer_says(conversation, "Please delete my data")
    dpo = UserFactory(username="dora", role=roles.DPO, is_staff=True)
    supervisor = TeamMembershipFactory(team=team, user__username="sue", user__role=roles.SUPERVISOR).user
    assert record(token_client(dpo), conversation, message).status_code == 201
    assert record(token_client(supervisor), conversation, message).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "delete", "message_id": 1}, "kind"),
        ({"kind": "", "message_id": 1}, "kind"),
        ({"message_id": 1}, "kind"),
        ({"kind": "erasure"}, "message_id"),
        ({"kind": "erasure", "message_id": "x"}, "message_id"),
        ({"kind": "erasure", "message_id": 0}, "message_id"),
    ],
)
def test_a_malformed_body_is_400(agent, conversation, body, field):
    response = token_client(agent).post(url(conversation), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid" and list(response.json()["fields"]) == [field]
    assert not SubjectRequest.objects.exists()


def test_only_the_customers_own_message_in_this_conversation_counts(agent, team, conversation):
    ours_said = MessageFactory(conversation=conversation, content={"text": "Shall we delete your data?"})
    elsewhere = customer_says(ConversationFactory(channel="whatsapp", team=team), "Please delete my data")
    api = token_client(agent)
    for message in (ours_said, elsewhere):
        response = record(api, conversation, message)
        assert response.status_code == 400 and list(response.json()["fields"]) == ["message_id"]
    assert not SubjectRequest.objects.exists()


def test_a_sensitive_conversation_is_recorded_by_its_agent_and_hidden_from_a_teammate(agent, team):
    """Special-category data narrows who sees the conversation: the teammate is refused as if it did not exist,
    and the messages they cannot see carry their suggestion to nobody but those who may."""
    teammate = TeamMembershipFactory(team=team, user__username="ben").user
    wa_id = "4915199990003"
    first = conversation_services.ingest(inbound=inbound_text(wa_id, "Hallo", message_id="wamid.s0")).message
    conversation = first.conversation
    conversation_services.conversation_assign(conversation=conversation, agent=agent, actor=None)
    message = conversation_services.ingest(inbound=inbound_text(
        wa_id, "Ich bin schwanger, bitte löschen Sie alle meine Daten", message_id="wamid.s1"
    )).message  # fmt: skip
    conversation.refresh_from_db()
    assert conversation.sensitive

    hidden = token_client(teammate)
    messages = hidden.get(f"/api/v1/conversations/{conversation.pk}/messages/")
    assert messages.status_code == 404 and "request_suggestion" not in messages.content.decode()
    assert record(hidden, conversation, message).status_code == 404
    assert not SubjectRequest.objects.exists()

    api = token_client(agent)
    shown = {m["id"]: m for m in api.get(f"/api/v1/conversations/{conversation.pk}/messages/").json()["results"]}
    assert shown[message.pk]["request_suggestion"] == {"kind": "erasure", "generic": False}
    assert record(api, conversation, message).status_code == 201


def test_the_schema_documents_the_operation_and_the_suggestion(client):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/conversations/{conversation_id}/subject-requests/"]["post"]
    assert set(operation["responses"]) == {"200", "201", "400", "401", "403", "404", "415"}
    components = schema["components"]["schemas"]
    assert set(components["SubjectRequestOut"]["properties"]) == {"reference", "kind", "state", "due_at"}
    assert "request_suggestion" in components["MessageOut"]["properties"]
    assert set(components["RequestSuggestionOut"]["properties"]) == {"kind", "generic"}
