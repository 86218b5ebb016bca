"""The set-based inbound path and the webhook group commit: same outcome as one message at a time."""

import asyncio
import json
from collections import Counter

import pytest
from asgiref.sync import async_to_sync

from consent.models import ConsentStatus
from consent.selectors import consent_state, contact_point_get
from conversations import services
from conversations.models import Conversation, ConversationEvent, Message
from conversations.providers.base import InboundMessage, MediaRef
from conversations.tests.conftest import PHONE_NUMBER_ID, inbound_text
from devtools.fakegraph import inbound_text_value, webhook_envelope

DE, NL, BR = "4915123456789", "31612345678", "5511987654321"


def msg(sender: str, text: str, mid: str, *, type: str = "text", media: MediaRef | None = None) -> InboundMessage:
    return inbound_text(sender, text, message_id=mid, name="Kunde", type=type, media=media)


def conversation_of(number: str) -> Conversation:
    return Conversation.objects.get(contact_point=contact_point_get(kind="whatsapp", value=number))


def conversation_texts(number: str) -> list[str]:
    return [m.content.get("text", "") for m in conversation_of(number).messages.order_by("pk")]


def test_a_mixed_batch_ends_as_if_stored_one_by_one(default_team, notices, newsletter):
    services.ingest(inbound=msg(DE, "Hallo", "wamid.seed.de"))  # a known customer with an open conversation
    services.ingest(inbound=msg(NL, "Hoi", "wamid.seed.nl"))
    last_event_before = ConversationEvent.objects.order_by("pk").last().pk

    results = services.ingest_many(
        inbounds=[
            msg(DE, "Wo ist mein Paket?", "wamid.1"),
            msg(BR, "Olá, bom dia", "wamid.2"),  # first contact: opens a conversation
            msg(DE, "Bestellung 4711", "wamid.3"),
            msg(NL, "START", "wamid.4"),  # a consent keyword: decided one by one
            msg(DE, "Wo ist mein Paket?", "wamid.1"),  # the same id twice in one batch
            msg("not-a-number", "x", "wamid.5"),  # refused, nothing stored
            msg(DE, "", "wamid.6", type="image", media=MediaRef(media_id="m1", mime_type="image/jpeg")),
            msg(BR, "Tudo bem?", "wamid.7"),
        ]
    )

    assert [r.created for r in results] == [True, True, True, True, False, False, True, True]
    assert results[5].refused and not results[4].refused
    assert conversation_texts(DE) == ["Hallo", "Wo ist mein Paket?", "Bestellung 4711", ""]
    assert conversation_texts(BR) == ["Olá, bom dia", "Tudo bem?"]
    de = conversation_of(DE)
    assert de.unread_count == 4 and de.last_inbound_at is not None
    assert Message.objects.get(provider_message_id="wamid.6").attachments.count() == 1
    # START grants the single opt-in newsletter at once and answers the Dutch customer, as ``ingest`` would.
    nl = contact_point_get(kind="whatsapp", value=NL).subject
    assert consent_state(subject=nl, purpose=newsletter) == ConsentStatus.GRANTED
    [answer] = results[3].replies
    # One event per stored message (the answer to START included) plus one for the opened conversation;
    # per conversation, the message events come in arrival order.
    events = list(ConversationEvent.objects.filter(pk__gt=last_event_before).order_by("pk"))
    assert Counter(event.kind for event in events) == {"conversation.message": 7, "conversation.opened": 1}
    br = conversation_of(BR)
    assert [event.conversation_id for event in events if event.kind == "conversation.opened"] == [br.pk]
    per_conversation: dict[int, list[int]] = {}
    for event in events:
        if event.kind == "conversation.message":
            per_conversation.setdefault(event.conversation_id, []).append(event.message_id)
    stored = dict(Message.objects.filter(direction="in").values_list("provider_message_id", "pk"))
    assert per_conversation == {
        de.pk: [stored["wamid.1"], stored["wamid.3"], stored["wamid.6"]],
        br.pk: [stored["wamid.2"], stored["wamid.7"]],
        conversation_of(NL).pk: [stored["wamid.4"], answer.pk],
    }
    for message_ids in per_conversation.values():
        assert message_ids == sorted(message_ids)
    stored_inbound = Message.objects.filter(direction="in").count()
    assert stored_inbound == 2 + 6


def test_a_redelivered_batch_changes_nothing(default_team, notices):
    batch = [msg(DE, "eins", "wamid.a"), msg(DE, "zwei", "wamid.b")]
    services.ingest_many(inbounds=batch)
    counts = (Message.objects.count(), ConversationEvent.objects.count(), Conversation.objects.get().unread_count)
    assert all(not r.created for r in services.ingest_many(inbounds=batch))
    assert (Message.objects.count(), ConversationEvent.objects.count(), Conversation.objects.get().unread_count) == (
        counts
    )


def test_a_pending_conversation_goes_back_to_the_queue(default_team, notices):
    first = services.ingest(inbound=msg(DE, "Hallo", "wamid.p0")).message.conversation
    services.conversation_set_status(conversation=first, status="pending", actor=None)
    services.ingest_many(inbounds=[msg(DE, "Noch da?", "wamid.p1"), msg(DE, "Hallo?", "wamid.p2")])
    first.refresh_from_db()
    assert first.status == "open" and first.unread_count == 3


def _payload(sender: str, text: str, mid: str) -> bytes:
    value = inbound_text_value(wa_id=sender, name="Kunde", text=text, phone_number_id=PHONE_NUMBER_ID, message_id=mid)
    return json.dumps(webhook_envelope(value)).encode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_webhooks_share_a_transaction_and_a_bad_one_fails_alone(
    whatsapp_settings, default_team, monkeypatch
):
    """Several POSTs waiting at once are committed together; one that breaks is answered 500 by itself."""
    from conversations import webhooks

    groups: list[int] = []
    real_apply = webhooks._apply_committed

    def observed(batches):
        groups.append(len(batches))
        for batch in batches:
            if any(m.text == "boom" for m in batch.messages):
                raise RuntimeError("a delivery the database refuses")
        return real_apply(batches)

    monkeypatch.setattr(webhooks, "_apply_committed", observed)
    bodies = [_payload(f"49151234567{i:02d}", "boom" if i == 3 else f"Nachricht {i}", f"wamid.g{i}") for i in range(8)]

    async def post_all():
        from conversations.providers.whatsapp.signature import signature_for

        return await asyncio.gather(
            *(
                webhooks.whatsapp_post(
                    body=body, signature=signature_for(body, secret=whatsapp_settings.WHATSAPP_APP_SECRET)
                )
                for body in bodies
            )
        )

    answers = async_to_sync(post_all)()

    assert [status for status, _ in answers] == [200, 200, 200, 500, 200, 200, 200, 200]
    assert max(groups) > 1  # they were grouped, then retried one by one after the failure
    assert sorted(Message.objects.values_list("provider_message_id", flat=True)) == sorted(
        f"wamid.g{i}" for i in range(8) if i != 3
    )
