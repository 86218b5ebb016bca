"""A subject request the customer wrote into the chat, recorded by the agent who read it (one click in the inbox).

The inbox suggests the kind (``consent.request_intents``, shown with the message); nothing is recorded until an
agent confirms it here. Invariants:
- The chat is the verified channel: the message came from the customer's own number (or their web-chat
  session), so the request is received and verified in one step (``request_receive(verified=True)``), and its
  clock starts now.
- One open request per subject and kind: a second click on the same message (or the customer asking again
  while the first is open) answers the open request instead of recording another one. The subject's row is
  locked first, so two clicks at once record one request.
- Nothing is logged but the reference and internal ids; the message's text never leaves the conversation.
"""

import logging
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from consent.models import Subject
from consent.rights import Right
from retention.models import RequestChannel, SubjectRequest
from retention.models.requests import OPEN_STATES
from retention.services.requests import request_receive

if TYPE_CHECKING:
    from conversations.models import Conversation, Message

logger = logging.getLogger(__name__)


@transaction.atomic
def request_receive_from_chat(
    *, conversation: "Conversation", message: "Message", kind: str, actor: AbstractBaseUser
) -> tuple[SubjectRequest, bool]:
    """Record the request of kind ``kind`` (a ``consent.rights.Right``) that ``message``, the customer's, makes in
    ``conversation``; ``(request, True)`` when recorded now, ``(the open one, False)`` when the subject already
    has an open request of that kind. The caller has checked that ``actor`` may see the conversation."""
    if kind not in Right:
        raise ValueError(f"unknown kind {kind!r}")
    if message.conversation_id != conversation.pk or message.direction != "in":
        raise ValueError(f"message {message.pk} is not the customer's in conversation {conversation.pk}")
    subject = conversation.subject
    # Two clicks at once: the second waits here, then finds the first one's request.
    list(Subject.objects.select_for_update().filter(pk=subject.pk).values_list("pk", flat=True))
    already = (
        SubjectRequest.objects.filter(subject=subject, kind=kind, state__in=OPEN_STATES).order_by("received_at", "pk")
    ).first()
    if already is not None:
        logger.info("subject request %s already open; message %s recorded nothing", already.reference, message.pk)
        return already, False
    request = request_receive(kind=kind, channel=RequestChannel.CHAT, actor=actor, subject=subject, verified=True,
                              source_message=message)  # fmt: skip
    logger.info("subject request %s recorded from message %s of conversation %s", request.reference, message.pk,
                conversation.pk)  # fmt: skip
    return request, True
