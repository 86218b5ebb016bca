"""``/`` leads each role to its home, and browsers find our icon."""

import pytest
from django.contrib.staticfiles import finders

from consent.tests.factories import UserFactory
from contactcenter import roles

pytestmark = pytest.mark.django_db


def test_a_visitor_without_an_account_gets_the_three_ways_in(client):
    page = client.get("/", headers={"accept-language": "de"})
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="de">' in html and "Ihre Daten, Ihre Rechte" in html  # a customer reads it in German
    # Customers to the self-service page, agents to the inbox, the DPO to the admin.
    for entry, link in (("privacy", "/privacy/"), ("inbox", "/inbox/"), ("admin", "/admin/")):
        assert f'id="entry-{entry}"><a href="{link}"' in html
    assert client.get("/privacy/").status_code == 200  # the customer's link works without an account


def test_a_company_that_takes_requests_elsewhere_sends_its_customers_there(client, settings):
    settings.SUBJECT_RIGHTS_URL = "https://shop.example/privacy-request"
    html = client.get("/").content.decode()
    assert 'id="entry-privacy"><a href="https://shop.example/privacy-request"' in html


@pytest.mark.parametrize(
    ("role", "staff", "superuser", "home"),
    [
        (roles.AGENT, False, False, "/inbox/"),
        (roles.SUPERVISOR, True, False, "/inbox/"),  # an agent who also manages the team
        (roles.DPO, True, False, "/admin/"),  # may read the inbox, but the dashboard is where the work waits
        (roles.ADMIN, True, True, "/admin/"),
    ],
)
def test_each_role_is_sent_to_its_home(client, role, staff, superuser, home):
    client.force_login(UserFactory(username=f"u-{role}", role=role, is_staff=staff, is_superuser=superuser))
    response = client.get("/")
    assert (response.status_code, response["Location"]) == (302, home)
    assert client.get(home, follow=True).status_code == 200  # and it opens for them


def test_staff_without_the_inbox_go_to_the_admin_and_others_see_the_landing_page(client):
    client.force_login(UserFactory(username="clerk", is_staff=True))
    assert client.get("/")["Location"] == "/admin/"
    client.force_login(UserFactory(username="nobody"))  # an account with no role at all
    assert client.get("/").status_code == 200


def test_the_favicon_is_ours_and_favicon_ico_finds_it(client):
    assert finders.find("contactcenter/favicon.svg")
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("/static/contactcenter/favicon.svg")
    icon = '<link rel="icon" href="/static/contactcenter/favicon.svg" type="image/svg+xml">'
    assert icon in client.get("/").content.decode()
    assert icon in client.get("/privacy/").content.decode()
    assert icon in client.get("/inbox/login/").content.decode()
    assert icon in client.get("/admin/login/").content.decode()
