"""Sends a dead worker left behind: outbound messages still ``queued`` long after they were queued.

Why: a database task worker killed mid-task (SIGKILL, an out-of-memory kill, a host lost) leaves its task row
``RUNNING`` for good; ``django_tasks_db`` never runs it again, so the message would stay ``queued`` forever,
neither sent nor failed.

The rule (invariants):
- ``attempts`` is recorded, committed, before each call to the provider (``outbound._send_claim``). A stuck
  message with no attempt recorded never reached the provider: it is queued again, and the claim makes sure
  that of two runs (the new task and a late old one) only one sends.
- A stuck message with an attempt recorded may have been accepted by the provider, which takes no idempotency
  key: it is marked ``failed`` (``unknown_outcome``), never sent again, so it cannot arrive twice. The agent
  sees it failed and may send it again, knowing it.
- "Stuck" means older than ``older_than``, which must exceed the longest a live send can take (every attempt's
  timeout plus the backoffs: about 4 minutes with the defaults), so a send in progress is never touched.
"""

import logging
from datetime import timedelta

from django.utils import timezone

from conversations.models import Direction, Message, MessageStatus, MessageType
from conversations.services.outbound import (
    UNKNOWN_OUTCOME,
    UNKNOWN_OUTCOME_TITLE,
    deliver_message,
    message_mark,
)
from conversations.services.outbound_media import deliver_media_message

logger = logging.getLogger(__name__)


def messages_recover_interrupted(*, older_than: timedelta, batch_size: int = 500) -> tuple[int, int]:
    """(queued again, marked failed) among outbound messages ``queued`` for longer than ``older_than``."""
    cutoff = timezone.now() - older_than
    stuck = list(
        Message.objects.filter(direction=Direction.OUTBOUND, status=MessageStatus.QUEUED, created_at__lt=cutoff)
        .order_by("pk")
        .values_list("pk", "attempts", "type")[:batch_size]
    )
    requeued = failed = 0
    for message_id, attempts, kind in stuck:
        if attempts:
            message = Message(pk=message_id, attempts=attempts)
            message_mark(message, status=MessageStatus.FAILED, code=UNKNOWN_OUTCOME, title=UNKNOWN_OUTCOME_TITLE)
            failed += 1
            continue
        task = deliver_media_message if kind in (MessageType.IMAGE, MessageType.DOCUMENT) else deliver_message
        task.enqueue(message_id=message_id)
        requeued += 1
    if stuck:
        logger.warning("interrupted sends: %s queued again, %s marked failed", requeued, failed)
    return requeued, failed
