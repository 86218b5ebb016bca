"""Teams and their members."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from conversations.exceptions import NotAllowed
from conversations.models import CannedResponse, SensitivePolicy, Team, TeamMembership


@transaction.atomic
def team_create(
    *, name: str, slug: str, auto_assign: bool = True, is_default: bool = False, actor: AbstractBaseUser | None
) -> Team:
    team = Team(name=name, slug=slug, auto_assign=auto_assign, is_default=is_default)
    team.full_clean()
    team._history_user = actor
    team.save()
    return team


@transaction.atomic
def team_member_add(
    *, team: Team, user: AbstractBaseUser, role: str = TeamMembership.Role.AGENT, actor: AbstractBaseUser | None
) -> TeamMembership:
    membership, created = TeamMembership.objects.get_or_create(team=team, user=user, defaults={"role": role})
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def canned_response_create(
    *, team: Team, shortcut: str, language: str, title: str, body: str, actor: AbstractBaseUser | None
) -> CannedResponse:
    response = CannedResponse(team=team, shortcut=shortcut, language=language, title=title, body=body)
    response.full_clean()
    response.save()
    return response


@transaction.atomic
def team_set_sensitive_policy(*, team: Team, policy: str, actor: AbstractBaseUser | None, reason: str) -> Team:
    """Mask identifiers in the agent's view (``mask``) or store only their masked form (``redact``)."""
    if policy not in SensitivePolicy.values:
        raise NotAllowed(f"unknown sensitive-data policy {policy!r}")
    team.sensitive_policy = policy
    team._history_user, team._change_reason = actor, reason
    team.save(update_fields=["sensitive_policy"])
    return team
