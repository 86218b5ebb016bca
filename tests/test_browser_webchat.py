"""The web-chat widget in a real browser: consent first, then the chat, live replies, read receipts."""

import re
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from consent.models import ConsentEvent
from conversations.models import Message
from conversations.tests.factories import TeamFactory, TeamMembershipFactory


@pytest.fixture
def webchat_setup(notices, webchat_purpose):
    """The API token of Ben, an agent in Care (the default team; nobody is assigned automatically)."""
    team = TeamFactory(name="Care", is_default=True, auto_assign=False)
    agent = TeamMembershipFactory(team=team, user__username="ben").user
    return Token.objects.create(user=agent).key


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_visitor_consents_chats_and_gets_a_live_reply(asgi_server, page, webchat_setup, notices):
    page.goto(f"{asgi_server}/webchat/demo/")
    page.click("#cc-open")
    consent_box, send = page.locator("#cc-consent"), page.locator("#cc-send")
    expect(consent_box).not_to_be_checked()
    notice_link = re.compile(rf"/privacy/notices/{notices[('GDPR', 'de')].pk}/$")
    expect(page.locator("#cc-notice a")).to_have_attribute("href", notice_link)
    # "Your data / your rights" opens the self-service page, in the visitor's language.
    rights = page.locator("#cc-rights")
    expect(rights).to_be_visible()
    expect(rights).to_have_attribute("href", re.compile(r"/privacy/$"))
    rights_page = httpx.get(asgi_server + urlsplit(rights.get_attribute("href")).path,  # PUBLIC_BASE_URL is not ours
                            headers={"Accept-Language": "de-DE"})  # fmt: skip
    assert rights_page.status_code == 200 and "Ihre Daten, Ihre Rechte" in rights_page.text
    page.fill("#cc-input", "Hallo, ist mein Paket schon unterwegs?")
    expect(send).to_be_disabled()  # no chat before the box is ticked
    consent_box.check()
    expect(send).to_be_enabled()
    send.click()
    own = page.locator('#cc-messages [data-direction="in"]').last
    expect(own).to_contain_text("Hallo, ist mein Paket schon unterwegs?")
    expect(own).to_have_attribute("data-status", "received")  # acknowledged: committed on the server

    grant = ConsentEvent.objects.get(action="granted")
    assert grant.channel == "webchat" and grant.notice_id == notices[("GDPR", "de")].pk
    assert grant.purpose.code == "webchat-service" and "ip_hash" in grant.evidence
    inbound = Message.objects.get(direction="in")
    assert inbound.content["text"] == "Hallo, ist mein Paket schon unterwegs?"

    response = httpx.post(
        f"{asgi_server}/api/v1/conversations/{inbound.conversation_id}/reply/",
        json={"text": "Ja, es kommt morgen."},
        headers={"Authorization": f"Token {webchat_setup}"},
    )
    assert response.status_code == 201, response.text
    reply = page.locator('#cc-messages [data-direction="out"]').last
    expect(reply).to_contain_text("Ja, es kommt morgen.")  # live, no reload
    reply_id = response.json()["id"]
    # Read back through the API, as the agent's inbox does: the server owns the database connection
    # (SQLite's shared cache would refuse a second writer-reader thread here).
    status = ""
    for _ in range(50):
        messages = httpx.get(
            f"{asgi_server}/api/v1/conversations/{inbound.conversation_id}/messages/",
            headers={"Authorization": f"Token {webchat_setup}"},
        ).json()
        rows = messages["results"]  # a page, oldest first
        status = next(m["status"] for m in rows if m["id"] == reply_id)
        if status == "read":
            break
        page.wait_for_timeout(200)
    assert status == "read", f"the widget never reported the reply as read (status {status})"
    expect(page.locator("#cc-transcript")).to_be_visible()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_visitor_over_the_addresss_limit_is_told_so_in_their_language(asgi_server, page, webchat_setup, settings):
    settings.WEBCHAT_VISITORS_PER_ADDRESS_PER_HOUR = 0  # this address started its hour's new chats already
    page.goto(f"{asgi_server}/webchat/demo/")
    page.click("#cc-open")
    status = page.locator("#cc-status")
    expect(status).to_have_text("Aus Ihrem Netzwerk wurden zu viele neue Chats begonnen. Bitte versuchen Sie es "
                                "später erneut.")  # fmt: skip
    page.wait_for_timeout(1500)  # the socket was closed (4429): the widget keeps saying why, no quick reconnect
    expect(status).to_have_text(re.compile(r"^Aus Ihrem Netzwerk wurden zu viele neue Chats begonnen"))
    expect(page.locator("#cc-send")).to_be_disabled()
    assert not ConsentEvent.objects.exists()
