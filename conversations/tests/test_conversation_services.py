"""Agent actions on a conversation (assign, transfer, status, read, notes, presence) against the database."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from conftest import make_user
from consent import services as consent_services
from consent.exceptions import InvalidTransition
from contactcenter import roles
from conversations.exceptions import NotAllowed
from conversations.models import AgentPresence, Conversation, ConversationEvent, Note
from conversations.services import (
    conversation_assign,
    conversation_mark_read,
    conversation_resolve,
    conversation_set_status,
    conversation_transfer,
    note_add,
    presence_connect,
    presence_disconnect,
    team_create,
    team_member_add,
)


@pytest.fixture
def teams(db):
    return team_create(name="Support", slug="support", actor=None), team_create(name="Sales", slug="sales", actor=None)


@pytest.fixture
def conversation(teams, agent):
    team_member_add(team=teams[0], user=agent, actor=None)
    subject = consent_services.subject_create(kind="webchat", value="visitor-1", display_name="E. M.", actor=None)
    return Conversation.objects.create(
        subject=subject, channel="webchat", team=teams[0], last_inbound_at=timezone.now(), unread_count=4
    )


def events(conversation) -> list[tuple[str, int | None, int | None, dict]]:
    return list(
        ConversationEvent.objects.filter(conversation=conversation)
        .order_by("id")
        .values_list("kind", "team_id", "agent_id", "data")
    )


def test_assign_records_who_and_publishes_to_the_new_agent(conversation, agent, dpo):
    conversation_assign(conversation=conversation, agent=agent, actor=dpo)
    conversation.refresh_from_db()
    assert conversation.assigned_agent_id == agent.pk
    assert events(conversation) == [
        ("conversation.assigned", conversation.team_id, agent.pk, {"from_agent": None, "to_agent": agent.pk})
    ]
    latest = conversation.history.latest()
    assert (latest.history_user_id, latest.history_change_reason) == (dpo.pk, "assigned")


def test_assign_to_a_non_member_is_refused_and_changes_nothing(conversation, django_user_model, teams):
    outsider = make_user(django_user_model, "sales1", roles.AGENT)
    team_member_add(team=teams[1], user=outsider, actor=None)
    with pytest.raises(NotAllowed):
        conversation_assign(conversation=conversation, agent=outsider, actor=None)
    conversation.refresh_from_db()
    assert conversation.assigned_agent_id is None
    assert events(conversation) == []


def test_transfer_unassigns_and_the_event_belongs_to_the_new_team(conversation, agent, teams):
    conversation_assign(conversation=conversation, agent=agent, actor=None)
    conversation_transfer(conversation=conversation, team=teams[1], actor=agent)
    conversation.refresh_from_db()
    assert (conversation.team_id, conversation.assigned_agent_id) == (teams[1].pk, None)
    assert events(conversation)[-1] == ("conversation.transferred", teams[1].pk, None, {"from_team": teams[0].pk})


def test_status_follows_the_transitions_table(conversation, agent):
    conversation_resolve(conversation=conversation, actor=agent)
    conversation.refresh_from_db()
    assert conversation.status == "resolved" and conversation.resolved_at is not None
    with pytest.raises(InvalidTransition):
        conversation_set_status(conversation=conversation, status="pending", actor=agent)
    with pytest.raises(InvalidTransition):
        conversation_set_status(conversation=conversation, status="resolved", actor=agent)
    conversation_set_status(conversation=conversation, status="open", actor=agent)
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.resolved_at is None
    assert [e[3] for e in events(conversation)] == [{"status": "resolved"}, {"status": "open"}]


def test_mark_read_only_records_an_event_when_something_was_unread(conversation, agent):
    conversation_mark_read(conversation=conversation, actor=agent)
    conversation_mark_read(conversation=conversation, actor=agent)
    conversation.refresh_from_db()
    assert conversation.unread_count == 0
    assert events(conversation) == [("conversation.read", conversation.team_id, None, {"by": agent.pk})]


def test_note_is_encrypted_at_rest_and_empty_notes_are_refused(conversation, agent):
    note = note_add(conversation=conversation, actor=agent, body="  Called back, wants a refund  ")
    assert Note.objects.get(pk=note.pk).body == "Called back, wants a refund"
    with connection.cursor() as cursor:
        cursor.execute("SELECT body_enc FROM conversations_note WHERE id = %s", [note.pk])
        (raw,) = cursor.fetchone()
    assert b"refund" not in bytes(raw)
    assert events(conversation) == [("conversation.note", conversation.team_id, None, {"note": note.pk})]
    with pytest.raises(NotAllowed):
        note_add(conversation=conversation, actor=agent, body="   ")
    assert Note.objects.count() == 1


def test_events_are_published_only_after_commit(conversation, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                note_add(conversation=conversation, actor=agent, body="rolled back")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == [] and not ConversationEvent.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        note_add(conversation=conversation, actor=agent, body="kept")
    assert len(callbacks) == 1


def test_presence_counts_connections_and_never_goes_negative(agent):
    presence_connect(user=agent)
    presence_connect(user=agent)
    presence_disconnect(user=agent)
    assert AgentPresence.objects.get(user=agent).connections == 1
    presence_disconnect(user=agent)
    presence_disconnect(user=agent)
    assert AgentPresence.objects.get(user=agent).connections == 0
