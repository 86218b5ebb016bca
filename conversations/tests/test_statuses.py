"""Delivery statuses of what we sent (``conversations.services.statuses``): they only move a message forward,
and a status that arrives before the send recorded the provider's id is kept and applied once it has."""

import pytest
from django.utils import timezone

from conversations import services
from conversations.models import EarlyStatus, Message
from conversations.providers.base import StatusUpdate
from conversations.services.outbound import message_mark
from conversations.tests.factories import MessageFactory


def status(provider_id: str, value: str, code: str = "") -> StatusUpdate:
    return StatusUpdate(
        provider="whatsapp", provider_message_id=provider_id, status=value, timestamp=timezone.now(), error_code=code
    )


@pytest.mark.parametrize(
    ("order", "final"),
    [
        (["sent", "delivered", "read"], "read"),
        (["read", "delivered", "sent"], "read"),
        (["delivered", "sent"], "delivered"),
        (["sent", "failed"], "failed"),
        (["delivered", "failed"], "delivered"),
        (["failed", "delivered"], "failed"),
        (["sent", "sent", "sent"], "sent"),
    ],
)
def test_statuses_only_move_forward(db, order, final):
    message = MessageFactory()
    message_mark(message, status="sent", provider_message_id="wamid.out")
    Message.objects.filter(pk=message.pk).update(status="queued")  # start from queued for the test
    for value in order:
        services.message_status_update(update=status("wamid.out", value, code="131026" if value == "failed" else ""))
    message.refresh_from_db()
    assert message.status == final


def test_status_that_overtakes_the_send_is_applied_afterwards(db):
    message = MessageFactory()
    assert services.message_status_update(update=status("wamid.fast", "delivered")) is False
    assert EarlyStatus.objects.count() == 1
    message_mark(message, status="sent", provider_message_id="wamid.fast")
    message.refresh_from_db()
    assert message.status == "delivered" and not EarlyStatus.objects.exists()


def test_status_kept_early_is_applied_after_commit_when_the_send_recorded_its_id_meanwhile(
    db, django_capture_on_commit_callbacks
):
    """The send commits the provider's id after the status looked for it and before the status row was
    committed, so the send's own look found nothing: the status's look after its commit applies it."""
    message = MessageFactory()
    with django_capture_on_commit_callbacks() as after_commit:
        assert services.message_status_update(update=status("wamid.race", "read")) is False
    assert EarlyStatus.objects.count() == 1
    Message.objects.filter(pk=message.pk).update(provider_message_id="wamid.race", status="sent")
    for callback in after_commit:
        callback()
    message.refresh_from_db()
    assert message.status == "read" and not EarlyStatus.objects.exists()
