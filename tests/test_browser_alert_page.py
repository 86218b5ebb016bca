"""The DPO handles one sensitive-data alert from its own page, in a real browser: the queue opens on the open
alerts, the alert's page offers what its status allows, and a click moves it with a message, back to the list."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from conversations import services
from conversations.models import SensitiveAlert
from conversations.services.sensitive import watch_terms_forget
from conversations.tests.conftest import inbound_text
from tests.conftest import DORA_PASSWORD, log_in


@pytest.fixture
def two_alerts(anna, dora, notices):
    watch_terms_forget()
    services.watch_term_create(actor=dora, kind="finding", value="payment_card", severity="high")
    for n in range(2):
        inbound = inbound_text(f"49151234567{n}", f"Karte {n}: 4111 1111 1111 1111", message_id=f"wamid.b{n}")
        services.ingest(inbound=inbound)
    yield list(SensitiveAlert.objects.order_by("pk"))
    watch_terms_forget()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dpo_acknowledges_an_alert_on_its_page_and_the_queue_shows_what_is_left(
    asgi_server, chromium, two_alerts, dora
):
    first, second = two_alerts
    page = chromium.new_context(locale="en-GB").new_page()
    page.set_default_timeout(15_000)
    log_in(page, f"{asgi_server}/admin/login/?next=/admin/conversations/sensitivealert/", "dora", DORA_PASSWORD)
    expect(page).to_have_url(re.compile(r"/admin/conversations/sensitivealert/\?status__exact=open$"))
    expect(page.locator("#open-alert-count")).to_have_text("Open alerts: 2")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)

    page.goto(f"{asgi_server}/admin/conversations/sensitivealert/{first.pk}/change/")
    expect(page.locator("#alert-status")).to_contain_text("This alert is “Open”.")
    expect(page.locator("#alert-acknowledged")).to_be_visible()
    expect(page.locator("#alert-dismissed")).to_be_visible()
    page.click("#alert-acknowledged")

    expect(page).to_have_url(re.compile(r"/admin/conversations/sensitivealert/\?status__exact=open$"))
    expect(page.locator(".messagelist")).to_contain_text("Alert marked “Acknowledged”.")
    expect(page.locator("#open-alert-count")).to_have_text("Open alerts: 1")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    first.refresh_from_db()
    assert (first.status, first.handled_by) == ("acknowledged", dora)

    # Every alert stays one click away; the acknowledged one may still be dismissed, nothing more.
    page.get_by_role("link", name=re.compile(r"^All alerts")).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    page.goto(f"{asgi_server}/admin/conversations/sensitivealert/{first.pk}/change/")
    expect(page.locator("#alert-acknowledged")).to_have_count(0)
    expect(page.locator("#alert-dismissed")).to_be_visible()
    second.refresh_from_db()
    assert second.status == "open"


# serialized_rollback as the other live-server tests: a plain flush would re-create the role groups they reload.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_running_server_answers_favicon_ico_with_our_svg(asgi_server):
    response = httpx.get(f"{asgi_server}/favicon.ico", follow_redirects=True)
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg") and "<title>Contact center</title>" in response.text
