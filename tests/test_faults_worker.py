"""A task worker (``manage.py db_worker``, the production backend) killed in the middle of a send.

The message is sent once or marked failed: never lost (left ``queued`` for good) and never sent twice. What
``django_tasks_db`` does with a dead worker's task: nothing, the row stays ``RUNNING`` and no worker takes it
again; ``manage.py outbound_recover`` settles such messages (conversations.services.outbound_recovery).
"""

import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from consent.tests.factories import UserFactory
from contactcenter import roles
from conversations.models import Message
from conversations.services import message_deliver, message_reply
from conversations.tests.conftest import customer_wrote
from conversations.tests.factories import TeamFactory
from devtools.fakegraph import FakeGraphAPI
from tests.faults import PHONE_NUMBER_ID, ROOT, database_url_for, server_env

TOKEN = "fault-access-token"


@pytest.fixture
def graph(settings):
    """The fake Graph API holding every accepted send open until the test lets it answer."""
    gate = threading.Event()
    fake = FakeGraphAPI(access_token=TOKEN, phone_number_id=PHONE_NUMBER_ID, auto_statuses=(), send_gate=gate)
    fake.start()
    settings.WHATSAPP_API_BASE, settings.WHATSAPP_ACCESS_TOKEN = fake.url, TOKEN
    settings.WHATSAPP_PHONE_NUMBER_ID = PHONE_NUMBER_ID
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield fake, gate
    gate.set()
    fake.stop()


def worker(fake: FakeGraphAPI, *args: str) -> subprocess.Popen:
    env = server_env(
        database_url=database_url_for(),
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        WHATSAPP_API_BASE=fake.url,
        WHATSAPP_ACCESS_TOKEN=TOKEN,
        WHATSAPP_TIMEOUT_SECONDS="20",
    )
    command = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", *args]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def an_hour_later(message: Message) -> None:
    """The recovery only touches sends older than any live one can be: the test moves the clock, not the rule."""
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(hours=1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_while_the_provider_holds_the_send_fails_it_and_never_sends_twice(require_postgres, graph):
    fake, gate = graph
    TeamFactory(name="Support", is_default=True, auto_assign=False)
    agent = UserFactory(username="fault-agent", role=roles.AGENT)
    message = message_reply(conversation=customer_wrote(), actor=agent, text="Ihr Paket kommt morgen.")
    row = DBTaskResult.objects.get()
    assert row.status == "READY"

    started = time.monotonic()
    process = worker(fake)
    try:
        assert fake.wait_for(lambda: len(fake.sends) == 1, timeout=30), "the worker never called the Graph API"
        process.send_signal(signal.SIGKILL)  # mid-send: the provider has the message, the worker never hears back
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    killed_after = time.monotonic() - started
    gate.set()

    row.refresh_from_db()
    message.refresh_from_db()
    # django_tasks_db's behaviour: the dead worker's row stays RUNNING, no worker runs it again.
    assert row.status == "RUNNING"
    assert (message.status, message.attempts) == ("queued", 1)  # the attempt was recorded before the call

    # A second worker finds nothing to do; the message is still queued.
    second = worker(fake, "--batch")
    assert second.wait(timeout=60) == 0, second.stderr.read()
    message.refresh_from_db()
    assert message.status == "queued" and len(fake.sends) == 1

    # Had the task run again (a future worker re-claiming dead rows, an operator re-queuing it), it would not send.
    assert message_deliver(message_id=message.pk) == "failed"
    assert len(fake.sends) == 1

    # The periodic recovery, on a message the dead worker left: failed with the reason, never sent again.
    second_message = message_reply(conversation=message.conversation, actor=agent, text="Und die Rechnung?")
    Message.objects.filter(pk=second_message.pk).update(attempts=1)  # as the killed worker leaves it
    an_hour_later(second_message)
    call_command("outbound_recover", verbosity=0)
    second_message.refresh_from_db()
    assert (second_message.status, second_message.error_code) == ("failed", "unknown_outcome")
    assert len(fake.sends) == 1
    print(f"\nworker killed mid-send {killed_after:.1f} s after start; sends the fake received: {len(fake.sends)}")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_send_whose_worker_died_before_calling_the_provider_is_sent_once_by_the_recovery(require_postgres, graph):
    fake, gate = graph
    gate.set()  # the provider answers at once here
    TeamFactory(name="Support", is_default=True, auto_assign=False)
    agent = UserFactory(username="fault-agent", role=roles.AGENT)
    message = message_reply(conversation=customer_wrote(), actor=agent, text="Ihr Paket kommt morgen.")
    # What a worker killed between claiming the task and calling the provider leaves: the row RUNNING, no attempt.
    DBTaskResult.objects.filter(status="READY").update(status="RUNNING", started_at=timezone.now())
    an_hour_later(message)

    call_command("outbound_recover", verbosity=0)  # queues it again: the provider cannot have it
    process = worker(fake, "--batch")
    assert process.wait(timeout=60) == 0, process.stderr.read()
    call_command("outbound_recover", verbosity=0)  # idempotent: nothing stuck is left

    message.refresh_from_db()
    assert message.status == "sent" and message.provider_message_id
    assert [s.body["text"]["body"] for s in fake.sends] == ["Ihr Paket kommt morgen."]
