"""A customer's message that reads like a data-protection request carries the suggested kind to the inbox: in the
API's messages, the socket's events and the page; for the customer's text messages only, read from the text as
the agent sees it, and only where the agent may see the conversation at all."""

import json
import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from consent.tests.factories import SubjectFactory
from contactcenter.asgi import application
from conversations import selectors, services
from conversations.models import Conversation, Direction, Message, MessageStatus
from conversations.providers.base import InboundMessage
from conversations.tests.conftest import TIMEOUT, headers_for, inbound_text
from conversations.tests.factories import ConversationFactory, MessageFactory, TeamMembershipFactory
from tests.clients import token_client

pytestmark = pytest.mark.urls("conversations.tests.urls_inbox_test")

# The three, and one per language besides: (conversation language, text, kind).
REQUESTS = [
    ("en", "Please delete my data", "erasure"),
    ("de", "Ich möchte eine Kopie meiner Daten", "access"),
    ("pt-br", "Quero apagar meus dados", "erasure"),
    ("nl", "Mag ik een kopie van mijn gegevens?", "access"),
    ("it", "cancellate tutti i miei dati grazie", "erasure"),
    ("en", "I withdraw my consent", "withdrawal"),
    ("de", "Ich widerspreche der Verarbeitung meiner Daten", "objection"),
]
NOT_REQUESTS = [
    ("en", "I deleted the app by mistake"),
    ("de", "Ich habe die App aus Versehen gelöscht"),
    ("nl", "ik heb per ongeluk de app verwijderd"),
    ("it", "ho cancellato l'app per sbaglio"),
    ("pt-br", "apaguei o app sem querer"),
    ("en", "don't delete my data"),
    ("de", "Wo bleibt meine Bestellung?"),
]


def customer_says(conversation: Conversation, text: str, type: str = "text") -> Message:
    return MessageFactory(conversation=conversation, direction=Direction.INBOUND, status=MessageStatus.RECEIVED,
                          type=type, content={"text": text})  # fmt: skip


def served(agent, conversation: Conversation) -> dict[int, dict]:
    """The conversation's messages as the API serves them to ``agent``, by id."""
    response = token_client(agent).get(f"/api/v1/conversations/{conversation.pk}/messages/")
    assert response.status_code == 200
    return {m["id"]: m for m in response.json()["results"]}


@pytest.fixture
def ours(support):
    return lambda language: ConversationFactory(
        channel="whatsapp", team=support, subject=SubjectFactory(language=language)
    )


@pytest.mark.parametrize(("language", "text", "kind"), REQUESTS)
def test_a_request_written_into_the_chat_is_suggested_with_its_kind(agent, ours, language, text, kind):
    conversation = ours(language)
    message = customer_says(conversation, text)
    assert served(agent, conversation)[message.pk]["request_suggestion"] == {"kind": kind, "generic": False}


@pytest.mark.parametrize(("language", "text"), NOT_REQUESTS)
def test_a_message_that_is_no_request_suggests_nothing(agent, ours, language, text):
    conversation = ours(language)
    message = customer_says(conversation, text)
    assert served(agent, conversation)[message.pk]["request_suggestion"] is None


def test_a_request_under_a_law_that_names_no_right_is_generic_access(agent, ours):
    conversation = ours("de")
    message = customer_says(conversation, "DSGVO-Anfrage")
    assert served(agent, conversation)[message.pk]["request_suggestion"] == {"kind": "access", "generic": True}


def test_only_the_customers_text_messages_carry_a_suggestion(agent, ours):
    conversation = ours("en")
    ours_said = MessageFactory(conversation=conversation, content={"text": "Please delete my data"})  # outbound
    caption = customer_says(conversation, "Please delete my data", type="image")  # a photo's caption
    rendered = served(agent, conversation)
    assert rendered[ours_said.pk]["request_suggestion"] is None
    assert rendered[caption.pk]["request_suggestion"] is None


def test_the_suggestion_is_read_from_the_text_as_the_agent_sees_it(agent, support):
    """Identifiers stay masked for the detector too: the suggestion depends on nothing the agent cannot read."""
    text = "Please delete my data, my card was 4111 1111 1111 1111"
    message = services.ingest(inbound=inbound_text("4915199990002", text, message_id="wamid.card")).message
    rendered = served(agent, message.conversation)[message.pk]
    assert rendered["masked"] and "4111 1111 1111 1111" not in rendered["text"]
    assert rendered["request_suggestion"] == {"kind": "erasure", "generic": False}


