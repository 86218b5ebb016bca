"""Provider webhooks: the WhatsApp Cloud API endpoint (``/webhooks/whatsapp/``).

Order matters and is the contract with Meta:
1. size limit (413), 2. signature over the raw body, constant-time (401),
3. JSON and envelope shape (400), 4. every message and number change of the
batch through the services in one transaction, then every status in a second one
(both shared with the webhooks that arrived meanwhile: ``GroupCommitter``),
5. 200 only after both committed. A failure in 4 answers 500, so Meta delivers
the batch again (for up to 7 days); the services make redelivery a no-op
(message ids are unique, statuses only move forward).

Logs carry counts, codes and exception class names only: wamids encode the
customer's number, bodies hold names and text.
"""

import asyncio
import hmac
import json
import logging
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import close_old_connections, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from consent.exceptions import InvalidContactPoint
from conversations.providers.whatsapp.parser import PayloadError, WebhookBatch, parse_webhook
from conversations.providers.whatsapp.signature import HEADER, signature_valid
from conversations.services import contact_number_change, ingest_many, message_status_update_many

logger = logging.getLogger(__name__)


def _plain(status: int, text: str = "") -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def _verify(request: HttpRequest) -> HttpResponse:
    """Meta's subscription handshake: echo ``hub.challenge`` when the verify token matches."""
    token = request.GET.get("hub.verify_token", "")
    expected = settings.WHATSAPP_VERIFY_TOKEN
    if (
        request.GET.get("hub.mode") == "subscribe"
        and expected
        and hmac.compare_digest(token.encode(), expected.encode())
    ):
        return _plain(200, request.GET.get("hub.challenge", ""))
    logger.warning("whatsapp webhook verification refused")
    return HttpResponseForbidden()


def _store_messages(batches: list[WebhookBatch]) -> list[tuple[int, int]]:
    """The group's customers' messages and number changes; per batch (messages stored, numbers changed)."""
    results = iter(ingest_many(inbounds=[inbound for batch in batches for inbound in batch.messages]))
    counts = []
    for batch in batches:
        stored = changed = 0
        for _ in batch.messages:
            result = next(results)
            if result.refused:
                # A sender id that is no phone number can never be stored: retrying would not help.
                logger.warning("whatsapp webhook: message with an invalid sender id skipped")
            stored += int(result.created)
        # A batch with number changes ends its group (GroupCommitter._take): they come after its messages.
        for change in batch.number_changes:
            try:
                changed += int(contact_number_change(change=change))  # atomic: a savepoint
            except InvalidContactPoint:
                logger.warning("whatsapp webhook: number change with an invalid number skipped")
        counts.append((stored, changed))
    return counts


_executor: ThreadPoolExecutor | None = None


async def _run_db(func, *args):
    """Run database work on the webhook thread pool (``WEBHOOK_DB_THREADS``), so several webhooks
    wait for PostgreSQL at once; 0 runs it on Django's single sync thread (tests on SQLite)."""
    global _executor
    threads = settings.WEBHOOK_DB_THREADS
    if threads <= 0:
        return await sync_to_async(func)(*args)
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="webhook-db")
    return await sync_to_async(_on_pool_thread, thread_sensitive=False, executor=_executor)(func, *args)


def _apply_committed(batches: list[WebhookBatch]) -> list[tuple[int, int, int]]:
    """Store a group; per batch (messages stored, statuses applied, numbers changed). Each POST's 200
    goes out only after this returns, so only once everything in it is committed.

    Two transactions: first the customers' messages and number changes, then every status of the group
    at once (``message_status_update_many``). Each locks conversations in id order; one transaction
    doing both would hold the first set of locks while asking for the second, and two groups doing
    that the other way round deadlock. If the second fails, the POST answers 500 and Meta delivers it
    again: its messages are stored once (their ids are unique), its statuses only move forward.
    """
    with transaction.atomic():
        stored_changed = _store_messages(batches)
    statuses = [update for batch in batches for update in batch.statuses]
    moved = iter(())
    if statuses:
        with transaction.atomic():
            moved = iter(message_status_update_many(updates=statuses))
    return [
        (stored, sum(next(moved) for _ in batch.statuses), changed)
        for batch, (stored, changed) in zip(batches, stored_changed, strict=True)
    ]


def _weight(batch: WebhookBatch) -> int:
    return len(batch.messages) + len(batch.statuses)


