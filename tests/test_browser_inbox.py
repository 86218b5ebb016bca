"""The agent inbox in a real browser: a WhatsApp message arrives live, the agent answers, ticks follow."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ANNA_PASSWORD, log_in

WA_ID = "4915123456789"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_message_arrives_live_agent_replies_and_sees_ticks(asgi_server, fake_graph, page, anna, notices):
    log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    expect(page).to_have_url(re.compile(r"/inbox/"))
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    status, _ = fake_graph.customer_says(WA_ID, "Erika Mustermann", "Wo bleibt meine Bestellung 4711?")
    assert status == 200
    item = page.locator("#conversation-list [data-conversation-id]").first
    expect(item).to_be_visible()  # appeared without a reload
    expect(item.locator(".unread-count")).to_have_text("1")
    item.locator("a").click()
    expect(page.locator("#messages")).to_contain_text("Wo bleibt meine Bestellung 4711?")

    page.fill("#composer-text", "Ihre Bestellung ist unterwegs.")
    page.keyboard.press("Enter")
    assert fake_graph.wait_for(lambda: fake_graph.sends, timeout=10)
    sent = fake_graph.sends[0]
    assert sent.body["to"] == WA_ID and sent.body["text"]["body"] == "Ihre Bestellung ist unterwegs."
    assert sent.headers.get("Authorization") == "Bearer dev-access-token"

    reply = page.locator('#messages [data-direction="out"]').last
    expect(reply).to_contain_text("Ihre Bestellung ist unterwegs.")
    expect(reply).to_have_attribute("data-status", "delivered", timeout=10_000)
    expect(reply).to_have_attribute("data-status", "read", timeout=10_000)
    expect(reply.locator(".tick--read")).to_be_visible()
