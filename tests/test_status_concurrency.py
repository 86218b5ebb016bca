"""Delivery statuses against concurrent writers, on PostgreSQL: no deadlock between a status group, a group
storing customers' messages and the look for statuses kept early (a deadlock aborts one of them, and an
aborted look loses its statuses until the purge), and the event an agent receives shows the conversation as
committed, not as it was a moment before."""

import threading
import time
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers, get_channel_layer
from django.db import connection, transaction
from django.utils import timezone

from conversations.models import Conversation, Direction, EarlyStatus, Message, MessageStatus
from conversations.providers.base import StatusUpdate
from conversations.providers.whatsapp.parser import WebhookBatch
from conversations.services import message_status_update, message_status_update_many
from conversations.services.statuses import early_statuses_retry_many
from conversations.tests.conftest import inbound_text
from conversations.tests.factories import MessageFactory
from conversations.webhooks import _apply_committed


def _sent_message(wa_id: str, wamid: str) -> Message:
    """A message an agent sent to ``wa_id`` an hour after the customer wrote, with the provider's id."""
    return MessageFactory(
        conversation__subject__value=wa_id, conversation__inbound_ago=timedelta(hours=1), provider_message_id=wamid,
        status=MessageStatus.SENT,
    )  # fmt: skip


def _delivered(wamid: str) -> StatusUpdate:
    return StatusUpdate(provider="whatsapp", provider_message_id=wamid, status="delivered", timestamp=timezone.now())


def _run(*targets) -> list[str]:
    """Run the targets in threads, each with its own connection; the names of what they raised."""
    errors: list[str] = []

    def wrap(target):
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 — reported by the caller's assertion
                errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(target)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_group_of_messages_and_statuses_does_not_deadlock_with_another_locking_the_other_way(require_postgres):
    """Group A: a message from customer 2 and a status for customer 1's conversation. Meanwhile another
    group holds customer 1's conversation and then asks for customer 2's (its message, then its status).
    One transaction for all of group A would hold 2 while waiting for 1: PostgreSQL reports a deadlock."""
    first = _sent_message("4915123456001", "wamid.c1")
    second = _sent_message("4915123456002", "wamid.c2")
    holding = threading.Event()

    def other_group() -> None:
        with transaction.atomic():
            Conversation.objects.select_for_update().filter(pk=first.conversation_id).exists()
            holding.set()
            time.sleep(0.5)  # group A stores its message meanwhile, then waits for this lock
            Conversation.objects.select_for_update().filter(pk=second.conversation_id).exists()

    def group_a() -> None:
        holding.wait(timeout=10)
        batch = WebhookBatch(
            messages=[inbound_text("4915123456002", "Danke!", message_id="wamid.in.c2")],
            statuses=[_delivered("wamid.c1")],
        )
        assert _apply_committed([batch]) == [(1, 1, 0)]

    try:
        errors = _run(other_group, group_a)
    finally:
        holding.set()
    assert errors == []
    first.refresh_from_db()
    assert first.status == "delivered"
    assert Message.objects.filter(provider_message_id="wamid.in.c2", conversation=second.conversation).exists()


@pytest.fixture
def in_memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield get_channel_layer()
    channel_layers.backends.clear()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_status_event_shows_the_conversation_as_committed_by_a_concurrent_change(require_postgres, in_memory_layer):
    """While a status arrives, another transaction marks the conversation sensitive (special-category data
    in the customer's reply). The status event must say so: agents' sockets forward a conversation that is
    not sensitive to the whole team."""
    message = _sent_message("4915123456003", "wamid.s")
    agent_socket = async_to_sync(in_memory_layer.new_channel)()
    async_to_sync(in_memory_layer.group_add)(f"conversation-{message.conversation_id}", agent_socket)
    written = threading.Event()

    def mark_sensitive() -> None:
        with transaction.atomic():
            conversation = Conversation.objects.select_for_update().get(pk=message.conversation_id)
            conversation.sensitive = True
            conversation.save(update_fields=["sensitive"])
            written.set()
            time.sleep(0.5)  # the status arrives now, before this commits

    def status() -> None:
        written.wait(timeout=10)
        assert message_status_update(update=_delivered("wamid.s")) is True

    try:
        errors = _run(mark_sensitive, status)
    finally:
        written.set()
    assert errors == []
    published = async_to_sync(in_memory_layer.receive)(agent_socket)
    assert published["event"]["kind"] == "message.status"
    assert published["event"]["conversation"]["sensitive"] is True


def _look_while(hold, wamids: tuple[str, ...]) -> None:
    """Run ``hold`` (it sets the event it is given once it holds its first lock) and meanwhile the look
    after commit for these kept statuses: neither may fail, and every kept status must be applied."""
    holding = threading.Event()

    def holder() -> None:
        try:
            hold(holding)
        finally:
            holding.set()

    def look() -> None:
        holding.wait(timeout=10)
        early_statuses_retry_many(keys=[("whatsapp", wamid) for wamid in wamids])

    assert _run(holder, look) == []
    assert set(Message.objects.values_list("status", flat=True)) == {"delivered"}
    assert not EarlyStatus.objects.exists()


def _kept_early(*wamids: str) -> None:
    for wamid in wamids:
        EarlyStatus.objects.create(provider="whatsapp", provider_message_id=wamid, status="delivered",
                                   timestamp=timezone.now())  # fmt: skip


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_look_for_kept_statuses_does_not_deadlock_with_ingest(require_postgres):
    """Two sends recorded their ids while their statuses waited as early statuses; the look after commit
    applies both. The older message is in the newer conversation, and ingest holds the older conversation
    while it asks for the newer one: a look that locked each message with its conversation deadlocks."""
    older_conversation = _sent_message("4915123456004", "wamid.placeholder1").conversation
    newer = _sent_message("4915123456005", "wamid.e1")
    Message.objects.filter(provider_message_id="wamid.placeholder1").delete()
    in_older = Message.objects.create(
        conversation=older_conversation, direction=Direction.OUTBOUND, provider="whatsapp",
        provider_message_id="wamid.e2", status=MessageStatus.SENT,
    )  # fmt: skip
    assert newer.pk < in_older.pk and older_conversation.pk < newer.conversation_id
    _kept_early("wamid.e1", "wamid.e2")

    def ingest_like(holding: threading.Event) -> None:
        with transaction.atomic():
            Conversation.objects.select_for_update().filter(pk=older_conversation.pk).exists()
            holding.set()
            time.sleep(0.5)
            Conversation.objects.select_for_update().filter(pk=newer.conversation_id).exists()

    _look_while(ingest_like, ("wamid.e1", "wamid.e2"))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_look_for_kept_statuses_does_not_deadlock_with_a_status_group(require_postgres):
    """Two messages of one conversation with kept statuses; a status group has locked the second message
    and is about to lock the conversation."""
    first = _sent_message("4915123456006", "wamid.g1")
    second = Message.objects.create(
        conversation=first.conversation, direction=Direction.OUTBOUND, provider="whatsapp",
        provider_message_id="wamid.g2", status=MessageStatus.SENT,
    )  # fmt: skip
    _kept_early("wamid.g1", "wamid.g2")

    def status_group(holding: threading.Event) -> None:
        with transaction.atomic():
            Message.objects.select_for_update(of=("self",)).filter(pk=second.pk).exists()
            holding.set()
            time.sleep(0.5)
            message_status_update_many(updates=[_delivered("wamid.g2")])

    _look_while(status_group, ("wamid.g1", "wamid.g2"))
