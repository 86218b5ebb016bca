"""The inbox as agents work in it all day, in Chromium: search, paging, their language and time zone, the keyboard,
a phone's screen."""

import gettext as gnu_gettext
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation
from playwright.sync_api import expect

from conversations import services
from conversations.models import Conversation, Message
from conversations.tests.factories import ConversationFactory, MessageFactory, TeamMembershipFactory
from tests.conftest import ANNA_PASSWORD, log_in

ARTIFACTS = Path(__file__).parent / "artifacts"
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _js(language: str, text: str) -> str:
    """A text of the inbox's JavaScript as the JavaScript catalogue gives it in ``language``."""
    locale = translation.to_locale(language)
    catalogue = gnu_gettext.translation("djangojs", settings.LOCALE_PATHS[0], [locale])
    return catalogue.gettext(text)


def _django(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def _context_page(chromium, **options):
    context = chromium.new_context(**options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_search_finds_a_word_of_the_text_but_not_a_conversation_the_agent_may_not_see(
    asgi_server, fake_graph, page, anna
):
    colleague = TeamMembershipFactory(team=anna.team_memberships.get().team, user__username="bruno").user
    assert fake_graph.customer_says("4915111111111", "Erika Mustermann", "Die Lieferadresse stimmt nicht")[0] == 200
    assert (
        fake_graph.customer_says("4915122222222", "Max Muster", "Bitte Lieferadresse ändern, Diagnose Diabetes")[0]
        == 200
    )
    assert fake_graph.customer_says("4915133333333", "Lena Beispiel", "Wo ist meine Rechnung?")[0] == 200
    erika, hidden, _lena = Conversation.objects.order_by("id")
    # Special-category data: only its agent (a colleague), the team's supervisors and the DPO may see it.
    Conversation.objects.filter(pk=hidden.pk).update(sensitive=True, assigned_agent=colleague)

    log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    expect(page.locator("#conversation-list [data-conversation-id]")).to_have_count(2)  # the hidden one is not listed
    page.keyboard.press("/")  # the shortcut focuses the search
    expect(page.locator("#search")).to_be_focused()
    page.keyboard.type("lieferadresse")  # lower case, as typed: the index is case- and accent-folded
    rows = page.locator("#conversation-list [data-conversation-id]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-conversation-id", str(erika.pk))
    expect(rows.first.locator(".conv-preview")).to_contain_text("Die Lieferadresse stimmt nicht")
    expect(page.locator("#conversation-count")).to_have_attribute("data-total", "1")
    assert "q=lieferadresse" in page.url  # the search is in the address: a reload keeps it

    page.fill("#search", "Diabetes")
    expect(page.locator("#conversation-list-empty")).to_be_visible()
    expect(rows).to_have_count(0)
    # Found by name, too, with accents folded.
    page.fill("#search", "lena")
    expect(rows).to_have_count(1)
    expect(rows.first.locator(".conv-name")).to_have_text("Lena Beispiel")


def test_paging_reaches_the_105th_conversation_and_later_pages_stay_live(asgi_server, page, anna):
    team = anna.team_memberships.get().team
    start = timezone.now() - timedelta(days=3)
    conversations = [
        ConversationFactory(team=team, last_message_at=start + timedelta(minutes=i), unread_count=0) for i in range(105)
    ]
    oldest = conversations[0]

    log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    rows = page.locator("#conversation-list [data-conversation-id]")
    expect(rows).to_have_count(50)
    expect(page.locator("#conversation-count")).to_have_attribute("data-total", "105")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    page.click("#load-more")
    expect(rows).to_have_count(100)
    page.click("#load-more")
    expect(rows).to_have_count(105)
    expect(page.locator("#load-more")).to_be_hidden()
    ids = page.eval_on_selector_all(
        "#conversation-list [data-conversation-id]", "n => n.map(e => e.dataset.conversationId)"
    )
    assert len(set(ids)) == 105 and ids[-1] == str(oldest.pk)

    # An event on a conversation that only a later page brought: its row follows it live. (From another thread:
    # Playwright's event loop runs in this one, and publishing to the channel layer would refuse it.)
    worker = threading.Thread(
        target=services.conversation_assign, kwargs={"conversation": oldest, "agent": anna, "actor": anna}
    )
    worker.start()
    worker.join()
    row = page.locator(f'#conversation-list [data-conversation-id="{oldest.pk}"]')
    expect(row.locator(".conv-agent")).to_have_text("anna")
    row.locator("a").click()
    expect(page.locator("#conversation")).to_have_attribute("data-conversation-id", str(oldest.pk))


def test_a_german_agent_sees_the_inbox_in_german_with_times_in_berlin(asgi_server, chromium, anna):
    team = anna.team_memberships.get().team
    conversation = ConversationFactory(channel="whatsapp", team=team, assigned_agent=anna)
    summer = MessageFactory(conversation=conversation, direction="in", status="received", content={"text": "Hallo"})
    winter = MessageFactory(conversation=conversation, direction="out", status="read", content={"text": "Guten Tag"})
    Message.objects.filter(pk=summer.pk).update(created_at=datetime(2026, 7, 1, 10, 15, tzinfo=UTC))  # CEST: 12:15
    Message.objects.filter(pk=winter.pk).update(created_at=datetime(2026, 11, 20, 7, 5, tzinfo=UTC))  # CET: 08:05
    Conversation.objects.filter(pk=conversation.pk).update(last_message_at=datetime(2026, 11, 20, 7, 5, tzinfo=UTC))

    context, page = _context_page(chromium, locale="de-DE", timezone_id="Europe/Berlin")
    try:
        log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
        expect(page.locator("html")).to_have_attribute("lang", "de")
        expect(page.locator("label[for=search]")).to_contain_text(_django("de", "Search"))
        page.goto(f"{asgi_server}/inbox/c/{conversation.pk}/")
        messages = page.locator("#messages li.message")
        expect(messages.nth(0).locator("time")).to_have_text("12:15")
        expect(messages.nth(1).locator("time")).to_have_text("08:05")
        separators = page.locator("#messages .day-separator")
        expect(separators).to_have_count(2)
        expect(separators.nth(0)).to_contain_text("1. Juli 2026")
        expect(separators.nth(1)).to_contain_text("20. November 2026")
        # JavaScript's own texts come from the JavaScript catalogue, in German.
        expect(page.locator("#connection")).to_have_text(_js("de", "Live"))
        expect(page.locator("#conversation-count")).to_have_text(_js("de", "Conversations: %(total)s") % {"total": 1})
        expect(page.locator("#time-zone")).to_contain_text("Europe/Berlin")
        expect(page.locator("#resolve")).to_contain_text(_django("de", "Resolve"))
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "inbox-desktop-de.png"))

        # The agent's own choice wins over the browser's language, and stays with them.
        page.select_option("#agent-language", "nl")
        expect(page.locator("html")).to_have_attribute("lang", "nl")
        expect(page.locator("#resolve")).to_contain_text(_django("nl", "Resolve"))
        expect(page.locator("#connection")).to_have_text(_js("nl", "Live"))
    finally:
        context.close()


