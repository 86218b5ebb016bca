"""Teams, their members, canned responses and the sensitive-data policy: every write, the admin's included."""

from collections.abc import Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from consent.history import history_note, reason_required
from conversations.exceptions import NotAllowed
from conversations.models import CannedResponse, SensitivePolicy, Team, TeamMembership

# What team_update may change; the sensitive-data policy has a service of its own (it needs a reason).
TEAM_FIELDS = ("name", "slug", "auto_assign", "is_default", "languages")


@transaction.atomic
def team_create(
    *,
    name: str,
    slug: str,
    auto_assign: bool = True,
    is_default: bool = False,
    languages: Sequence[str] = (),
    actor: AbstractBaseUser | None,
) -> Team:
    team = Team(name=name, slug=slug, auto_assign=auto_assign, is_default=is_default, languages=list(languages))
    team.full_clean()
    history_note(team, actor=actor, reason="team created")
    team.save()
    return team


@transaction.atomic
def team_update(*, team: Team, actor: AbstractBaseUser | None, reason: str = "", **changes: object) -> Team:
    """Change any of ``TEAM_FIELDS``; validated, with who and why in the team's history."""
    unknown = set(changes) - set(TEAM_FIELDS)
    if unknown:
        raise NotAllowed(f"team {team.pk}: {', '.join(sorted(unknown))} cannot be changed here")
    team = Team.objects.select_for_update().get(pk=team.pk)
    changed = [field for field, value in changes.items() if getattr(team, field) != value]
    if not changed:
        return team
    for field in changed:
        setattr(team, field, changes[field])
    team.full_clean()
    history_note(team, actor=actor, reason=reason or "team edited")
    team.save(update_fields=changed)
    return team


@transaction.atomic
def team_set_sensitive_policy(*, team: Team, policy: str, actor: AbstractBaseUser | None, reason: str) -> Team:
    """Mask identifiers in the agent's view (``mask``) or store only their masked form (``redact``).
    A DPO would ask why, so a reason is required and kept in the team's history with who changed it."""
    if policy not in SensitivePolicy.values:
        raise NotAllowed(f"unknown sensitive-data policy {policy!r}")
    reason_required(reason, change="changing the sensitive-data policy")
    team = Team.objects.select_for_update().get(pk=team.pk)
    if team.sensitive_policy == policy:
        return team
    team.sensitive_policy = policy
    history_note(team, actor=actor, reason=reason)
    team.save(update_fields=["sensitive_policy"])
    return team


@transaction.atomic
def team_delete(*, team: Team, actor: AbstractBaseUser | None, reason: str = "") -> None:
    """Delete a team; its conversations stay, unrouted (their team becomes empty), and the history keeps who."""
    history_note(team, actor=actor, reason=reason or "team deleted")
    team.delete()


@transaction.atomic
def team_member_add(
    *, team: Team, user: AbstractBaseUser, role: str = TeamMembership.Role.AGENT, actor: AbstractBaseUser | None
) -> TeamMembership:
    """Add a member, or change a member's role (agent or supervisor)."""
    if role not in TeamMembership.Role.values:
        raise NotAllowed(f"unknown team role {role!r}")
    membership = TeamMembership.objects.select_for_update().filter(team=team, user=user).first()
    if membership is None:
        membership = TeamMembership(team=team, user=user, role=role)
        history_note(membership, actor=actor, reason="joined the team")
        membership.save(force_insert=True)
    elif membership.role != role:
        membership.role = role
        history_note(membership, actor=actor, reason=f"now {role}")
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def team_member_remove(*, team: Team, user: AbstractBaseUser, actor: AbstractBaseUser | None) -> bool:
    """Take a user out of a team; their assigned conversations stay assigned. False if they were no member."""
    membership = TeamMembership.objects.filter(team=team, user=user).first()
    if membership is None:
        return False
    history_note(membership, actor=actor, reason="left the team")
    membership.delete()  # the history keeps the row, who removed it and when
    return True


@transaction.atomic
def canned_response_create(
    *, team: Team, shortcut: str, language: str, title: str, body: str, actor: AbstractBaseUser | None
) -> CannedResponse:
    response = CannedResponse(team=team, shortcut=shortcut, language=language, title=title, body=body)
    response.full_clean()
    response.save()
    return response
