"""A group's delivery statuses and a group's customer messages take their conversation locks in the same
order (conversation id), so neither can deadlock the other (PostgreSQL detects a deadlock by failing one
of the two transactions, and Meta would have to redeliver)."""

import threading
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from consent import services as consent_services
from conversations.models import Conversation, Direction, Message, MessageStatus
from conversations.providers.base import StatusUpdate
from conversations.services import message_status_update_many


def _sent_message(wa_id: str, wamid: str) -> Message:
    subject, _ = consent_services.subject_get_or_create_by_contact(kind="whatsapp", value=wa_id, actor=None)
    conversation = Conversation.objects.create(
        subject=subject, contact_point=subject.contact_points.get(), channel="whatsapp",
        last_inbound_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    return Message.objects.create(
        conversation=conversation, direction=Direction.OUTBOUND, provider="whatsapp", provider_message_id=wamid,
        status=MessageStatus.SENT,
    )  # fmt: skip


def _delivered(wamid: str) -> StatusUpdate:
    return StatusUpdate(provider="whatsapp", provider_message_id=wamid, status="delivered", timestamp=timezone.now())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_statuses_naming_the_newer_conversation_first_do_not_deadlock_with_ingest(require_postgres):
    older = _sent_message("4915123456001", "wamid.lock.older")
    newer = _sent_message("4915123456002", "wamid.lock.newer")
    assert older.conversation_id < newer.conversation_id
    first_locked = threading.Event()
    errors: list[BaseException] = []

    def customer_messages() -> None:
        # ingest_many's locks, in id order, with a pause between them: the worst case of that order.
        try:
            with transaction.atomic():
                Conversation.objects.select_for_update().filter(pk=older.conversation_id).exists()
                first_locked.set()
                time.sleep(0.5)
                Conversation.objects.select_for_update().filter(pk=newer.conversation_id).exists()
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            first_locked.set()
            connection.close()

    def statuses() -> None:
        try:
            first_locked.wait(timeout=10)
            with transaction.atomic():
                message_status_update_many(updates=[_delivered("wamid.lock.newer"), _delivered("wamid.lock.older")])
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=customer_messages), threading.Thread(target=statuses)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert not errors, [type(e).__name__ for e in errors]
    assert set(Message.objects.values_list("status", flat=True)) == {"delivered"}