def test_a_sensitive_conversation_shows_its_suggestion_to_its_agent_and_nothing_to_a_teammate(agent, support):
    """Special-category data narrows who sees the conversation: the teammate gets neither the messages nor their
    suggestion, by the API or the reconnect replay; the agent it is assigned to sees both."""
    teammate = TeamMembershipFactory(team=support, user__username="agent2").user
    wa_id = "4915199990001"
    first = services.ingest(inbound=inbound_text(wa_id, "Hallo", message_id="wamid.h0")).message
    conversation = first.conversation
    services.conversation_assign(conversation=conversation, agent=agent, actor=None)
    message = services.ingest(inbound=inbound_text(
        wa_id, "Ich bin schwanger, bitte löschen Sie alle meine Daten", message_id="wamid.h1"
    )).message  # fmt: skip
    conversation.refresh_from_db()
    assert message.special_category and conversation.sensitive

    assert served(agent, conversation)[message.pk]["request_suggestion"] == {"kind": "erasure", "generic": False}
    refused = token_client(teammate).get(f"/api/v1/conversations/{conversation.pk}/messages/")
    assert refused.status_code == 404 and "request_suggestion" not in refused.content.decode()
    assert not [e for e in selectors.event_list_for_user(user=teammate, after_id=0) if e.message_id == message.pk]


def test_the_inbox_page_offers_the_suggestion_in_the_agents_language(client, agent, ours):
    conversation = ours("pt-br")
    message = customer_says(conversation, "Quero apagar meus dados")
    client.force_login(agent)
    page = client.get(f"/inbox/c/{conversation.pk}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert f'data-message-id="{message.pk}"' in page and 'data-request-kind="erasure"' in page
    texts = json.loads(re.search(r'<script id="request-suggestion-texts"[^>]*>(.*?)</script>', page, re.S)[1])
    assert texts["language"] == "de"  # the agent's language, not the customer's
    assert texts["kinds"]["erasure"]["button"] == "Löschanfrage erfassen"


def test_no_offer_to_record_for_someone_who_may_not_record_requests(client, support, ours):
    from django.contrib.auth.models import Permission

    viewer = TeamMembershipFactory(team=support, user__username="viewer", user__role=None).user
    viewer.user_permissions.add(Permission.objects.get(codename="view_conversation"))
    conversation = ours("en")
    customer_says(conversation, "Please delete my data")
    client.force_login(viewer)
    page = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert 'data-request-kind="erasure"' in page and 'id="request-suggestion-texts"' not in page


# --- the socket ----------------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_the_live_event_carries_the_suggestion(agent, support):
    headers = await database_sync_to_async(headers_for)(agent)
    communicator = WebsocketCommunicator(application, "/ws/agent/", headers=headers)
    assert (await communicator.connect(timeout=TIMEOUT))[0]
    inbound = InboundMessage(
        provider="webchat", provider_message_id="wc-req", contact_kind="webchat", sender="visitor-req",
        timestamp=timezone.now(), type="text", text="Bitte löschen Sie alle meine Daten", language="de",
    )  # fmt: skip
    await database_sync_to_async(services.ingest)(inbound=inbound)
    events = [(await communicator.receive_json_from(timeout=TIMEOUT))["event"] for _ in range(2)]
    message = next(e for e in events if e["kind"] == "conversation.message")["message"]
    assert message["request_suggestion"] == {"kind": "erasure", "generic": False}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.asyncio
async def test_a_sensitive_message_and_its_suggestion_never_reach_a_teammates_socket(agent, support):
    teammate = await database_sync_to_async(lambda: TeamMembershipFactory(team=support, user__username="agent2").user)()
    wa_id = "4915199990004"

    def arrange() -> Conversation:
        first = services.ingest(inbound=inbound_text(wa_id, "Hallo", message_id="wamid.live0")).message
        services.conversation_assign(conversation=first.conversation, agent=agent, actor=None)
        return first.conversation

    await database_sync_to_async(arrange)()
    sockets = []
    for user in (agent, teammate):
        communicator = WebsocketCommunicator(application, "/ws/agent/", headers=await database_sync_to_async(
            headers_for)(user))  # fmt: skip
        assert (await communicator.connect(timeout=TIMEOUT))[0]
        sockets.append(communicator)
    ours_socket, teammates_socket = sockets
    await database_sync_to_async(services.ingest)(inbound=inbound_text(
        wa_id, "Ich bin schwanger, bitte löschen Sie alle meine Daten", message_id="wamid.live1"
    ))  # fmt: skip
    frame = await ours_socket.receive_json_from(timeout=TIMEOUT)
    assert frame["event"]["conversation"]["sensitive"]
    assert frame["event"]["message"]["request_suggestion"] == {"kind": "erasure", "generic": False}
    assert await teammates_socket.receive_nothing(timeout=0.5)
    for communicator in sockets:
        await communicator.disconnect()
