"""The web-chat channel end to end: the widget's socket against the real ASGI application.

Each test drives ``/ws/webchat/`` as the widget does (hello, consent, message …)
and checks what a customer sees and what the DPO would find in the database.
The consumer does its database work in other threads, hence transactional tests.
"""

import asyncio
import json
import uuid
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core import signing

from consent import crypto
from consent import services as consent_services
from consent.models import ConsentEvent, ConsentState, Subject
from consent.selectors import consent_state, subject_get_by_contact
from consent.tests.factories import UserFactory
from contactcenter import roles
from contactcenter.asgi import application
from conversations import services
from conversations.models import Conversation, Message

CONSUMER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)
pytestmark = [CONSUMER_DB]

VISITOR_IP = "203.0.113.7"
TIMEOUT = 5


@pytest.fixture
def chat(webchat_purpose, notices):
    """Everything a visitor needs: the purpose and published notices."""
    return notices


async def connect(*, ip: str = VISITOR_IP, origin: bytes = b"http://testserver") -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(
        application, "/ws/webchat/", headers=[(b"origin", origin), (b"host", b"testserver")]
    )
    communicator.scope["client"] = (ip, 50123)
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert connected
    return communicator


async def receive(communicator: WebsocketCommunicator) -> dict[str, Any]:
    return await communicator.receive_json_from(timeout=TIMEOUT)


async def until(communicator: WebsocketCommunicator, type_: str, **match: Any) -> tuple[dict, list[dict]]:
    """Frames up to the first of ``type_`` (matching ``match``): the frame and everything before it."""
    before = []
    while True:
        frame = await receive(communicator)
        if frame["type"] == type_ and all(frame.get(k) == v for k, v in match.items()):
            return frame, before
        before.append(frame)


async def hello(
    communicator: WebsocketCommunicator, *, visitor: str | None = None, token: str | None = None, language: str = "de"
) -> dict[str, Any]:
    await communicator.send_json_to({"type": "hello", "visitor": visitor, "token": token, "language": language})
    welcome = await receive(communicator)
    assert welcome["type"] == "welcome"
    return welcome


async def consent(communicator: WebsocketCommunicator, welcome: dict[str, Any]) -> None:
    await communicator.send_json_to({"type": "consent", "notice_id": welcome["notice"]["id"]})
    assert await receive(communicator) == {"type": "consented"}


async def say(communicator: WebsocketCommunicator, text: str, *, client_id: str | None = None) -> dict[str, Any]:
    client_id = client_id or str(uuid.uuid4())
    await communicator.send_json_to({"type": "message", "client_id": client_id, "text": text})
    frame, _ = await until(communicator, "ack", client_id=client_id)
    return frame


async def sync(communicator: WebsocketCommunicator) -> dict[str, Any]:
    """Frames are handled in order: once the transcript comes back, every earlier frame was processed."""
    await communicator.send_json_to({"type": "transcript"})
    frame, _ = await until(communicator, "transcript")
    return frame


async def visitor_consented(language: str = "de") -> tuple[WebsocketCommunicator, dict[str, Any]]:
    communicator = await connect()
    welcome = await hello(communicator, language=language)
    await consent(communicator, welcome)
    return communicator, welcome


db = database_sync_to_async


@pytest.fixture
def named_agent(db):
    """An agent with a first name: the widget shows it, never the username."""
    return UserFactory(username="agent1", first_name="Anna", role=roles.AGENT)


def agent_replies(agent, text: str, conversation: Conversation | None = None) -> int:
    """The agent answers from the inbox (the only conversation unless told): a real commit, so on_commit runs
    message_deliver, which hands the reply to WebchatSender. The message's id."""
    return services.message_reply(conversation=conversation or Conversation.objects.get(), actor=agent, text=text).pk


