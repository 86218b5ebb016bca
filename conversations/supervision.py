"""What supervisors read about their teams: which teams they oversee, and who in them is available.

A team's supervisors (``TeamMembership.Role.SUPERVISOR``) oversee their teams; holders of
``view_all_conversations`` (the DPO, admins) oversee every team. The reports page, the availability panel,
its socket and the presence API all ask ``supervised_teams`` and nothing else.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count

from conversations.models import AgentPresence, Conversation, ConversationStatus, Team, TeamMembership
from conversations.selectors import VIEW_ALL
from conversations.services.presence import presence_render


def supervised_teams(*, user: AbstractBaseUser) -> list[Team]:
    """The teams the user oversees, by name; empty for a plain agent (or anyone signed out)."""
    if not user.is_authenticated or not user.is_active:
        return []
    if user.has_perm(VIEW_ALL):
        return list(Team.objects.order_by("name"))
    return list(
        Team.objects.filter(memberships__user=user, memberships__role=TeamMembership.Role.SUPERVISOR)
        .order_by("name")
        .distinct()
    )


def sees_every_team(*, user: AbstractBaseUser) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_ALL)


def team_presence_list(*, teams: list[Team]) -> list[dict[str, Any]]:
    """Each team with its active members: role, status, connected or not, since when, conversations held in
    that team (open or pending; a member's work for teams the reader does not oversee is not counted).
    Three queries whatever the number of teams and members."""
    memberships = list(
        TeamMembership.objects.filter(team__in=teams, user__is_active=True)
        .select_related("user__presence")
        .order_by("user__username")
    )
    user_ids = {m.user_id for m in memberships}
    held = {
        (agent_id, team_id): n
        for agent_id, team_id, n in Conversation.objects.filter(
            assigned_agent_id__in=user_ids,
            team__in=teams,
            status__in=[ConversationStatus.OPEN, ConversationStatus.PENDING],
        )
        .values("assigned_agent_id", "team_id")
        .annotate(n=Count("id"))
        .values_list("assigned_agent_id", "team_id", "n")
    }
    by_team: dict[int, list[dict[str, Any]]] = {team.pk: [] for team in teams}
    for membership in memberships:
        user = membership.user
        try:
            presence = user.presence
        except ObjectDoesNotExist:  # never opened the inbox: online by default, not connected
            presence = AgentPresence(user=user, connections=0)
        row = presence_render(presence, username=user.get_username())
        row["role"] = membership.role
        row["held"] = held.get((user.pk, membership.team_id), 0)
        by_team[membership.team_id].append(row)
    return [{"id": team.pk, "name": team.name, "members": by_team[team.pk]} for team in teams]


def oversees_any_team(*, user: AbstractBaseUser) -> bool:
    """Whether the header links to the reports (one cheap query, no team list)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm(VIEW_ALL):
        return True
    return TeamMembership.objects.filter(user=user, role=TeamMembership.Role.SUPERVISOR).exists()
