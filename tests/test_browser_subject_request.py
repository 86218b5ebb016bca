"""A request written into the chat, in a real browser: a Brazilian customer writes "Quero apagar meus dados" on
WhatsApp, the agent's inbox suggests recording it as an erasure request (in the agent's language), one key
press records it with the chat as the verified channel, and the page shows the reference and the due date."""

import re

import pytest
from playwright.sync_api import expect

from conversations.models import Conversation
from retention.models import SubjectRequest
from tests.conftest import ANNA_PASSWORD, log_in

WA_ID = "5511987654321"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_agent_records_an_erasure_request_the_customer_wrote_with_one_click(
    asgi_server, fake_graph, page, anna, notices
):
    log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    status, _ = fake_graph.customer_says(WA_ID, "Maria Silva", "Quero apagar meus dados")
    assert status == 200
    item = page.locator("#conversation-list [data-conversation-id]").first
    expect(item).to_be_visible()
    item.locator("a").click()
    message = page.locator('#messages [data-direction="in"]').last
    expect(message).to_contain_text("Quero apagar meus dados")

    # A suggestion for a person to confirm, in the agent's language (the browser's: German), nothing recorded yet.
    suggestion = message.locator(".request-suggestion")
    expect(suggestion).to_be_visible()
    expect(suggestion).to_have_attribute("lang", "de")
    expect(suggestion).to_contain_text("Das sieht nach dem Wunsch aus, die eigenen Daten löschen zu lassen.")
    assert not SubjectRequest.objects.exists()

    button = suggestion.get_by_role("button", name="Löschanfrage erfassen")
    button.focus()
    page.keyboard.press("Enter")  # keyboard-usable: a real button
    result = suggestion.locator(".request-result")
    expect(result).to_have_text(re.compile(r"^Erfasst als R-[0-9A-Z]{4}-[0-9A-Z]{4}, fällig am \d{1,2}\. \w+ \d{4}\.$"))
    expect(result).to_have_attribute("role", "status")
    expect(result).to_be_focused()
    expect(button).to_be_hidden()

    conversation = Conversation.objects.get()
    request = SubjectRequest.objects.get()
    assert (request.kind, request.channel, request.state) == ("erasure", "chat", "verified")
    assert request.subject_id == conversation.subject_id and request.created_by == anna
    assert request.jurisdiction == "LGPD" and request.reference in result.text_content()
    # The LGPD's simplified reply went to the customer through the chat, with the reference.
    assert fake_graph.wait_for(
        lambda: any(request.reference in s.body.get("text", {}).get("body", "") for s in fake_graph.sends), timeout=10
    )

    # Drawn again (a reload): the suggestion is back, and a second click records nothing new.
    page.reload()
    again = page.locator('#messages [data-direction="in"]').last.locator(".request-suggestion")
    again.get_by_role("button", name="Löschanfrage erfassen").click()
    expect(again.locator(".request-result")).to_have_text(re.compile(rf"^Bereits erfasst als {request.reference}, "))
    assert SubjectRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_request_that_names_no_right_lets_the_agent_choose_the_kind(asgi_server, fake_graph, page, anna, notices):
    log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    status, _ = fake_graph.customer_says("4915123456789", "Erika Mustermann", "DSGVO-Anfrage")
    assert status == 200
    page.locator("#conversation-list [data-conversation-id] a").first.click()
    suggestion = page.locator('#messages [data-direction="in"]').last.locator(".request-suggestion")
    expect(suggestion).to_contain_text("kein bestimmtes Recht")
    kind = suggestion.get_by_label("Art der Anfrage")
    expect(kind).to_have_value("access")  # the convention, for the agent to confirm or change
    kind.select_option(label="Löschung der eigenen Daten")
    suggestion.get_by_role("button", name="Anfrage erfassen").click()
    expect(suggestion.locator(".request-result")).to_have_text(re.compile(r"^Erfasst als R-"))
    request = SubjectRequest.objects.get()
    assert (request.kind, request.channel, request.state, request.jurisdiction) == (
        "erasure", "chat", "verified", "GDPR"
    )  # fmt: skip