async def answered(agent, question: str, answer: str) -> tuple[WebsocketCommunicator, dict[str, Any], int]:
    """A consented visitor asks, the agent answers: the visitor's socket, the frame that shows the answer (the
    first message frame after the question), and the answer's id."""
    communicator, _ = await visitor_consented()
    await say(communicator, question)
    message_pk = await db(agent_replies)(agent, answer)
    frame, _ = await until(communicator, "message")
    return communicator, frame, message_pk


# --- Identity and the notice ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_hello_issues_an_identity_and_shows_the_current_notice_without_storing_anything(chat):
    communicator = await connect()
    welcome = await hello(communicator, language="de-AT")
    notice = chat[("GDPR", "de")]
    assert welcome["language"] == "de"
    assert welcome["notice"]["id"] == notice.pk and welcome["notice"]["title"] == notice.title
    assert welcome["notice"]["url"].endswith(f"/privacy/notices/{notice.pk}/")
    assert "Nachricht zu beantworten" in welcome["notice"]["summary"]
    assert welcome["consented"] is False and welcome["history"] == []
    # "Your data / your rights" opens the self-service page.
    assert welcome["rights_url"].endswith("/privacy/")
    assert len(welcome["visitor"]) == 32
    assert signing.loads(welcome["token"], salt="webchat") == welcome["visitor"]
    # Opening the chat is not contacting us: no subject until the visitor consents.
    assert await db(Subject.objects.count)() == 0
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_the_rights_link_goes_where_the_company_takes_requests(chat, settings):
    settings.SUBJECT_RIGHTS_URL = "mailto:dpo@shop.example"
    communicator = await connect()
    welcome = await hello(communicator, language="it")
    assert welcome["rights_url"] == "mailto:dpo@shop.example"
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_brazilian_portuguese_browser_gets_the_pt_br_notice(chat):
    communicator = await connect()
    welcome = await hello(communicator, language="pt-BR")
    assert welcome["notice"]["id"] == chat[("GDPR", "pt-br")].pk
    assert "responder à sua mensagem" in welcome["notice"]["summary"]
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_socket_from_a_foreign_origin_is_refused(chat):
    communicator = WebsocketCommunicator(
        application, "/ws/webchat/", headers=[(b"origin", b"https://evil.example"), (b"host", b"testserver")]
    )
    connected, _ = await communicator.connect(timeout=TIMEOUT)
    assert not connected


@pytest.mark.asyncio
async def test_nothing_but_hello_before_hello(chat):
    communicator = await connect()
    await communicator.send_json_to({"type": "message", "client_id": str(uuid.uuid4()), "text": "hi"})
    assert (await receive(communicator))["code"] == "hello_required"
    await communicator.send_to(text_data="{not json")
    assert (await receive(communicator))["code"] == "bad_frame"
    await communicator.disconnect()


# --- Consent -------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_message_before_consent_is_refused_and_not_stored(chat):
    communicator = await connect()
    await hello(communicator)
    client_id = str(uuid.uuid4())
    await communicator.send_json_to({"type": "message", "client_id": client_id, "text": "Hallo"})
    assert await receive(communicator) == {"type": "error", "code": "consent_required", "client_id": client_id}
    assert await db(Message.objects.count)() == 0
    assert await db(Subject.objects.count)() == 0
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_consent_is_recorded_in_the_ledger_with_notice_channel_and_hashed_ip(chat, webchat_purpose):
    communicator = await connect()
    welcome = await hello(communicator)
    await consent(communicator, welcome)

    def ledger():
        subject = subject_get_by_contact(kind="webchat", value=welcome["visitor"])
        event = ConsentEvent.objects.select_related("notice").get(subject_id=subject.public_id)
        state = ConsentState.objects.get(subject=subject, purpose=webchat_purpose)
        return subject, event, state

    subject, event, state = await db(ledger)()
    notice = chat[("GDPR", "de")]
    assert (event.purpose_id, event.action, event.channel) == (webchat_purpose.pk, "granted", "webchat")
    # The exact version shown (its content hash proves the text later).
    assert (event.notice_id, event.notice.version, event.notice.content_hash) == (
        notice.pk, notice.version, notice.content_hash,
    )  # fmt: skip
    assert event.evidence == {"form": "webchat-widget", "ip_hash": crypto.ip_hash(VISITOR_IP)}
    assert VISITOR_IP not in json.dumps(event.evidence)
    assert (state.status, state.notice_id) == ("granted", notice.pk)
    assert (subject.language, subject.jurisdiction) == ("de", "GDPR")

    # A returning visitor is told they consented already.
    again = await connect()
    welcome_again = await hello(again, visitor=welcome["visitor"], token=welcome["token"])
    assert welcome_again["consented"] is True and welcome_again["visitor"] == welcome["visitor"]
    await communicator.disconnect()
    await again.disconnect()


