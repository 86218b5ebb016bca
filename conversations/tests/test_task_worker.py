"""Production's task path: the reply is queued in the database and sent by ``manage.py db_worker``,
so the agent's request never waits for the Graph API or its retries."""

import pytest
from django.core.management import call_command
from django.tasks import task_backends
from django_tasks_db.models import DBTaskResult

from conversations.models import Message
from conversations.services import message_reply
from conversations.tests.conftest import customer_wrote


@pytest.fixture
def database_tasks(settings):
    # Django resets its task backends when TASKS changes (and again when the fixture restores it).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reply_is_sent_by_the_worker_not_the_request(database_tasks, fake_graph, default_team, agent):
    conversation = customer_wrote()

    message = message_reply(conversation=conversation, actor=agent, text="Ihr Paket kommt morgen.")

    message.refresh_from_db()
    assert message.status == "queued" and fake_graph.sends == []  # the request returned without sending
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    message.refresh_from_db()
    assert message.status == "sent" and message.provider_message_id
    assert [s.body["text"]["body"] for s in fake_graph.sends] == ["Ihr Paket kommt morgen."]
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert Message.objects.filter(direction="out").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_send_queued_by_the_previous_release_is_still_sent(database_tasks, fake_graph, default_team, agent):
    """Rows queued before the tasks moved beside their services name ``conversations.tasks``: still runnable."""
    conversation = customer_wrote()
    message = message_reply(conversation=conversation, actor=agent, text="Ihr Paket kommt morgen.")
    row = DBTaskResult.objects.get(status="READY")
    assert row.task_path == "conversations.services.outbound.deliver_message"
    DBTaskResult.objects.filter(pk=row.pk).update(task_path="conversations.tasks.deliver_message")

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    message.refresh_from_db()
    assert message.status == "sent" and len(fake_graph.sends) == 1
