"""Agents' presence: how many inbox sockets they have open, and what they say (online, away, offline).

Invariants:
- ``connections`` counts sockets (``presence_connect`` / ``presence_disconnect``, from the inbox socket) and
  never goes below zero; ``status`` is the agent's own choice (``presence_set``), with the time it was made.
- Auto-assignment (``selectors.online_agent_loads``) picks only agents who are connected *and* online.
  Going away or offline moves nothing: the agent's conversations stay assigned to them, and a supervisor
  reassigns them if needed (the availability panel shows who holds what).
- A change that supervisors can see (a new status, the first socket opened, the last one closed) is
  published after commit to ``presence-team-<id>`` for each of the agent's teams and to ``presence-all``
  (those who see every team). These groups are joined only by the supervisors' presence socket
  (``consumers.presence``), never by the agents' inbox socket. The frame carries the user id, username,
  status, whether connected and since when: no name, no e-mail, nothing about customers. Presence is state,
  not history: it has no outbox row; a supervisor's page that (re)connects reads the current state first.
"""

import logging
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from conversations.exceptions import NotAllowed
from conversations.models import AgentPresence, PresenceStatus, TeamMembership
from conversations.services.realtime import signal_send

logger = logging.getLogger(__name__)

PRESENCE_ALL_GROUP = "presence-all"
PRESENCE_MESSAGE_TYPE = "presence.changed"


def presence_team_group(team_id: int) -> str:
    return f"presence-team-{team_id}"


def presence_render(presence: AgentPresence, *, username: str) -> dict[str, Any]:
    """A presence as supervisors see it (the socket's frame and the API's row share it)."""
    since = presence.status_changed_at
    return {
        "user": presence.user_id,
        "username": username,
        "status": presence.status,
        "connected": presence.connections > 0,
        "since": since.isoformat() if since else None,
    }


def _publish_on_commit(presence: AgentPresence, *, user: AbstractBaseUser) -> None:
    payload = presence_render(presence, username=user.get_username())
    team_ids = list(TeamMembership.objects.filter(user_id=presence.user_id).values_list("team_id", flat=True))
    groups = [PRESENCE_ALL_GROUP, *(presence_team_group(team_id) for team_id in sorted(team_ids))]

    def publish() -> None:
        for group in groups:
            signal_send(group=group, message={"type": PRESENCE_MESSAGE_TYPE, "presence": payload})

    transaction.on_commit(publish, robust=True)


@transaction.atomic
def presence_set(*, user: AbstractBaseUser, status: str) -> AgentPresence:
    """The agent's own availability (the actor is the agent). Unchanged status: nothing is written or sent."""
    if status not in PresenceStatus.values:
        raise NotAllowed(f"unknown presence status {status!r}")
    AgentPresence.objects.get_or_create(user=user)
    presence = AgentPresence.objects.select_for_update().get(user=user)
    if presence.status == status:
        return presence
    presence.status = status
    presence.status_changed_at = timezone.now()
    presence.save(update_fields=["status", "status_changed_at", "last_seen_at"])
    _publish_on_commit(presence, user=user)
    return presence


def presence_get(*, user: AbstractBaseUser) -> AgentPresence:
    """The user's presence as stored; an agent who never opened the inbox is online, not connected."""
    found = AgentPresence.objects.filter(user=user).first()
    return found if found is not None else AgentPresence(user=user, connections=0)


@transaction.atomic
def presence_connect(*, user: AbstractBaseUser) -> None:
    """One more inbox socket; the first one tells the supervisors the agent is connected."""
    AgentPresence.objects.get_or_create(user=user)
    AgentPresence.objects.filter(user=user).update(connections=F("connections") + 1, last_seen_at=timezone.now())
    presence = AgentPresence.objects.get(user=user)
    if presence.connections == 1:
        _publish_on_commit(presence, user=user)


@transaction.atomic
def presence_disconnect(*, user: AbstractBaseUser) -> None:
    """One socket fewer (never below zero); the last one tells the supervisors the agent is gone."""
    updated = AgentPresence.objects.filter(user=user, connections__gt=0).update(
        connections=F("connections") - 1, last_seen_at=timezone.now()
    )
    if updated:
        presence = AgentPresence.objects.get(user=user)
        if presence.connections == 0:
            _publish_on_commit(presence, user=user)
