"""A web-chat message sent twice at once (two tabs, a resend on reconnect) is stored once and acknowledged twice."""

import threading

import pytest
from django.db import connection

from conversations.models import Message
from conversations.providers import webchat
from conversations.services.webchat import webchat_consent, webchat_receive
from conversations.tests.factories import TeamFactory

WORKERS = 4


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_same_message_sent_at_once_is_stored_once_and_acknowledged_each_time(
    require_postgres, notices, webchat_purpose
):
    TeamFactory(name="Care", is_default=True, auto_assign=False)
    visitor, _ = webchat.visitor_issue()
    webchat_consent(visitor=visitor, language="de", notice_id=notices[("GDPR", "de")].pk, ip="192.0.2.7")
    webchat_receive(
        visitor=visitor, language="de", client_id="c-first", text="Hallo", address="203.0.113.7"
    )  # opens the conversation
    answers: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def send() -> None:
        try:
            start.wait()
            answers.append(
                webchat_receive(
                    visitor=visitor, language="de", client_id="c-twice", text="Noch da?", address="203.0.113.7"
                )
            )
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert not errors, errors
    assert answers == ["c-twice"] * WORKERS
    assert Message.objects.filter(provider="webchat", provider_message_id="c-twice").count() == 1