def test_the_keyboard_alone_opens_answers_and_resolves_a_conversation(asgi_server, fake_graph, page, anna):
    assert fake_graph.customer_says("4915144444444", "Erika Mustermann", "Ist mein Paket schon unterwegs?")[0] == 200
    conversation = Conversation.objects.get()
    Conversation.objects.filter(pk=conversation.pk).update(assigned_agent=None)  # in the queue, nobody's yet

    log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts")).to_be_hidden()

    page.keyboard.press("j")  # the first conversation
    expect(page).to_have_url(re.compile(rf"/inbox/c/{conversation.pk}/"))
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    page.keyboard.press("r")
    expect(page.locator("#composer-text")).to_be_focused()
    page.keyboard.type("Ja, es kommt morgen.")
    page.keyboard.press("Enter")
    assert fake_graph.wait_for(lambda: fake_graph.sends, timeout=10)
    assert fake_graph.sends[0].body["text"]["body"] == "Ja, es kommt morgen."
    # Replying to a conversation nobody had took it: it is now the one replying's, and the controls know.
    expect(page.locator("#conversation-agent")).to_have_text("anna")
    expect(page.locator("#assign-me")).to_be_hidden()

    # The send has finished (the box emptied, the focus back in it) before the agent leaves the box: a shortcut
    # typed while the box has the focus is text, not a shortcut.
    expect(page.locator("#composer-text")).to_have_value("")
    expect(page.locator("#composer-text")).to_be_focused()
    page.keyboard.press("Escape")  # out of the reply box
    expect(page.locator("#composer-text")).not_to_be_focused()
    page.keyboard.press("e")
    expect(page.locator("#conversation-status")).to_have_attribute("data-status", "resolved")
    expect(page.locator("#reopen")).to_be_visible()
    conversation.refresh_from_db()
    assert conversation.status == "resolved" and conversation.assigned_agent == anna


