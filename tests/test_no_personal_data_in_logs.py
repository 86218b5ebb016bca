"""Issue 15: no personal data reaches the logs.

The main flows run with every logger at DEBUG (SQL included: a debug cursor is forced, so django.db.backends logs
each statement with its parameters) and the project's own LOGGING (its console handler, formatter and redaction
filter) writing into a buffer. Afterwards none of the customer's phone number, name, e-mail, address or message
words may appear there in any spelling: plain, URL-encoded or JSON-escaped.

What the rule means for SQL parameters: ciphertext (bytes) and blind indexes (keyed hashes) may be logged; a
plaintext value of the customer's may not.
"""

import io
import json
import logging
import logging.config
from urllib.parse import quote, quote_plus

import pytest
from django.conf import settings as django_settings
from django.db.backends.base.base import BaseDatabaseWrapper

from consent.models import Subject
from consent.tests.factories import UserFactory
from contactcenter import roles
from conversations.models import Conversation, Direction, Message
from conversations.providers.whatsapp.signature import HEADER, signature_for
from conversations.tests.factories import TeamFactory, TeamMembershipFactory

# Imported before any logging is captured: it imports the ASGI application, whose setup reconfigures logging.
from conversations.tests.test_webchat import answered, db, sync
from devtools.fakegraph import FakeGraphAPI, inbound_text_value, status_value, webhook_envelope
from retention.services.erasure import subject_erase
from retention.services.request_exports import request_export_link, request_export_prepare
from retention.services.requests import request_receive
from tests.clients import token_client

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

APP_SECRET = "logs-app-secret"
ACCESS_TOKEN = "logs-access-token"
PHONE_NUMBER_ID = "106540352242922"
WA_ID = "4915123456789"  # +49 151 2345 6789
NAME = "Zyprianna Quastenberg"
EMAIL = "zyprianna.q@example.org"
ADDRESS = "Quastenweg 17"
WORD = "Zitronenfalterkiste"
CARD = "4111 1111 1111 1111"
FIRST = f"Hallo, ich bin {NAME}, {ADDRESS}, {EMAIL}. Wo ist meine {WORD}?"
FORBIDDEN = [WA_ID, f"+{WA_ID}", "151 2345", "15123456789", "Zyprianna", "Quastenberg", "zyprianna.q",
             "Quastenweg", WORD, "4111 1111", "4111111111111111"]  # fmt: skip


def spellings(value: str) -> set[str]:
    forms = {value, quote(value), quote_plus(value), json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)}
    return {form.lower() for form in forms}


@pytest.fixture
def captured(settings, monkeypatch):
    """The shipped LOGGING, every logger at DEBUG, its console handler writing into a buffer; SQL logged with its
    parameters on every connection (the webhook's worker threads have their own), as with DEBUG=True."""
    logging.config.dictConfig(django_settings.LOGGING)
    buffer = io.StringIO()
    console = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
    previous = console.setStream(buffer)
    levels = {name: logger.level for name, logger in logging.root.manager.loggerDict.items()
              if isinstance(logger, logging.Logger)}  # fmt: skip
    logging.getLogger().setLevel(logging.DEBUG)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    monkeypatch.setattr(BaseDatabaseWrapper, "queries_logged", property(lambda self: True))
    yield buffer
    console.setStream(previous)
    logging.config.dictConfig(django_settings.LOGGING)


@pytest.fixture
def graph(settings, tmp_path):
    settings.WHATSAPP_APP_SECRET = APP_SECRET
    settings.WHATSAPP_ACCESS_TOKEN = ACCESS_TOKEN
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.WHATSAPP_TIMEOUT_SECONDS = 5.0
    settings.OUTBOUND_BACKOFF_SECONDS = 0.001
    settings.OUTBOUND_BACKOFF_MAX_SECONDS = 0.05
    settings.OUTBOUND_MAX_ATTEMPTS = 2
    settings.MEDIA_ROOT = str(tmp_path / "media")
    fake = FakeGraphAPI(access_token=ACCESS_TOKEN, phone_number_id=PHONE_NUMBER_ID, auto_statuses=()).start()
    settings.WHATSAPP_API_BASE = fake.url
    yield fake
    fake.stop()


def webhook(client, payload: dict | bytes, *, signed: bool = True):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {HEADER: signature_for(body, secret=APP_SECRET)} if signed else {}
    return client.post("/webhooks/whatsapp/", data=body, content_type="application/json", headers=headers)


def customer_says(client, text: str, mid: str):
    value = inbound_text_value(wa_id=WA_ID, name=NAME, text=text, message_id=mid, phone_number_id=PHONE_NUMBER_ID)
    return webhook(client, webhook_envelope(value))


