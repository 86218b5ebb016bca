"""One-time codes over WhatsApp (``message_send_code``): an authentication template, sent by the system only,
with the code in memory and never in the stored message. Against the fake Graph API on loopback."""

import json

import pytest

from conversations.exceptions import NotAllowed, ProcessingRestricted
from conversations.models import Conversation, ConversationStatus, Message, MessageStatus
from conversations.selectors import template_list
from conversations.services import message_deliver, message_send_code, message_send_template
from conversations.tests.conftest import WA_ID, customer_wrote


@pytest.fixture
def conversation(db, fake_graph, default_team) -> Conversation:
    return customer_wrote()


def test_the_code_goes_in_her_conversation_in_progress_with_the_copy_code_button(conversation, fake_graph):
    contact = conversation.contact_point
    assert message_send_code(contact_point=contact, code="042917", language="nl") == MessageStatus.SENT

    [send] = fake_graph.sends
    assert send.body["template"] == {
        "name": "verification_code",
        "language": {"code": "nl"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": "042917"}]},
            {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "042917"}]},
        ],
    }
    assert fake_graph.sent_codes(to=WA_ID) == ["042917"]
    message = Message.objects.get(direction="out")
    assert message.conversation == conversation and message.status == MessageStatus.SENT
    assert "042917" not in json.dumps(message.content)
    assert message.content["text"].startswith("•••••• is je verificatiecode.")


def test_a_language_without_the_template_gets_english(conversation, fake_graph):
    message_send_code(contact_point=conversation.contact_point, code="123456", language="fr")
    assert fake_graph.sends[0].body["template"]["language"] == {"code": "en"}


def test_a_resolved_conversation_is_not_reopened(conversation, fake_graph, agent):
    from conversations.services import conversation_resolve

    conversation_resolve(conversation=conversation, actor=agent)
    message_send_code(contact_point=conversation.contact_point, code="123456", language="de")
    message = Message.objects.get(direction="out")
    assert message.conversation != conversation and message.conversation.status == ConversationStatus.RESOLVED
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.RESOLVED


def test_a_code_message_never_goes_out_without_its_code(conversation, fake_graph):
    message_send_code(contact_point=conversation.contact_point, code="123456", language="de")
    message = Message.objects.get(direction="out")
    # A stray redelivery with no attempt on record (as outbound_recover queues a message again): the code lived
    # only in the memory of the first run, so the sender refuses rather than send the template without it.
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.QUEUED, attempts=0)
    assert message_deliver(message_id=message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.error_code == "code_not_kept" and len(fake_graph.sends) == 1
    # With the attempt on record it is not even tried: it may have gone out already (unknown outcome).
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.QUEUED)
    assert message_deliver(message_id=message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.error_code == "unknown_outcome" and len(fake_graph.sends) == 1


def test_agents_cannot_send_or_pick_the_authentication_template(conversation, fake_graph, agent):
    with pytest.raises(NotAllowed):
        message_send_template(
            conversation=conversation, actor=agent, name="verification_code", language="de", parameters=["123456"]
        )
    assert "verification_code" not in {t["name"] for t in template_list()}
    assert fake_graph.sends == []


def test_nothing_goes_to_a_restricted_customer_or_a_non_whatsapp_contact(conversation, fake_graph):
    from consent.services import subject_restrict
    from consent.tests.factories import SubjectFactory

    email = SubjectFactory(kind="email", value="erika@example.org").contact_points.get()
    with pytest.raises(NotAllowed):
        message_send_code(contact_point=email, code="123456", language="de")
    with pytest.raises(NotAllowed):
        message_send_code(contact_point=conversation.contact_point, code="12ab56", language="de")
    subject_restrict(subject=conversation.subject, ground="accuracy", actor=None, reason="contested")
    with pytest.raises(ProcessingRestricted):
        message_send_code(contact_point=conversation.contact_point, code="123456", language="de")
    assert fake_graph.sends == [] and not Message.objects.filter(direction="out").exists()