@pytest.mark.asyncio
async def test_consent_to_a_notice_that_was_not_shown_is_refused(chat):
    communicator = await connect()
    welcome = await hello(communicator, language="de")
    await communicator.send_json_to({"type": "consent", "notice_id": chat[("GDPR", "en")].pk})
    error = await receive(communicator)
    assert error["code"] == "notice_outdated" and error["notice"]["id"] == welcome["notice"]["id"]
    assert await db(ConsentEvent.objects.count)() == 0
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_consent_the_ledger_refuses_is_answered_not_a_dropped_socket(chat, webchat_purpose):
    """Staff asked this visitor for consent (pending): ticking the box cannot grant over a pending request
    (InvalidTransition). The widget hears "refused" on a socket that stays open; nothing is recorded."""
    communicator = await connect()
    welcome = await hello(communicator, language="de")

    def staff_asked() -> None:
        subject, _ = consent_services.subject_get_or_create_by_contact(
            kind="webchat", value=welcome["visitor"], language="de", actor=None
        )
        consent_services.consent_request(subject=subject, purpose=webchat_purpose, channel="api")

    await db(staff_asked)()
    before = await db(ConsentEvent.objects.count)()
    await communicator.send_json_to({"type": "consent", "notice_id": welcome["notice"]["id"]})
    assert await receive(communicator) == {"type": "error", "code": "refused"}
    assert await db(ConsentEvent.objects.count)() == before
    await communicator.send_json_to({"type": "transcript"})
    assert (await receive(communicator))["type"] == "transcript"  # still connected and answering
    await communicator.disconnect()


# --- Messages ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_message_resent_with_the_same_client_id_is_stored_once(chat):
    communicator, welcome = await visitor_consented()
    client_id = str(uuid.uuid4())
    first = await say(communicator, "Wo ist meine Bestellung?", client_id=client_id)
    assert first == {"type": "ack", "client_id": client_id, "message_id": client_id}
    await communicator.disconnect()

    # The widget lost the ack and resends after reconnecting.
    again = await connect()
    await hello(again, visitor=welcome["visitor"], token=welcome["token"])
    second = await say(again, "Wo ist meine Bestellung?", client_id=client_id)
    assert second["message_id"] == client_id

    def stored():
        message = Message.objects.select_related("conversation__subject").get()
        return message.content, message.conversation.channel, message.provider_message_id

    assert await db(stored)() == ({"text": "Wo ist meine Bestellung?"}, "webchat", client_id)
    await again.disconnect()