def test_canned_responses_are_picked_with_the_arrow_keys_and_long_replies_are_counted(asgi_server, page, anna):
    from conversations.models import CannedResponse

    team = anna.team_memberships.get().team
    conversation = ConversationFactory(channel="webchat", team=team, assigned_agent=anna)
    CannedResponse.objects.create(team=team, shortcut="hello", language="en", title="Greeting", body="Hello there!")
    CannedResponse.objects.create(team=team, shortcut="help", language="en", title="Help", body="How can I help?")
    log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    page.goto(f"{asgi_server}/inbox/c/{conversation.pk}/")
    page.click("#composer-text")
    page.keyboard.type("/he")
    options = page.locator("#canned-suggestions [role=option]")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    expect(page.locator("#composer-text")).to_have_attribute("aria-activedescendant", "canned-option-1")
    page.keyboard.press("Enter")
    expect(page.locator("#composer-text")).to_have_value("How can I help?")

    page.fill("#composer-text", "x" * 4100)
    expect(page.locator("#composer-count")).to_have_class(re.compile("counter--over"))
    expect(page.locator("#composer-text")).to_have_value("x" * 4100)  # nothing silently cut
    page.keyboard.press("Enter")
    expect(page.locator("#composer-error")).not_to_be_empty()
    assert not Message.objects.filter(conversation=conversation, direction="out").exists()


def test_on_a_phone_the_thread_and_the_composer_are_usable(asgi_server, chromium, anna):
    team = anna.team_memberships.get().team
    conversation = ConversationFactory(channel="webchat", team=team, assigned_agent=anna)
    for i in range(12):
        inbound = i % 2 == 1
        MessageFactory(
            conversation=conversation,
            direction="in" if inbound else "out",
            status="received" if inbound else "read",
            content={"text": f"Nachricht {i}: wann kommt die Lieferung?"},
        )
    context, page = _context_page(chromium, locale="de-DE", viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
        expect(page.locator("#conversation-list")).to_be_visible()  # the list first
        page.locator("#conversation-list a").first.click()
        expect(page.locator("#conversation")).to_be_visible()
        expect(page.locator(".sidebar")).to_be_hidden()  # one thing at a time; a link leads back
        expect(page.locator(".back-to-list")).to_be_visible()
        composer = page.locator("#composer-text")
        expect(composer).to_be_in_viewport()
        expect(page.locator("#messages li.message").last).to_be_in_viewport()
        # The header does not cover the thread: the newest message sits below it, and nothing is wider than the screen.
        header = page.locator(".conversation-header").bounding_box()
        last = page.locator("#messages li.message").last.bounding_box()
        assert last["y"] >= 0 and (last["y"] >= header["y"] + header["height"] or header["y"] + header["height"] < 0)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        composer.fill("Morgen früh.")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "inbox-390.png"))
        page.keyboard.press("Enter")
        expect(page.locator('#messages [data-direction="out"]').last).to_contain_text("Morgen früh.")
        page.click(".back-to-list")
        expect(page.locator("#conversation-list")).to_be_visible()
    finally:
        context.close()