class GroupCommitter:
    """Group commit: the webhooks that arrive while a transaction runs go into the next one together.

    Under load this turns many small transactions into a few large ones (``ingest_many`` stores a
    group with a fixed number of queries), and at low load a group is a single webhook, so nothing
    waits. Every POST still gets its 200 only after the transaction holding it committed. If a
    group's transaction fails, each of its webhooks is retried alone, so one bad delivery answers
    500 for itself and not for the others.
    """

    def __init__(self, *, lanes: int, max_messages: int) -> None:
        self.lanes = max(1, lanes)
        self.max_messages = max(1, max_messages)
        self.pending: deque[tuple[WebhookBatch, asyncio.Future]] = deque()
        self.running = 0
        self.tasks: set[asyncio.Task] = set()

    async def submit(self, batch: WebhookBatch) -> tuple[int, int, int]:
        future = asyncio.get_running_loop().create_future()
        self.pending.append((batch, future))
        if self.running < self.lanes:
            self.running += 1
            task = asyncio.create_task(self._drain())
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        return await future

    def _take(self) -> list[tuple[WebhookBatch, asyncio.Future]]:
        """The next group: at least one webhook, then more while messages + statuses stay within the cap.

        A webhook carrying a number change ends its group: ``_store_messages`` stores a group's messages before its
        number changes, and a later webhook's message from the new number must find the changed contact
        point, not create a second subject.
        """
        group, size = [], 0
        while self.pending and (not group or size + _weight(self.pending[0][0]) <= self.max_messages):
            item = self.pending.popleft()
            group.append(item)
            size += _weight(item[0])
            if item[0].number_changes:
                break
        return group

    async def _drain(self) -> None:
        group: list[tuple[WebhookBatch, asyncio.Future]] = []
        try:
            while self.pending:
                group = self._take()
                try:
                    counts = await _run_db(_apply_committed, [batch for batch, _ in group])
                except Exception as exc:  # noqa: BLE001 — retried one by one below, or answered 500
                    if len(group) == 1:
                        _settle(group[0][1], exc=exc)
                        continue
                    logger.warning("webhook group of %s failed (%s); retrying each alone", len(group),
                                   type(exc).__name__)  # fmt: skip
                    for batch, future in group:
                        try:
                            _settle(future, result=(await _run_db(_apply_committed, [batch]))[0])
                        except Exception as single:  # noqa: BLE001
                            _settle(future, exc=single)
                    continue
                for (_, future), result in zip(group, counts, strict=True):
                    _settle(future, result=result)
        finally:
            self.running -= 1
            # Whatever ended this task early (it was cancelled, say), no POST of its group waits forever:
            # they answer 500 and Meta redelivers, which stores nothing twice.
            for _, future in group:
                _settle(future, exc=RuntimeError("webhook group abandoned"))


def _settle(future: asyncio.Future, *, result: object = None, exc: BaseException | None = None) -> None:
    """Answer a waiting POST, unless it is answered already or gone: a client that disconnected cancels its
    view, and with it the future it awaited; the rest of its group must still get their answers."""
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)


_committers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, GroupCommitter]" = weakref.WeakKeyDictionary()


def _committer() -> GroupCommitter:
    loop = asyncio.get_running_loop()
    committer = _committers.get(loop)
    if committer is None:
        committer = GroupCommitter(lanes=settings.WEBHOOK_COMMIT_LANES, max_messages=settings.WEBHOOK_GROUP_MAX)
        _committers[loop] = committer
    return committer


def _on_pool_thread(func, *args):
    """Django closes the request thread's connections itself; a pool thread must do it, or keep
    a pooled connection checked out (and a broken one in use) between webhooks."""
    close_old_connections()
    try:
        return func(*args)
    finally:
        close_old_connections()


def declared_size_refusal(content_length: str | None) -> tuple[int, str] | None:
    """Step 1 of the contract, before reading the body: (status, text) when the declared size is refused."""
    try:
        declared = int(content_length or 0)
    except ValueError:
        return 400, "bad content length"
    if declared > settings.WEBHOOK_MAX_BYTES:
        logger.warning("whatsapp webhook refused: %s bytes declared, limit %s", declared, settings.WEBHOOK_MAX_BYTES)
        return 413, "payload too large"
    return None


def body_size_refusal(size: int) -> tuple[int, str] | None:
    """Step 1 again while reading: a body that turns out larger than the limit is refused."""
    if size > settings.WEBHOOK_MAX_BYTES:
        logger.warning("whatsapp webhook refused: body over %s bytes", settings.WEBHOOK_MAX_BYTES)
        return 413, "payload too large"
    return None


async def whatsapp_post(*, body: bytes, signature: str | None) -> tuple[int, str]:
    """Steps 2-5 of the contract for a body already read within the size limit: (status, text)."""
    if not signature_valid(body, signature, secret=settings.WHATSAPP_APP_SECRET):
        logger.warning("whatsapp webhook refused: missing or wrong signature (%s bytes)", len(body))
        return 401, "invalid signature"
    try:
        batch = parse_webhook(json.loads(body))
    except (ValueError, RecursionError) as exc:
        # PayloadError is a ValueError; its message names the reason, never a value.
        reason = str(exc) if isinstance(exc, PayloadError) else "malformed JSON"
        logger.warning("whatsapp webhook refused (%s bytes): %s", len(body), reason)
        return 400, reason
    if batch.error_codes:
        logger.warning("whatsapp webhook carries errors: codes %s", ",".join(batch.error_codes))
    try:
        # Signature and parsing ran on the event loop; the database work runs on a thread.
        stored, applied, changed = await _committer().submit(batch)
    except Exception as exc:  # noqa: BLE001 — whatever broke, Meta must retry
        # The transaction that failed was rolled back; if it was the statuses', the messages before it are
        # committed, and the redelivery finds them stored (unique ids) and applies the statuses.
        logger.error(
            "whatsapp webhook failed, to be redelivered (%s messages, %s statuses, %s number changes): %s",
            len(batch.messages),
            len(batch.statuses),
            len(batch.number_changes),
            type(exc).__name__,
        )
        return 500, "temporary failure"
    logger.info(
        # "stored" counts the messages new to the database: a redelivery, or a retry after a group's status
        # transaction failed, finds them stored already.
        "whatsapp webhook: %s/%s messages stored, %s/%s statuses applied, %s number changes, %s skipped",
        stored,
        len(batch.messages),
        applied,
        len(batch.statuses),
        changed,
        batch.skipped,
    )
    return 200, "ok"


@csrf_exempt
@require_http_methods(["GET", "POST"])
async def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _verify(request)
    if refusal := declared_size_refusal(request.META.get("CONTENT_LENGTH")):
        return _plain(*refusal)
    try:
        body = request.body
    except RequestDataTooBig:
        logger.warning("whatsapp webhook refused: body over the upload limit")
        return _plain(413, "payload too large")
    if refusal := body_size_refusal(len(body)):
        return _plain(*refusal)
    status, text = await whatsapp_post(body=body, signature=request.headers.get(HEADER))
    return _plain(status, text)
