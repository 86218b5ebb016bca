"""Agent actions on a conversation: assign, transfer, status, read, notes (presence: ``services.presence``)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from consent.exceptions import InvalidTransition
from consent.history import history_note
from conversations.exceptions import NotAllowed
from conversations.models import (
    CONVERSATION_TRANSITIONS,
    Conversation,
    ConversationStatus,
    Note,
    Team,
    TeamMembership,
)
from conversations.services.realtime import event_record


def conversation_locked(conversation: Conversation) -> Conversation:
    """The conversation's row locked for a change or a send, read fresh with what the checks and the scan
    read (subject, team's policy)."""
    return (
        Conversation.objects.select_for_update(of=("self",)).select_related("subject", "team").get(pk=conversation.pk)
    )


@transaction.atomic
def conversation_assign(
    *, conversation: Conversation, agent: AbstractBaseUser | None, actor: AbstractBaseUser | None, reason: str = ""
) -> Conversation:
    """Assign to an agent of the conversation's team (``None`` puts it back in the queue)."""
    conversation = conversation_locked(conversation)
    if agent is not None and conversation.team_id is not None:
        if not TeamMembership.objects.filter(team_id=conversation.team_id, user=agent).exists():
            raise NotAllowed(f"user {agent.pk} is not in team {conversation.team_id}")
    previous = conversation.assigned_agent_id
    conversation.assigned_agent = agent
    history_note(conversation, actor=actor, reason=reason or "assigned")
    conversation.save(update_fields=["assigned_agent"])
    event_record(
        kind="conversation.assigned",
        conversation=conversation,
        data={"from_agent": previous, "to_agent": agent.pk if agent else None},
    )
    return conversation


def conversation_take_on_reply(
    *, conversation: Conversation, actor: AbstractBaseUser | None, reason: str
) -> Conversation:
    """Answering a conversation nobody holds makes it the answering agent's, if they belong to its team (a
    supervisor or DPO answering across teams leaves it in the queue). Call inside the sender's transaction,
    with the conversation locked."""
    if conversation.assigned_agent_id is not None or actor is None or not actor.is_authenticated:
        return conversation
    if conversation.team_id is not None:
        if not TeamMembership.objects.filter(team_id=conversation.team_id, user=actor).exists():
            return conversation
    return conversation_assign(conversation=conversation, agent=actor, actor=actor, reason=reason)


@transaction.atomic
def conversation_transfer(
    *, conversation: Conversation, team: Team, actor: AbstractBaseUser | None, reason: str = ""
) -> Conversation:
    """Move to another team's queue, unassigned."""
    conversation = conversation_locked(conversation)
    previous_team = conversation.team_id
    conversation.team, conversation.assigned_agent = team, None
    history_note(conversation, actor=actor, reason=reason or "transferred")
    conversation.save(update_fields=["team", "assigned_agent"])
    event_record(kind="conversation.transferred", conversation=conversation, data={"from_team": previous_team})
    return conversation


@transaction.atomic
def conversation_set_status(
    *, conversation: Conversation, status: str, actor: AbstractBaseUser | None, reason: str = ""
) -> Conversation:
    conversation = conversation_locked(conversation)
    conversation_status_move(conversation, status=status, actor=actor, reason=reason)
    return conversation


def conversation_status_move(
    conversation: Conversation, *, status: str, actor: AbstractBaseUser | None, reason: str = ""
) -> None:
    """The one place a status changes: along ``CONVERSATION_TRANSITIONS``, with history and the event.
    ``conversation`` is locked by the caller (``conversation_set_status``, or ingest when the customer answers)."""
    if status not in CONVERSATION_TRANSITIONS.get(conversation.status, frozenset()):
        raise InvalidTransition(f"conversation {conversation.pk} is {conversation.status}; cannot become {status}")
    conversation.status = status
    conversation.resolved_at = timezone.now() if status == ConversationStatus.RESOLVED else None
    history_note(conversation, actor=actor, reason=reason or status)
    conversation.save(update_fields=["status", "resolved_at"])
    event_record(kind="conversation.status", conversation=conversation, data={"status": status})


def conversation_resolve(*, conversation: Conversation, actor: AbstractBaseUser | None) -> Conversation:
    return conversation_set_status(conversation=conversation, status=ConversationStatus.RESOLVED, actor=actor)


@transaction.atomic
def conversation_mark_read(*, conversation: Conversation, actor: AbstractBaseUser) -> None:
    updated = Conversation.objects.filter(pk=conversation.pk, unread_count__gt=0).update(unread_count=0)
    if updated:
        conversation.unread_count = 0
        event_record(kind="conversation.read", conversation=conversation, data={"by": actor.pk})


@transaction.atomic
def note_add(*, conversation: Conversation, actor: AbstractBaseUser, body: str) -> Note:
    body = body.strip()
    if not body:
        raise NotAllowed("an empty note is not saved")
    conversation = Conversation.objects.select_related("subject").get(pk=conversation.pk)
    note = Note(conversation=conversation, author=actor)
    note.body = body[:10000]
    note.save(force_insert=True)
    event_record(kind="conversation.note", conversation=conversation, data={"note": note.pk})
    return note
