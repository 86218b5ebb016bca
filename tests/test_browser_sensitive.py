"""The sensitive-data guard in real browsers: the agent sees a card number masked and must give a reason
to reveal it; the DPO, on the admin alert queue, sees the alert arrive live."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from consent.models import AccessRecord
from conversations import services
from conversations.services.sensitive import watch_terms_forget
from tests.conftest import ANNA_PASSWORD, DORA_PASSWORD, log_in

WA_ID = "4915123456789"
CARD = "4111 1111 1111 1111"


@pytest.fixture
def people(anna, dora):
    """The agent and the DPO, who is alerted to every card number."""
    watch_terms_forget()
    services.watch_term_create(actor=dora, kind="finding", value="payment_card", severity="high")
    yield anna, dora
    watch_terms_forget()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_card_number_masked_for_the_agent_reveal_needs_a_reason_dpo_alerted_live(
    asgi_server, fake_graph, chromium, people, notices
):
    agent, _ = people
    dpo_page = chromium.new_context(locale="en-GB").new_page()
    dpo_page.set_default_timeout(15_000)
    log_in(dpo_page, f"{asgi_server}/admin/login/?next=/admin/conversations/sensitivealert/", "dora", DORA_PASSWORD)
    expect(dpo_page).to_have_url(re.compile(r"/admin/conversations/sensitivealert/"))
    expect(dpo_page.locator("#live-alerts")).to_have_attribute("data-state", "live")

    agent_page = chromium.new_context(locale="de-DE").new_page()
    agent_page.set_default_timeout(15_000)
    log_in(agent_page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    expect(agent_page.locator("#connection")).to_have_attribute("data-state", "live")
    assert fake_graph.customer_says(WA_ID, "Erika Mustermann", "Hallo, ich möchte bezahlen")[0] == 200
    agent_page.locator("#conversation-list [data-conversation-id] a").first.click()
    expect(agent_page.locator("#connection")).to_have_attribute("data-state", "live")

    assert fake_graph.customer_says(WA_ID, "Erika Mustermann", f"Meine Karte: {CARD}")[0] == 200

    # The agent: masked, live, with the last four digits.
    bubble = agent_page.locator('#messages [data-direction="in"]').last
    expect(bubble).to_contain_text("Meine Karte: •••• •••• •••• 1111")
    expect(agent_page.locator("#messages")).not_to_contain_text("4111 1111")
    # The DPO: the alert, live, masked.
    alert = dpo_page.locator("#live-alert-list .live-alert").first
    expect(alert).to_contain_text("detected: payment_card")
    expect(alert).to_contain_text("•••• •••• •••• 1111")
    expect(alert.locator(".sev-high")).to_be_visible()

    # Revealing asks for a reason; too short a reason is refused, nothing is shown or logged.
    bubble.locator(".reveal-button").click()
    reason = bubble.locator(".reveal-form input[name=reason]")
    expect(reason).to_be_focused()
    reason.fill("why")
    bubble.locator(".reveal-form button[type=submit]").click()
    expect(bubble.locator(".text")).not_to_contain_text("4111")
    assert AccessRecord.objects.count() == 0
    reason.fill("Kundin bittet um Prüfung der Erstattungskarte")
    bubble.locator(".reveal-form button[type=submit]").click()
    expect(bubble.locator(".text")).to_contain_text(f"Meine Karte: {CARD}")
    record = AccessRecord.objects.get()
    assert (record.actor, record.action) == (agent, "reveal_identifier")
    assert record.reason == "Kundin bittet um Prüfung der Erstattungskarte"

    # Special-category data: a badge on the message, and the conversation is marked sensitive, live.
    expect(agent_page.locator("#conversation-sensitive")).to_be_hidden()
    assert (
        fake_graph.customer_says(WA_ID, "Erika Mustermann", "Ich bin schwanger, bitte liefern Sie bis zur Tür")[0]
        == 200
    )
    last = agent_page.locator('#messages [data-direction="in"]').last
    # The page is German (the browser's language): the badge says so in German.
    with translation.override("de"):
        expect(last.locator(".badge--special")).to_have_text(translation.gettext("Special category"))
    expect(agent_page.locator("#conversation-sensitive")).to_be_visible()
