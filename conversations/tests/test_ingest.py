"""The inbound pipeline at service level: dedupe, routing, consent keywords, number changes; statuses: test_statuses."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from consent import crypto
from consent.selectors import consent_state, subject_get_by_contact
from conversations import services
from conversations.exceptions import ConsentMissing, WindowClosed
from conversations.models import AgentPresence, Conversation, ConversationEvent, Message
from conversations.providers.base import InboundMessage, NumberChange
from conversations.tests.conftest import inbound_text
from conversations.tests.factories import TeamFactory, TeamMembershipFactory

WA_DE = "4915123456789"


def inbound(text: str, *, mid: str, sender: str = WA_DE) -> InboundMessage:
    return inbound_text(sender, text, message_id=mid)


@pytest.fixture
def team(db):
    """The default team, which assigns a new conversation to the least loaded agent online."""
    return TeamFactory(name="Care", is_default=True, auto_assign=True)


def online(team, username: str, connections: int = 1):
    """An agent of ``team`` with ``connections`` inbox sockets open."""
    user = TeamMembershipFactory(team=team, user__username=username).user
    AgentPresence.objects.update_or_create(user=user, defaults={"connections": connections})
    return user


def test_first_message_opens_an_encrypted_conversation(team, notices):
    result = services.ingest(inbound=inbound("Wo ist meine Bestellung?", mid="wamid.1"))
    assert result.created
    conversation = result.message.conversation
    assert (conversation.team, conversation.status, conversation.unread_count) == (team, "open", 1)
    assert conversation.window_open and conversation.channel == "whatsapp"
    assert Message.objects.get(pk=result.message.pk).content == {"text": "Wo ist meine Bestellung?"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT content_enc FROM conversations_message")
        assert b"Bestellung" not in bytes(cursor.fetchone()[0])
    assert list(ConversationEvent.objects.values_list("kind", flat=True)) == [
        "conversation.opened",
        "conversation.message",
    ]
    subject = subject_get_by_contact(kind="whatsapp", value=WA_DE)
    assert subject.language == "de" and subject.display_name == "Erika"


def test_redelivery_is_stored_once(team, notices):
    services.ingest(inbound=inbound("hallo", mid="wamid.dup"))
    again = services.ingest(inbound=inbound("hallo", mid="wamid.dup"))
    assert not again.created
    assert Message.objects.count() == 1 and ConversationEvent.objects.count() == 2


def test_second_message_joins_the_open_conversation(team, notices):
    first = services.ingest(inbound=inbound("eins", mid="wamid.a")).message
    second = services.ingest(inbound=inbound("zwei", mid="wamid.b")).message
    assert first.conversation_id == second.conversation_id
    assert Conversation.objects.get().unread_count == 2


def test_new_conversation_goes_to_the_least_loaded_online_agent(team, notices):
    busy = online(team, "busy")
    free = online(team, "free")
    TeamMembershipFactory(team=team, user__username="offline")
    services.ingest(inbound=inbound("a", mid="wamid.x", sender="4915100000001"))
    Conversation.objects.update(assigned_agent=busy)
    conversation = services.ingest(inbound=inbound("b", mid="wamid.y", sender="4915100000002")).message.conversation
    assert conversation.assigned_agent == free
    ConversationEvent.objects.filter(conversation=conversation, kind="conversation.opened").get()


def test_no_agent_online_leaves_it_in_the_queue(team, notices):
    TeamMembershipFactory(team=team, user__username="away")
    conversation = services.ingest(inbound=inbound("a", mid="wamid.q")).message.conversation
    assert conversation.assigned_agent is None and conversation.team == team


def test_pending_conversation_reopens_when_the_customer_writes(team, notices):
    conversation = services.ingest(inbound=inbound("a", mid="wamid.p1")).message.conversation
    services.conversation_set_status(conversation=conversation, status="pending", actor=None)
    before = ConversationEvent.objects.order_by("-id").values_list("id", flat=True).first()
    services.ingest(inbound=inbound("b", mid="wamid.p2"))
    conversation.refresh_from_db()
    assert conversation.status == "open"
    # Through the declared transition: the inbox hears of it, the history says why.
    events = list(ConversationEvent.objects.filter(id__gt=before).order_by("id").values_list("kind", "data"))
    assert events == [("conversation.status", {"status": "open"}), ("conversation.message", {})]
    assert conversation.history.first().history_change_reason == "the customer answered"


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_an_answer_with_special_category_data_reopens_the_conversation_for_the_narrow_audience_only(
    team, notices
):
    """The reopening is published after the scan made the conversation sensitive: the team's agents, who may
    no longer see it, are not sent the customer's name with it (their sockets judge by the frame)."""
    import asyncio

    from channels.db import database_sync_to_async
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    listener = await layer.new_channel()
    await layer.group_add(f"team-{team.pk}", listener)

    def customer_answers_a_pending_conversation() -> None:
        conversation = services.ingest(inbound=inbound("Hallo", mid="wamid.k1")).message.conversation
        services.conversation_set_status(conversation=conversation, status="pending", actor=None)
        services.ingest(inbound=inbound("Ich bin schwanger und kann nicht kommen", mid="wamid.k2"))

    await database_sync_to_async(customer_answers_a_pending_conversation)()
    frames = []
    while True:
        try:
            frames.append((await asyncio.wait_for(layer.receive(listener), 1))["event"])
        except TimeoutError:
            break
    await layer.group_discard(f"team-{team.pk}", listener)
    reopened = [e for e in frames if e["kind"] == "conversation.status" and e["data"] == {"status": "open"}]
    assert len(reopened) == 1 and reopened[0]["conversation"]["sensitive"] is True


