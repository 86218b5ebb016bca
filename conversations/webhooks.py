"""Provider webhooks: the WhatsApp Cloud API endpoint (``/webhooks/whatsapp/``).

Order matters and is the contract with Meta:
1. size limit (413), 2. signature over the raw body, constant-time (401),
3. JSON and envelope shape (400), 4. every message, status and number change of
the batch through the services in ONE transaction, 5. 200 only after commit.
Any failure in 4 rolls everything back and answers 500, so Meta delivers the
batch again (for up to 7 days); the services make redelivery a no-op.

Logs carry counts, codes and exception class names only: wamids encode the
customer's number, bodies hold names and text.
"""

import hmac
import json
import logging
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
from conversations.services import contact_number_change, ingest, message_status_update

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


def _apply(batch: WebhookBatch) -> tuple[int, int, int]:
    """Hand the batch to the services; returns (messages stored, statuses applied, numbers changed)."""
    stored = applied = changed = 0
    for inbound in batch.messages:
        try:
            # ``ingest`` is atomic: nested here it is a savepoint, so a refused sender undoes only its own work.
            result = ingest(inbound=inbound)
        except InvalidContactPoint:
            # A sender id that is no phone number can never be stored: retrying would not help.
            logger.warning("whatsapp webhook: message with an invalid sender id skipped")
            continue
        stored += int(result.created)
    for update in batch.statuses:
        applied += int(message_status_update(update=update))
    for change in batch.number_changes:
        try:
            changed += int(contact_number_change(change=change))  # atomic: a savepoint, like ingest
        except InvalidContactPoint:
            logger.warning("whatsapp webhook: number change with an invalid number skipped")
    return stored, applied, changed


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


def _apply_committed(batch: WebhookBatch) -> tuple[int, int, int]:
    """One transaction for the whole POST: the 200 goes out only once all of it is committed."""
    with transaction.atomic():
        return _apply(batch)


def _on_pool_thread(func, *args):
    """Django closes the request thread's connections itself; a pool thread must do it, or keep
    a pooled connection checked out (and a broken one in use) between webhooks."""
    close_old_connections()
    try:
        return func(*args)
    finally:
        close_old_connections()


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
        stored, applied, changed = await _run_db(_apply_committed, batch)
    except Exception as exc:  # noqa: BLE001 — whatever broke, Meta must retry: nothing was committed
        logger.error(
            "whatsapp webhook failed, rolled back for redelivery (%s messages, %s statuses, %s number changes): %s",
            len(batch.messages),
            len(batch.statuses),
            len(batch.number_changes),
            type(exc).__name__,
        )
        return 500, "temporary failure"
    logger.info(
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
    limit = settings.WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _plain(400, "bad content length")
    if declared > limit:
        logger.warning("whatsapp webhook refused: %s bytes declared, limit %s", declared, limit)
        return _plain(413, "payload too large")
    try:
        body = request.body
    except RequestDataTooBig:
        logger.warning("whatsapp webhook refused: body over the upload limit")
        return _plain(413, "payload too large")
    if len(body) > limit:
        logger.warning("whatsapp webhook refused: %s bytes, limit %s", len(body), limit)
        return _plain(413, "payload too large")
    status, text = await whatsapp_post(body=body, signature=request.headers.get(HEADER))
    return _plain(status, text)