@pytest.mark.asyncio
async def test_empty_long_and_malformed_messages_are_refused(chat):
    communicator, _ = await visitor_consented()
    client_id = str(uuid.uuid4())
    for text, code in [("   ", "empty"), ("x" * 4097, "too_long")]:
        await communicator.send_json_to({"type": "message", "client_id": client_id, "text": text})
        assert await receive(communicator) == {"type": "error", "code": code, "client_id": client_id}
    await communicator.send_json_to({"type": "message", "client_id": "not-a-uuid", "text": "hi"})
    assert (await receive(communicator))["code"] == "bad_client_id"
    assert await db(Message.objects.count)() == 0
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_more_than_twenty_messages_a_minute_are_rate_limited(chat):
    communicator, _ = await visitor_consented()
    for n in range(20):
        await say(communicator, f"Nachricht {n}")
    client_id = str(uuid.uuid4())
    await communicator.send_json_to({"type": "message", "client_id": client_id, "text": "eine zu viel"})
    assert await receive(communicator) == {"type": "error", "code": "rate_limited", "client_id": client_id}
    assert await db(Message.objects.count)() == 20
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_stop_withdraws_marketing_consent_and_the_confirmation_reaches_the_widget(chat, newsletter):
    communicator, welcome = await visitor_consented()

    def grant_newsletter():
        subject = subject_get_by_contact(kind="webchat", value=welcome["visitor"])
        consent_services.consent_grant(subject=subject, purpose=newsletter, channel="webchat")
        return subject

    subject = await db(grant_newsletter)()
    await communicator.send_json_to({"type": "message", "client_id": str(uuid.uuid4()), "text": "STOP"})
    reply, _ = await until(communicator, "message")
    assert reply["message"]["direction"] == "out" and reply["message"]["id"].startswith("webchat.")
    assert "Newsletter" in reply["message"]["text"]
    assert await db(consent_state)(subject=subject, purpose=newsletter) == "withdrawn"
    # The service purpose of the chat itself is not marketing: the conversation goes on.
    assert await db(consent_state)(subject=subject, purpose="webchat-service") == "granted"
    await communicator.disconnect()


# --- Agent replies and their statuses -----------------------------------------------------------


@pytest.mark.asyncio
async def test_an_agent_reply_reaches_the_visitor_and_delivered_read_move_it_forward(chat, named_agent):
    communicator, frame, message_pk = await answered(named_agent, "Hallo, ich habe eine Frage", "Guten Tag, gern!")
    shown = frame["message"]
    assert (shown["direction"], shown["text"], shown["author"], shown["status"]) == (
        "out", "Guten Tag, gern!", "Anna", "sent",
    )  # fmt: skip
    assert named_agent.username not in json.dumps(frame)

    def status():
        message = Message.objects.get(pk=message_pk)
        return message.status, message.provider_message_id

    assert await db(status)() == ("sent", shown["id"])
    await communicator.send_json_to({"type": "delivered", "message_id": shown["id"]})
    await sync(communicator)
    assert (await db(status)())[0] == "delivered"
    await communicator.send_json_to({"type": "read", "message_id": shown["id"]})
    await sync(communicator)
    assert (await db(status)())[0] == "read"
    # A late "delivered" does not move it back.
    await communicator.send_json_to({"type": "delivered", "message_id": shown["id"]})
    await sync(communicator)
    assert (await db(status)())[0] == "read"
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_a_visitor_cannot_report_statuses_of_someone_elses_reply(chat, agent):
    alice, frame, message_pk = await answered(agent, "Frage von Alice", "Antwort")

    mallory, _ = await visitor_consented()
    await mallory.send_json_to({"type": "read", "message_id": frame["message"]["id"]})
    assert (await receive(mallory))["code"] == "unknown_message"
    assert await db(lambda: Message.objects.get(pk=message_pk).status)() == "sent"
    await alice.disconnect()
    await mallory.disconnect()


@pytest.mark.asyncio
async def test_history_on_reconnect_shows_the_chat_but_never_internal_notes(chat, agent):
    communicator, welcome = await visitor_consented()
    await say(communicator, "Meine Frage")

    def staff_work():
        conversation = Conversation.objects.get()
        services.note_add(conversation=conversation, actor=agent, body="Kunde wirkt verärgert")
        agent_replies(agent, "Unsere Antwort", conversation)

    await db(staff_work)()
    await until(communicator, "message")
    await communicator.disconnect()

    again = await connect()
    welcome_again = await hello(again, visitor=welcome["visitor"], token=welcome["token"])
    history = welcome_again["history"]
    assert [(m["direction"], m["text"]) for m in history] == [("in", "Meine Frage"), ("out", "Unsere Antwort")]
    assert "verärgert" not in json.dumps(welcome_again)
    assert agent.username not in json.dumps(welcome_again)
    await again.disconnect()


