"""The webhook group commit at its edges: a client that leaves mid-group, a number change inside a group."""

import asyncio
import json

import pytest
from asgiref.sync import async_to_sync

from consent.models import Subject
from consent.selectors import subject_get_by_contact
from conversations import services, webhooks
from conversations.models import Message
from conversations.tests.conftest import PHONE_NUMBER_ID, inbound_text, load_fixture, sign
from devtools.fakegraph import inbound_text_value, webhook_envelope

OLD, NEW = "4915123456789", "4915198765432"


def text_body(sender: str, text: str, mid: str) -> bytes:
    value = inbound_text_value(wa_id=sender, name="Kunde", text=text, phone_number_id=PHONE_NUMBER_ID, message_id=mid)
    return json.dumps(webhook_envelope(value)).encode()


def number_change_body() -> bytes:
    """Meta's own example of a customer changing number, on numbers a phone can have."""
    text = json.dumps(load_fixture("meta_15_system_user_changed_number.json"))
    return text.replace("16505551234", OLD).replace("12195555358", NEW).encode()


def post(body: bytes):
    return webhooks.whatsapp_post(body=body, signature=sign(body))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_client_that_leaves_does_not_leave_its_group_waiting(whatsapp_settings, default_team):
    """Django cancels the view of a client that disconnects; the others of its group still get their 200."""

    async def scenario():
        tasks = [asyncio.create_task(post(text_body(f"4915112345{i:03d}", f"Hallo {i}", f"wamid.c{i}")))
                 for i in range(3)]  # fmt: skip
        await asyncio.sleep(0)  # all three wait in one group; its transaction has not started
        tasks[1].cancel()
        return await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=30)

    first, second, third = async_to_sync(scenario)()

    assert first == (200, "ok") and third == (200, "ok")
    assert isinstance(second, asyncio.CancelledError)
    # The one who left was stored with the others: Meta's redelivery will find it and store nothing twice.
    assert sorted(Message.objects.values_list("provider_message_id", flat=True)) == ["wamid.c0", "wamid.c1", "wamid.c2"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_after_a_number_change_in_the_same_group_keeps_one_customer(whatsapp_settings, default_team):
    services.ingest(inbound=inbound_text(OLD, "Hallo", message_id="wamid.before"))
    subject = subject_get_by_contact(kind="whatsapp", value=OLD)

    async def both():
        return await asyncio.gather(
            post(number_change_body()), post(text_body(NEW, "Neue Nummer, gleiche Frage", "wamid.n1"))
        )

    assert [status for status, _ in async_to_sync(both)()] == [200, 200]

    assert Subject.objects.count() == 1
    assert subject_get_by_contact(kind="whatsapp", value=NEW) == subject
    assert Message.objects.get(provider_message_id="wamid.n1").conversation.subject == subject
