"""Agent actions on a conversation (assign, transfer, status, read, notes, presence) against the database."""

import pytest
from django.db import connection, transaction

from consent.exceptions import InvalidTransition
from conversations import services
from conversations.exceptions import NotAllowed
from conversations.models import AgentPresence, ConversationEvent, Note
from conversations.tests.factories import ConversationFactory


@pytest.fixture
def conversation(support):
    """A web-chat conversation in Support, four messages unread."""
    return ConversationFactory(team=support, unread_count=4)


def events(conversation) -> list[tuple[str, int | None, int | None, dict]]:
    return list(
        ConversationEvent.objects.filter(conversation=conversation)
        .order_by("id")
        .values_list("kind", "team_id", "agent_id", "data")
    )


def test_assign_records_who_and_publishes_to_the_new_agent(conversation, agent, dpo):
    services.conversation_assign(conversation=conversation, agent=agent, actor=dpo)
    conversation.refresh_from_db()
    assert conversation.assigned_agent_id == agent.pk
    assert events(conversation) == [
        ("conversation.assigned", conversation.team_id, agent.pk, {"from_agent": None, "to_agent": agent.pk})
    ]
    latest = conversation.history.latest()
    assert (latest.history_user_id, latest.history_change_reason) == (dpo.pk, "assigned")


def test_assign_to_a_non_member_is_refused_and_changes_nothing(conversation, outsider):
    with pytest.raises(NotAllowed):
        services.conversation_assign(conversation=conversation, agent=outsider, actor=None)
    conversation.refresh_from_db()
    assert conversation.assigned_agent_id is None
    assert events(conversation) == []


def test_transfer_unassigns_and_the_event_belongs_to_the_new_team(conversation, agent, teams):
    services.conversation_assign(conversation=conversation, agent=agent, actor=None)
    services.conversation_transfer(conversation=conversation, team=teams[1], actor=agent)
    conversation.refresh_from_db()
    assert (conversation.team_id, conversation.assigned_agent_id) == (teams[1].pk, None)
    assert events(conversation)[-1] == ("conversation.transferred", teams[1].pk, None, {"from_team": teams[0].pk})


def test_status_follows_the_transitions_table(conversation, agent):
    services.conversation_resolve(conversation=conversation, actor=agent)
    conversation.refresh_from_db()
    assert conversation.status == "resolved" and conversation.resolved_at is not None
    with pytest.raises(InvalidTransition):
        services.conversation_set_status(conversation=conversation, status="pending", actor=agent)
    with pytest.raises(InvalidTransition):
        services.conversation_set_status(conversation=conversation, status="resolved", actor=agent)
    services.conversation_set_status(conversation=conversation, status="open", actor=agent)
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.resolved_at is None
    assert [e[3] for e in events(conversation)] == [{"status": "resolved"}, {"status": "open"}]


def test_mark_read_only_records_an_event_when_something_was_unread(conversation, agent):
    services.conversation_mark_read(conversation=conversation, actor=agent)
    services.conversation_mark_read(conversation=conversation, actor=agent)
    conversation.refresh_from_db()
    assert conversation.unread_count == 0
    assert events(conversation) == [("conversation.read", conversation.team_id, None, {"by": agent.pk})]


def test_note_is_encrypted_at_rest_and_empty_notes_are_refused(conversation, agent):
    note = services.note_add(conversation=conversation, actor=agent, body="  Called back, wants a refund  ")
    assert Note.objects.get(pk=note.pk).body == "Called back, wants a refund"
    with connection.cursor() as cursor:
        cursor.execute("SELECT body_enc FROM conversations_note WHERE id = %s", [note.pk])
        (raw,) = cursor.fetchone()
    assert b"refund" not in bytes(raw)
    assert events(conversation) == [("conversation.note", conversation.team_id, None, {"note": note.pk})]
    with pytest.raises(NotAllowed):
        services.note_add(conversation=conversation, actor=agent, body="   ")
    assert Note.objects.count() == 1


def test_events_are_published_only_after_commit(conversation, agent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                services.note_add(conversation=conversation, actor=agent, body="rolled back")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == [] and not ConversationEvent.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        services.note_add(conversation=conversation, actor=agent, body="kept")
    assert len(callbacks) == 1


def test_presence_counts_connections_and_never_goes_negative(agent):
    services.presence_connect(user=agent)
    services.presence_connect(user=agent)
    services.presence_disconnect(user=agent)
    assert AgentPresence.objects.get(user=agent).connections == 1
    services.presence_disconnect(user=agent)
    services.presence_disconnect(user=agent)
    assert AgentPresence.objects.get(user=agent).connections == 0