# --- Impersonation and the transcript ---------------------------------------------------------


@pytest.mark.asyncio
async def test_a_forged_token_gets_a_new_identity_and_not_the_old_conversation(chat):
    victim, welcome = await visitor_consented()
    await say(victim, "Meine Adresse ist geheim")
    await victim.disconnect()

    other = await connect()
    other_welcome = await hello(other)
    await other.disconnect()

    for forged in [
        welcome["token"][:-2] + ("AA" if not welcome["token"].endswith("AA") else "BB"),  # tampered
        other_welcome["token"],  # a valid token, but for another visitor
        signing.dumps(welcome["visitor"], salt="something-else"),  # signed for another purpose
        None,
    ]:
        attacker = await connect(ip="198.51.100.9")
        attacked = await hello(attacker, visitor=welcome["visitor"], token=forged)
        assert attacked["visitor"] != welcome["visitor"]
        assert attacked["history"] == [] and attacked["consented"] is False
        transcript = await sync(attacker)
        assert "geheim" not in transcript["text"]
        await attacker.disconnect()


@pytest.mark.asyncio
async def test_the_transcript_holds_only_this_visitors_messages(chat, named_agent):
    alice, _ = await visitor_consented(language="en")
    await say(alice, "Alice asks about her order")
    bob, _ = await visitor_consented(language="en")
    await say(bob, "Bob asks about his invoice")

    def reply_to_alice():
        agent_replies(
            named_agent, "Your order ships today", Conversation.objects.order_by("pk").first()
        )  # Alice wrote first

    await db(reply_to_alice)()
    await until(alice, "message")
    transcript = await sync(alice)
    text = transcript["text"]
    assert transcript["filename"].endswith(".txt")
    assert "You: Alice asks about her order" in text
    assert "Agent Anna: Your order ships today" in text
    assert "Bob" not in text and "invoice" not in text
    assert "Alice" not in (await sync(bob))["text"]
    await alice.disconnect()
    await bob.disconnect()


# --- Typing ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_typing_is_relayed_to_the_conversation_group_for_agents(chat):
    from channels.layers import get_channel_layer

    communicator, _ = await visitor_consented()
    await say(communicator, "Hallo")
    conversation_id = await db(lambda: Conversation.objects.get().pk)()
    layer = get_channel_layer()
    agent_channel = await layer.new_channel()
    await layer.group_add(f"conversation-{conversation_id}", agent_channel)
    await communicator.send_json_to({"type": "typing"})
    signal = await asyncio.wait_for(layer.receive(agent_channel), TIMEOUT)
    assert signal == {"type": "inbox.typing", "conversation": conversation_id, "agent": None, "username": ""}
    await communicator.disconnect()


@pytest.mark.asyncio
async def test_the_widget_may_be_embedded_on_a_listed_company_site_only(chat, settings):
    settings.WEBCHAT_ALLOWED_ORIGINS = ["https://shop.example"]
    communicator = await connect(origin=b"https://shop.example")
    await communicator.disconnect()
    for origin in (b"https://evil.example", b"http://shop.example", b"https://shop.example.evil.example"):
        refused = WebsocketCommunicator(
            application, "/ws/webchat/", headers=[(b"origin", origin), (b"host", b"testserver")]
        )
        assert not (await refused.connect(timeout=TIMEOUT))[0]
    # The agent inbox stays on our own origin, whatever the widget's list says.
    inbox = WebsocketCommunicator(application, "/ws/agent/", headers=[(b"origin", b"https://shop.example")])
    assert not (await inbox.connect(timeout=TIMEOUT))[0]