def test_the_main_flows_log_no_personal_data(captured, graph, client, notices):
    team = TeamFactory(name="Support", is_default=True, auto_assign=False)
    agent = TeamMembershipFactory(team=team, user__username="agent-logs").user
    dpo = UserFactory(username="dpo-logs", role=roles.DPO, is_staff=True)
    api = token_client(agent)

    # 1. First contact through the signed webhook.
    assert customer_says(client, FIRST, "wamid.logs-1").status_code == 200
    conversation = Conversation.objects.get()
    assert conversation.messages.count() == 1

    # 2. An agent's reply over the API, delivered through the fake Graph API, its statuses coming back.
    answer = api.post(f"/api/v1/conversations/{conversation.pk}/reply/", {"text": f"Ihre {WORD} kommt, {NAME}."},
                      format="json")  # fmt: skip
    assert answer.status_code in (200, 201, 202), answer.content
    assert graph.wait_for(lambda: graph.sends)
    reply = Message.objects.filter(conversation=conversation, direction=Direction.OUTBOUND).latest("pk")
    reply.refresh_from_db()
    for status in ("delivered", "read"):
        value = status_value(
            message_id=reply.provider_message_id, status=status, recipient=WA_ID, phone_number_id=PHONE_NUMBER_ID
        )
        assert webhook(client, webhook_envelope(value)).status_code == 200

    # 5. A masked card number, revealed with a reason.
    assert customer_says(client, f"Meine Karte ist {CARD}", "wamid.logs-2").status_code == 200
    card = Message.objects.filter(conversation=conversation, direction=Direction.INBOUND).latest("pk")
    client.force_login(agent)
    revealed = client.post(
        f"/api/v1/conversations/{conversation.pk}/messages/{card.pk}/reveal/",
        {"reason": "customer asked to confirm the refund card"},
        content_type="application/json",
    )
    assert revealed.status_code == 200 and CARD in revealed.json()["text"]

    # 8. An inbox search for her name and a word of her message.
    for term in ("Zyprianna", WORD):
        found = api.get("/api/v1/conversations/", {"q": term})
        assert found.status_code == 200, found.content
        assert [row["id"] for row in found.json()["results"]] == [conversation.pk], term

    # 9. Errors: a malformed and an unsigned webhook, the Graph API answering 500 on send.
    assert webhook(client, b'{"object": "whatsapp_business_account", "entry": [').status_code == 400
    assert webhook(client, webhook_envelope(inbound_text_value(
        wa_id=WA_ID, name=NAME, text=WORD, message_id="wamid.forged", phone_number_id=PHONE_NUMBER_ID)),
        signed=False).status_code in (401, 403)  # fmt: skip
    graph.fail_next(5, status=500)
    sends = len(graph.sends)
    api.post(f"/api/v1/conversations/{conversation.pk}/reply/", {"text": f"{WORD} Nummer zwei"}, format="json")
    graph.wait_for(lambda: len(graph.sends) > sends, timeout=3)

    # 6. Her access request: the export built and downloaded through her link.
    subject = Subject.objects.get(pk=conversation.subject_id)
    request = request_receive(kind="access", channel="chat", actor=dpo, subject=subject, verified=True)
    export = request_export_prepare(request=request, actor=dpo)
    client.logout()
    download = client.get(f"/privacy/download/{request_export_link(export=export)}/")
    assert download.status_code == 200 and b"".join(download.streaming_content)

    # 3. STOP.
    assert customer_says(client, "STOP", "wamid.logs-3").status_code == 200

    # 7. Her erasure.
    subject_erase(subject=subject, actor=dpo, reason="subject_request", reference="request 15")

    output = captured.getvalue()
    lowered = output.lower()
    # The flows did log (SQL included), so the search below is not vacuous.
    for line in ("messages stored", "statuses applied", "webhook refused", "revealed to user", "failed (attempt",
                 "export #", "downloaded", "erasure", "INSERT INTO", "conversations_searchtoken"):  # fmt: skip
        assert line in output, line
    leaks = {form for value in FORBIDDEN for form in spellings(value) if form in lowered}
    lines = [line for line in output.splitlines() if any(form in line.lower() for form in leaks)]
    assert not leaks, "\n".join(lines[:20])


def test_the_capture_would_see_a_name_or_a_message_word(captured):
    """The redaction filter masks numbers and e-mail addresses only: a name or a message word logged by mistake
    reaches the output, so the test above can fail."""
    logging.getLogger("conversations.services").debug("customer %s wrote %s", NAME, WORD)
    assert NAME in captured.getvalue() and WORD in captured.getvalue()
    assert WA_ID not in captured.getvalue().replace(NAME, "")


@pytest.mark.asyncio
async def test_a_web_chat_conversation_logs_no_personal_data(captured, webchat_purpose, notices):
    agent = await db(UserFactory)(username="agent-chat", first_name="Anna", role=roles.AGENT)
    communicator, frame, _ = await answered(agent, FIRST, f"Ihre {WORD} ist unterwegs, {NAME}.")
    assert WORD in frame["message"]["text"]
    for status in ("delivered", "read"):
        await communicator.send_json_to({"type": status, "message_id": frame["message"]["id"]})
        await sync(communicator)
    await communicator.disconnect()

    output = captured.getvalue()
    assert "conversations_searchtoken" in output and "INSERT INTO" in output  # the chat was stored, SQL logged
    lowered = output.lower()
    leaks = {form for value in FORBIDDEN for form in spellings(value) if form in lowered}
    lines = [line for line in output.splitlines() if any(form in line.lower() for form in leaks)]
    assert not leaks, "\n".join(lines[:20])


def test_the_servers_access_line_for_an_inbox_search_keeps_no_search_words(captured):
    """uvicorn logs each request's path with its query string (uvicorn.access, INFO, the shipped LOG_LEVEL):
    the inbox search ``?q=`` carries a customer's name or message words, so the filter masks the search."""
    path = f"/api/v1/conversations/?{'&'.join(f'q={quote_plus(v)}' for v in (NAME, WORD))}&status=open"
    logging.getLogger("uvicorn.access").info('%s - "%s %s HTTP/%s" %d', "127.0.0.1:5000", "GET", path, "1.1", 200)
    line = captured.getvalue()
    assert '"GET /api/v1/conversations/?q=[query]&q=[query]&status=open HTTP/1.1" 200' in line
    assert not {form for value in FORBIDDEN for form in spellings(value) if form in line.lower()}