def test_resolved_conversation_is_followed_by_a_new_one(team, notices):
    first = services.ingest(inbound=inbound("a", mid="wamid.r1")).message.conversation
    services.conversation_resolve(conversation=first, actor=None)
    second = services.ingest(inbound=inbound("b", mid="wamid.r2")).message.conversation
    assert second.pk != first.pk and second.status == "open"


def test_stop_withdraws_marketing_and_confirms_in_the_customers_language(team, notices, marketing, newsletter):
    from consent import services as consent_services
    from consent.selectors import subject_get_by_contact

    services.ingest(inbound=inbound("Hallo", mid="wamid.s0"))
    subject = subject_get_by_contact(kind="whatsapp", value=WA_DE)
    consent_services.consent_grant(subject=subject, purpose=newsletter, channel="webchat")
    result = services.ingest(inbound=inbound("STOPP bitte", mid="wamid.s1"))
    assert consent_state(subject=subject, purpose=newsletter) == "withdrawn"
    assert consent_state(subject=subject, purpose=marketing) == "withdrawn"
    (reply,) = result.replies
    assert reply.direction == "out" and reply.status == "queued" and "nicht mehr" in reply.content["text"]
    event = subject.consent_events.filter(action="withdrawn").first()
    assert event.evidence == {"inbound_message_hash": crypto.evidence_hash("wamid.s1"), "keyword": "STOPP"}


def test_start_then_yes_completes_double_opt_in(team, notices, marketing):
    services.ingest(inbound=inbound("START", mid="wamid.o1"))
    subject = subject_get_by_contact(kind="whatsapp", value=WA_DE)
    assert consent_state(subject=subject, purpose=marketing) == "pending"
    result = services.ingest(inbound=inbound("Ja", mid="wamid.o2"))
    assert consent_state(subject=subject, purpose=marketing) == "granted"
    assert "Danke" in result.replies[0].content["text"]


def test_ordinary_sentence_touches_no_consent(team, notices, marketing, newsletter):
    result = services.ingest(inbound=inbound("Bitte nicht stoppen, ich will das Paket", mid="wamid.n1"))
    assert result.replies == ()
    assert not marketing.consent_events.exists()


def test_number_change_keeps_one_subject(team, notices):
    services.ingest(inbound=inbound("a", mid="wamid.n"))
    subject = subject_get_by_contact(kind="whatsapp", value=WA_DE)
    change = NumberChange(
        provider="whatsapp", provider_message_id="wamid.sys", old_value=WA_DE, new_value="4915199999999",
        timestamp=timezone.now(),
    )  # fmt: skip
    assert services.contact_number_change(change=change)
    assert subject_get_by_contact(kind="whatsapp", value="4915199999999").pk == subject.pk
    assert subject_get_by_contact(kind="whatsapp", value=WA_DE) is None
    assert Message.objects.filter(type="system").count() == 1
    assert not services.contact_number_change(change=change), "a redelivery changes nothing"


def test_free_text_needs_the_window_and_marketing_needs_consent(team, notices, marketing_whatsapp, agent):
    conversation = services.ingest(inbound=inbound("a", mid="wamid.w")).message.conversation
    TeamMembershipFactory(team=team, user=agent)
    assert services.message_reply(conversation=conversation, actor=agent, text="Gern!").status == "queued"
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=timezone.now() - timedelta(hours=25))
    with pytest.raises(WindowClosed):
        services.message_reply(conversation=conversation, actor=agent, text="zu spät")
    with pytest.raises(ConsentMissing):
        services.message_send_template(
            conversation=conversation, actor=agent, name="weekly_offers", language="de", parameters=["-20%"]
        )
    sent = services.message_send_template(
        conversation=conversation, actor=agent, name="conversation_followup", language="de", parameters=["versandt"]
    )
    assert sent.type == "template" and sent.content["template"]["name"] == "conversation_followup"


def test_language_routing_picks_the_team_serving_it(team, notices):
    german = TeamFactory(name="DACH", languages=["de"])
    de = services.ingest(inbound=inbound("Hallo", mid="wamid.l1")).message.conversation
    br = services.ingest(inbound=inbound("Olá", mid="wamid.l2", sender="5511987654321")).message.conversation
    assert (de.team, br.team) == (german, team)
