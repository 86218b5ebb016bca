"""The inbox REST API: who may read and do what, on which conversations."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from rest_framework.test import APIClient

from conversations.models import CannedResponse, Conversation, ConversationEvent, Message, Note
from conversations.tests.factories import ConversationFactory, TeamMembershipFactory
from tests.clients import token_client

pytestmark = pytest.mark.urls("conversations.tests.urls_inbox_test")


def url(conversation, action: str = "") -> str:
    return f"/api/v1/conversations/{conversation.pk}/" + (f"{action}/" if action else "")


# --- authentication, permission, visibility ---------------------------------------------------------


def test_anonymous_gets_401_everywhere(support):
    conversation = ConversationFactory(team=support)
    client = APIClient()
    assert client.get("/api/v1/conversations/").status_code == 401
    assert client.get(url(conversation)).status_code == 401
    assert client.post(url(conversation, "reply"), {"text": "hi"}, format="json").status_code == 401
    assert not Message.objects.exists()


def test_user_without_role_gets_403(nobody, support):
    conversation = ConversationFactory(team=support)
    api = token_client(nobody)
    assert api.get("/api/v1/conversations/").status_code == 403
    assert api.post(url(conversation, "reply"), {"text": "hi"}, format="json").status_code == 403
    assert api.get("/api/v1/templates/").status_code == 403


def test_view_only_user_may_read_but_not_reply_assign_or_note(support):
    viewer = TeamMembershipFactory(team=support, user__username="viewer", user__role=None).user
    viewer.user_permissions.add(Permission.objects.get(codename="view_conversation"))
    conversation = ConversationFactory(team=support)
    api = token_client(viewer)
    assert api.get(url(conversation)).status_code == 200
    assert api.post(url(conversation, "reply"), {"text": "hi"}, format="json").status_code == 403
    assert api.post(url(conversation, "assign"), {"agent": viewer.pk}, format="json").status_code == 403
    assert api.post(url(conversation, "notes"), {"body": "x"}, format="json").status_code == 403
    assert api.get(url(conversation, "notes")).status_code == 200


def test_conversation_of_another_team_is_404_for_every_action(agent, support, teams, outsider):
    foreign = ConversationFactory(team=teams[1], unread_count=2)
    api = token_client(agent)
    assert api.get(url(foreign)).status_code == 404
    assert api.get(url(foreign, "messages")).status_code == 404
    assert api.get(url(foreign, "notes")).status_code == 404
    assert api.post(url(foreign, "reply"), {"text": "hi"}, format="json").status_code == 404
    assert api.post(url(foreign, "assign"), {"agent": agent.pk}, format="json").status_code == 404
    assert api.post(url(foreign, "status"), {"status": "resolved"}, format="json").status_code == 404
    assert api.post(url(foreign, "read")).status_code == 404
    foreign.refresh_from_db()
    assert (foreign.assigned_agent_id, foreign.status, foreign.unread_count) == (None, "open", 2)
    assert not Message.objects.exists()


def test_dpo_sees_every_team(dpo, support, teams):
    ours, theirs = ConversationFactory(team=support), ConversationFactory(team=teams[1])
    ids = {row["id"] for row in token_client(dpo).get("/api/v1/conversations/").json()["results"]}
    assert ids == {ours.pk, theirs.pk}


def test_session_auth_needs_csrf_for_writes(agent, support):
    conversation = ConversationFactory(team=support, unread_count=2)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get(url(conversation)).status_code == 200
    assert client.post(url(conversation, "read")).status_code == 403  # no CSRF token
    conversation.refresh_from_db()
    assert conversation.unread_count == 2


# --- list and read ----------------------------------------------------------------------------------


def test_list_filters_by_scope_and_status(agent, support, teammate, teams):
    mine = ConversationFactory(team=support, assigned_agent=agent)
    theirs = ConversationFactory(team=support, assigned_agent=teammate)
    queued = ConversationFactory(team=support)
    ConversationFactory(team=teams[1])  # another team: never listed
    Conversation.objects.filter(pk=theirs.pk).update(status="pending")
    api = token_client(agent)

    def ids(query: str) -> set[int]:
        response = api.get("/api/v1/conversations/" + query)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids("") == {mine.pk, theirs.pk, queued.pk}
    assert ids("?scope=mine") == {mine.pk}
    assert ids("?scope=unassigned") == {queued.pk}
    assert ids("?scope=team") == {mine.pk, theirs.pk, queued.pk}
    assert ids("?status=pending") == {theirs.pk}
    assert ids("?scope=mine&status=pending") == set()
    assert api.get("/api/v1/conversations/?scope=everyone").status_code == 400
    assert api.get("/api/v1/conversations/?status=closed").status_code == 400


def test_list_is_paginated_and_shows_masked_contact_and_unread(agent, support):
    for _ in range(3):
        ConversationFactory(team=support, channel="whatsapp", unread_count=2)
    body = token_client(agent).get("/api/v1/conversations/?limit=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    row = body["results"][0]
    assert row["unread"] == 2
    assert "•" in row["subject"]["contact"] and "2345" not in row["subject"]["contact"]


def test_messages_after_id(agent, support):
    conversation = ConversationFactory(team=support)
    api = token_client(agent)
    first = api.post(url(conversation, "reply"), {"text": "one"}, format="json").json()
    second = api.post(url(conversation, "reply"), {"text": "two"}, format="json").json()
    page = api.get(url(conversation, "messages")).json()
    assert [m["text"] for m in page["results"]] == ["one", "two"] and page["next"] is None
    after = api.get(url(conversation, "messages") + f"?after_id={first['id']}").json()
    assert [m["id"] for m in after["results"]] == [second["id"]]
    refused = api.get(url(conversation, "messages") + "?after_id=x")
    assert (
        refused.status_code == 400 and refused.json()["error"] == "invalid" and "after_id" in refused.json()["fields"]
    )


# --- reply and templates ----------------------------------------------------------------------------


def test_reply_queues_an_encrypted_message_and_an_event(agent, support, django_capture_on_commit_callbacks):
    conversation = ConversationFactory(team=support)
    api = token_client(agent)
    # The webchat sender runs only after commit; not executing the callbacks keeps this test on our side.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api.post(url(conversation, "reply"), {"text": "Your parcel left today"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "queued" and body["direction"] == "out" and body["text"] == "Your parcel left today"
    message = Message.objects.get(pk=body["id"])
    assert message.author_id == agent.pk and message.provider == "webchat"
    assert b"parcel" not in bytes(message.content_enc)
    assert ConversationEvent.objects.filter(kind="conversation.message", message=message).exists()
    assert callbacks, "the send must be queued after commit"


def test_reply_validation(agent, support):
    conversation = ConversationFactory(team=support)
    api = token_client(agent)
    assert api.post(url(conversation, "reply"), {}, format="json").status_code == 400
    assert api.post(url(conversation, "reply"), {"text": "x" * 4097}, format="json").status_code == 400
    assert not Message.objects.exists()


def test_reply_outside_the_window_is_409(agent, support):
    conversation = ConversationFactory(team=support, channel="whatsapp", inbound_ago=timedelta(hours=25))
    response = token_client(agent).post(url(conversation, "reply"), {"text": "late"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == "window_closed"
    assert not Message.objects.exists()


def test_reply_to_a_restricted_customer_is_409_and_the_inbox_says_why(agent, support):
    from consent.services import subject_restrict

    conversation = ConversationFactory(team=support)
    subject_restrict(subject=conversation.subject, ground="accuracy", actor=None, reason="contested address")
    api = token_client(agent)
    response = api.post(url(conversation, "reply"), {"text": "Hello?"}, format="json")
    assert response.status_code == 409 and response.json()["error"] == "processing_restricted"
    assert not Message.objects.exists()
    listed = api.get(f"/api/v1/conversations/{conversation.pk}/").json()
    assert listed["subject"]["restriction"] == "accuracy"


def test_unapproved_template_is_refused(agent, support):
    conversation = ConversationFactory(team=support, channel="whatsapp", inbound_ago=timedelta(hours=25))
    response = token_client(agent).post(
        url(conversation, "template"), {"name": "not_approved", "language": "en", "parameters": []}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"] == "not_allowed"
    assert not Message.objects.exists()


def test_templates_are_listed(agent):
    names = {t["name"] for t in token_client(agent).get("/api/v1/templates/").json()}
    assert "conversation_followup" in names


# --- assign, transfer, status, read -----------------------------------------------------------------


def test_assign_to_teammate_then_to_nobody(agent, support, teammate):
    conversation = ConversationFactory(team=support)
    api = token_client(agent)
    response = api.post(url(conversation, "assign"), {"agent": teammate.pk}, format="json")
    assert response.status_code == 200 and response.json()["assigned_agent"] == teammate.pk
    assert api.post(url(conversation, "assign"), {"agent": None}, format="json").json()["assigned_agent"] is None
    kinds = list(ConversationEvent.objects.filter(conversation=conversation).values_list("data", flat=True))
    assert kinds == [{"from_agent": None, "to_agent": teammate.pk}, {"from_agent": teammate.pk, "to_agent": None}]


def test_assign_to_a_non_member_is_refused(agent, support, outsider):
    conversation = ConversationFactory(team=support)
    response = token_client(agent).post(url(conversation, "assign"), {"agent": outsider.pk}, format="json")
    assert response.status_code in (403, 409)
    assert response.json()["error"] == "not_allowed"
    conversation.refresh_from_db()
    assert conversation.assigned_agent_id is None
    assert token_client(agent).post(url(conversation, "assign"), {"agent": 999999}, format="json").status_code == 400


def test_transfer_moves_out_of_the_agents_sight(agent, support, teams, outsider):
    conversation = ConversationFactory(team=support, assigned_agent=agent)
    api = token_client(agent)
    response = api.post(url(conversation, "transfer"), {"team": teams[1].pk}, format="json")
    assert response.status_code == 204
    conversation.refresh_from_db()
    assert (conversation.team_id, conversation.assigned_agent_id) == (teams[1].pk, None)
    assert api.get(url(conversation)).status_code == 404
    assert token_client(outsider).get(url(conversation)).status_code == 200


def test_resolve_then_reopen_and_bad_transition(agent, support):
    conversation = ConversationFactory(team=support)
    api = token_client(agent)
    assert api.post(url(conversation, "status"), {"status": "resolved"}, format="json").json()["status"] == "resolved"
    conversation.refresh_from_db()
    assert conversation.resolved_at is not None
    response = api.post(url(conversation, "status"), {"status": "pending"}, format="json")
    assert response.status_code == 409 and response.json()["error"] == "invalid_transition"
    assert api.post(url(conversation, "status"), {"status": "open"}, format="json").json()["status"] == "open"
    conversation.refresh_from_db()
    assert conversation.resolved_at is None
    assert api.post(url(conversation, "status"), {"status": "closed"}, format="json").status_code == 400


def test_read_clears_unread(agent, support):
    conversation = ConversationFactory(team=support)
    assert token_client(agent).post(url(conversation, "read")).status_code == 204
    conversation.refresh_from_db()
    assert conversation.unread_count == 0
    assert ConversationEvent.objects.filter(conversation=conversation, kind="conversation.read").count() == 1


# --- notes and canned responses ---------------------------------------------------------------------


def test_notes_are_stored_encrypted_and_listed(agent, support):
    conversation = ConversationFactory(team=support)
    api = token_client(agent)
    response = api.post(url(conversation, "notes"), {"body": "Customer prefers calls after 5pm"}, format="json")
    assert response.status_code == 201
    assert response.json()["author"] == "agent1"
    with connection.cursor() as cursor:
        cursor.execute("SELECT body_enc FROM conversations_note")
        (raw,) = cursor.fetchone()
    assert b"prefers calls" not in bytes(raw)
    notes = api.get(url(conversation, "notes")).json()["results"]
    assert [n["body"] for n in notes] == ["Customer prefers calls after 5pm"]
    assert api.post(url(conversation, "notes"), {"body": "   "}, format="json").status_code == 400
    assert Note.objects.count() == 1


def test_canned_responses_only_of_own_teams(agent, support, teams):
    CannedResponse.objects.create(team=support, shortcut="hello", language="de", title="Hi", body="Hallo!")
    CannedResponse.objects.create(team=teams[1], shortcut="offer", language="en", title="Offer", body="Buy")
    api = token_client(agent)
    assert [c["shortcut"] for c in api.get("/api/v1/canned-responses/").json()] == ["hello"]
    assert api.get(f"/api/v1/canned-responses/?team={teams[1].pk}").json() == []
    assert [c["body"] for c in api.get(f"/api/v1/canned-responses/?team={support.pk}&language=de").json()] == ["Hallo!"]
