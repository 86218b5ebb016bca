"""Teams edited in the admin: every write goes through the team services, with who and why."""

import pytest

from consent.tests.factories import UserFactory
from contactcenter import roles
from conversations.models import Team, TeamMembership
from conversations.tests.factories import TeamFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="boss", role=roles.ADMIN, is_staff=True)
    client.force_login(admin)
    client.user = admin
    return client


def form_data(team: Team, **changes) -> dict:
    data = {
        "name": team.name, "slug": team.slug, "auto_assign": "on" if team.auto_assign else "",
        "is_default": "on" if team.is_default else "", "languages": ["de"],
        "sensitive_policy": team.sensitive_policy, "reason": "",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_changing_the_sensitive_policy_needs_a_reason_and_records_who(admin_client):
    team = TeamFactory(name="Billing", languages=["de"])
    url = f"/admin/conversations/team/{team.pk}/change/"

    refused = admin_client.post(url, form_data(team, sensitive_policy="redact"))
    assert refused.status_code == 200 and "the DPO will ask" in refused.content.decode()
    team.refresh_from_db()
    assert team.sensitive_policy == "mask"

    saved = admin_client.post(url, form_data(team, sensitive_policy="redact", reason="cards never kept in billing"))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    team.refresh_from_db()
    assert team.sensitive_policy == "redact"
    latest = team.history.first()
    assert (latest.history_user, latest.history_change_reason) == (admin_client.user, "cards never kept in billing")


def test_members_added_and_removed_in_the_admin_go_through_the_services(admin_client, agent):
    team = TeamFactory(name="Care", languages=["de"])
    url = f"/admin/conversations/team/{team.pk}/change/"
    added = admin_client.post(
        url,
        form_data(
            team, **{"memberships-TOTAL_FORMS": "1", "memberships-0-user": str(agent.pk),
                     "memberships-0-role": "supervisor", "memberships-0-team": str(team.pk)},
        ),
    )  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:2000]
    membership = TeamMembership.objects.get(team=team)
    assert (membership.user, membership.role) == (agent, "supervisor")

    removed = admin_client.post(
        url,
        form_data(
            team, **{"memberships-TOTAL_FORMS": "1", "memberships-INITIAL_FORMS": "1",
                     "memberships-0-id": str(membership.pk), "memberships-0-user": str(agent.pk),
                     "memberships-0-role": "supervisor", "memberships-0-team": str(team.pk),
                     "memberships-0-DELETE": "on"},
        ),
    )  # fmt: skip
    assert removed.status_code == 302
    assert not TeamMembership.objects.filter(team=team).exists()
    # Who joined and who left, and who decided it: the history (membership decides who sees what).
    kept = TeamMembership.history.filter(team_id=team.pk).order_by("history_id")
    assert [(h.history_type, h.history_change_reason, h.history_user) for h in kept] == [
        ("+", "joined the team", admin_client.user),
        ("-", "left the team", admin_client.user),
    ]


def test_a_team_created_and_renamed_in_the_admin_has_its_history(admin_client):
    created = admin_client.post(
        "/admin/conversations/team/add/",
        form_data(Team(name="Returns", slug="returns", auto_assign=True), sensitive_policy="redact"),
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    team = Team.objects.get(slug="returns")
    assert team.sensitive_policy == "redact" and team.languages == ["de"]
    renamed = admin_client.post(
        f"/admin/conversations/team/{team.pk}/change/", form_data(team, name="Returns desk", reason="new name")
    )
    assert renamed.status_code == 302
    reasons = [h.history_change_reason for h in team.history.order_by("history_id")]
    assert reasons == ["team created", "chosen when the team was created", "new name"]
    assert all(h.history_user == admin_client.user for h in team.history.all())
