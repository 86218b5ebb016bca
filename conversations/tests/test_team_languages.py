"""A team's languages are ticked from the five we serve, not typed as JSON."""

import re

import pytest

from consent.tests.factories import UserFactory
from contactcenter import roles
from conversations.models import Team
from conversations.tests.factories import TeamFactory
from conversations.tests.test_team_admin import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(username="boss", role=roles.ADMIN, is_staff=True)
    client.force_login(admin)
    client.user = admin
    return client


def boxes(html: str) -> dict[str, bool]:
    """Each language checkbox of the form: ticked or not."""
    found = re.findall(r'<input type="checkbox" name="languages" value="([^"]+)"([^>]*)>', html)
    return {value: "checked" in rest for value, rest in found}


def test_the_form_offers_the_five_languages_ticked_as_stored(admin_client):
    team = TeamFactory(name="Benelux", languages=["nl", "de"])
    html = admin_client.get(f"/admin/conversations/team/{team.pk}/change/").content.decode()
    assert boxes(html) == {"en": False, "de": True, "nl": True, "it": False, "pt-br": False}
    assert '<textarea name="languages"' not in html  # no JSON to type
    german = admin_client.get(f"/admin/conversations/team/{team.pk}/change/", headers={"accept-language": "de"})
    assert "Niederländisch" in german.content.decode()  # named in the admin's language


def test_ticked_languages_are_stored_as_the_list_in_our_order_with_who(admin_client):
    team = TeamFactory(name="South", languages=[])
    url = f"/admin/conversations/team/{team.pk}/change/"
    saved = admin_client.post(url, form_data(team, languages=["pt-br", "it"], reason="new market"))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    team.refresh_from_db()
    assert team.languages == ["it", "pt-br"]
    latest = team.history.first()
    assert (latest.history_user, latest.history_change_reason) == (admin_client.user, "new market")
    # None ticked: the team serves no language first.
    cleared = admin_client.post(url, {k: v for k, v in form_data(team).items() if k != "languages"})
    assert cleared.status_code == 302
    team.refresh_from_db()
    assert team.languages == []


def test_a_language_we_do_not_serve_is_refused_and_nothing_changes(admin_client):
    team = TeamFactory(name="North", languages=["de"])
    refused = admin_client.post(f"/admin/conversations/team/{team.pk}/change/", form_data(team, languages=["fr"]))
    assert refused.status_code == 200 and "fr is not one of the available choices" in refused.content.decode()
    team.refresh_from_db()
    assert team.languages == ["de"]
    new = form_data(Team(name="New", slug="new"), languages=["sv"])
    created = admin_client.post("/admin/conversations/team/add/", new)
    assert created.status_code == 200 and not Team.objects.filter(slug="new").exists()
