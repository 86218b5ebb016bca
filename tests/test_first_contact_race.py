"""A new customer's first two messages, delivered at once to two server processes, make one subject."""

import threading

import pytest
from django.db import connection, transaction

from consent.models import ContactPoint, Subject
from conversations import services
from conversations.models import Conversation, Message
from conversations.providers.base import InboundMessage
from conversations.tests.conftest import inbound_text
from conversations.tests.factories import TeamFactory

WORKERS = 4


def first_words(mid: str) -> InboundMessage:
    return inbound_text("4915199990000", f"Hallo ({mid})", message_id=mid, name="Neu")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_first_messages_of_one_new_customer_make_one_subject_and_conversation(require_postgres):
    TeamFactory(name="Care", is_default=True, auto_assign=False)
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def work(n: int) -> None:
        try:
            start.wait()
            # As the webhook does: one transaction per group, the set-based path first.
            with transaction.atomic():
                services.ingest_many(inbounds=[first_words(f"wamid.race.{n}")])
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [thread for thread in threads if thread.is_alive()], "a worker still runs after 60 s"

    # The losers meet the contact point's unique index, wait for the winner's commit, and join its
    # subject and conversation: nothing fails, nothing is duplicated.
    assert not errors, errors
    assert (Subject.objects.count(), ContactPoint.objects.count(), Conversation.objects.count()) == (1, 1, 1)
    assert Message.objects.count() == WORKERS
    assert set(Message.objects.values_list("conversation_id", flat=True)) == {Conversation.objects.get().pk}
