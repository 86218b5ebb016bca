"""A customer's message arriving while her erasure runs, on PostgreSQL: it ends one of two ways only.

Either the message's transaction holds her subject first: the erasure waits for it, and erases the message with
the rest of her. Or the erasure holds her subject first: the message waits for it, finds her gone, and starts a
new subject with a fresh key; nothing of the old one is readable or attached to it. Never a message under the
destroyed key, never a failed transaction for the provider to retry, never a half-erased subject. Each test
holds one side's transaction open until the other is seen waiting for a lock, to force the interleaving.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from consent.models import ContactPoint, DataKey, Subject
from conversations import services
from conversations.models import Conversation, Message
from conversations.tests.conftest import inbound_text
from conversations.tests.factories import TeamFactory
from retention.models import ErasureReceipt
from retention.services import subject_erase

PHONE = "4915199990042"
NAME = "Wilma Wettlauf"
LATE = "Hallo, ist mein Paket schon unterwegs?"

# How her new message arrives: a WhatsApp webhook group (``ingest_many``; her conversation open takes its set
# path, a resolved one sends the message through ``ingest`` to open another), or ``ingest`` itself (web chat).
WAYS = {
    "webhook, conversation open": ("many", False),
    "webhook, conversation resolved": ("many", True),
    "ingest, conversation open": ("one", False),
}


def _wrote(message_id: str, text: str):
    return inbound_text(PHONE, text, message_id=message_id, name=NAME)


def _store(way: str) -> None:
    inbound = _wrote("wamid.race.late", LATE)
    if way == "many":
        services.ingest_many(inbounds=[inbound])
    else:
        services.ingest(inbound=inbound)


@pytest.fixture(params=sorted(WAYS))
def her(request, settings, tmp_path, require_postgres):
    """She wrote once; returns (her subject, how her next message arrives)."""
    settings.ERASURE_JOURNAL_PATH = tmp_path / "erasure-journal.jsonl"
    TeamFactory(name="Care", is_default=True, auto_assign=False)
    first = services.ingest(inbound=_wrote("wamid.race.first", "Wo ist mein Paket?")).message
    way, resolved = WAYS[request.param]
    if resolved:
        services.conversation_resolve(conversation=first.conversation, actor=None)
    return first.conversation.subject, way


def _start(*targets) -> tuple[list[threading.Thread], list[str]]:
    """The targets in threads, each with its own connection; the names of what they raise, once joined."""
    errors: list[str] = []

    def wrap(target):
        def run() -> None:
            try:
                target()
            except BaseException as exc:  # noqa: BLE001 — reported by the test's assertion
                errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(target)) for target in targets]
    for thread in threads:
        thread.start()
    return threads, errors


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(timeout=60)
    assert not [thread for thread in threads if thread.is_alive()], "a thread still runs after 60 s"


def _one_waits_for_a_lock(thread: threading.Thread, *, timeout: float = 10.0) -> bool:
    """Whether, before ``thread`` ends, another session of the test database is seen waiting for a lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and thread.is_alive():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_stored_before_the_erasure_is_erased_with_her(her):
    subject, way = her
    stored, release = threading.Event(), threading.Event()

    def message_first() -> None:
        with transaction.atomic():
            _store(way)
            stored.set()
            release.wait(timeout=30)  # committed only once the erasure is seen waiting

    def erasure() -> None:
        stored.wait(timeout=30)
        subject_erase(subject=subject, actor=None, reason="subject_request")

    threads, errors = _start(message_first, erasure)
    try:
        stored.wait(timeout=30)
        waited = _one_waits_for_a_lock(threads[1])
    finally:
        release.set()
    _join(threads)

    assert errors == [] and waited  # the erasure waited for her subject, held by the message's transaction
    assert not Subject.objects.exists() and not ContactPoint.objects.exists() and not DataKey.objects.exists()
    assert not Message.objects.exists() and not Conversation.objects.exists()
    [receipt] = ErasureReceipt.objects.all()
    assert receipt.counts["messages"] == 2  # hers from before, and the one that arrived


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_message_arriving_during_the_erasure_starts_a_new_subject_with_a_fresh_key(her):
    subject, way = her
    old_key = bytes(DataKey.objects.get(subject=subject).wrapped_key)
    old_conversations = set(Conversation.objects.values_list("pk", flat=True))
    erased, release = threading.Event(), threading.Event()

    def erasure_first() -> None:
        with transaction.atomic():
            subject_erase(subject=subject, actor=None, reason="subject_request")
            erased.set()
            release.wait(timeout=30)  # committed only once the message is seen waiting

    def message() -> None:
        erased.wait(timeout=30)
        _store(way)

    threads, errors = _start(erasure_first, message)
    try:
        erased.wait(timeout=30)
        waited = _one_waits_for_a_lock(threads[1])
    finally:
        release.set()
    _join(threads)

    assert errors == [] and waited  # the message waited for the erasure, then stored without a retry
    [receipt] = ErasureReceipt.objects.all()
    assert receipt.counts["messages"] == 1  # only what she had written before
    [new] = Subject.objects.all()
    assert new.pk != subject.pk and new.public_id != subject.public_id and new.display_name == NAME
    assert bytes(DataKey.objects.get(subject=new).wrapped_key) != old_key
    [contact] = ContactPoint.objects.all()
    assert contact.subject_id == new.pk and contact.value == "+" + PHONE
    [conversation] = Conversation.objects.all()
    assert conversation.subject_id == new.pk and conversation.pk not in old_conversations
    [message] = Message.objects.all()
    assert message.provider_message_id == "wamid.race.late" and message.conversation_id == conversation.pk
    assert Message.objects.select_related("conversation__subject").get().content["text"] == LATE  # her new key
