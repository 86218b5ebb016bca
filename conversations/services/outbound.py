"""Outbound pipeline: policy first, then ``queued``, then a background task sends.

Invariants:
- The customer starts: nothing goes to a subject without an inbound message
  in the last 24 hours (free text) or, outside it, an approved template for
  a purpose the subject has consented to. Marketing templates never go to a
  subject whose consent for that purpose is not ``granted``.
- A message is stored ``queued`` in the caller's transaction and handed to
  the task only after commit; the task moves it to ``sent`` (with the
  provider's id) or ``failed``; provider webhooks move it on from there.
- Retries: 5xx, 429 and rate-limit errors back off exponentially (honouring
  Retry-After) for a bounded number of attempts; other errors fail at once.
- One-time codes (``message_send_code``) are never stored: their message is
  stored with the code masked, and the code goes to the provider from memory,
  in the same call (which runs in a background task). Such a message is never
  handed to the queue's task, and fails rather than go out with the mask.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string

from consent.models import ConsentStatus, ContactKind, ContactPoint, Purpose
from consent.selectors import consent_state, objection_covers
from conversations import selectors
from conversations.exceptions import ConsentMissing, NotAllowed, ObjectionStands, ProcessingRestricted, WindowClosed
from conversations.models import (
    Channel,
    Conversation,
    ConversationStatus,
    Direction,
    Message,
    MessageStatus,
    MessageType,
    Severity,
)
from conversations.providers.base import PermanentSendError, RetryableSendError
from conversations.search import messages_index
from conversations.services.conversation import conversation_locked, conversation_take_on_reply
from conversations.services.realtime import event_record
from conversations.services.sensitive import (
    alert_raise,
    draft_guard,
    message_apply_scan,
    message_scan,
    sensitive_after_store,
)
from conversations.services.statuses import early_statuses_apply, early_statuses_retry

logger = logging.getLogger(__name__)

# What a stored message holds in place of a one-time code (and what the inbox, the export and the API show).
CODE_MASK = "••••••"


def _queue(
    *,
    conversation: Conversation,
    text: str,
    author: AbstractBaseUser | None,
    type: str = MessageType.TEXT,
    template: dict | None = None,
    deliver: bool = True,
) -> Message:
    outcome = message_scan(text=text, message_type=type, direction="out", team=conversation.team)
    content = {"text": text} if text else {}
    if template:
        content["template"] = template
    message = Message(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        type=type,
        provider=conversation.channel,
        status=MessageStatus.QUEUED,
        author=author if author is not None and author.is_authenticated else None,
        template_name=(template or {}).get("name", ""),
        template_language=(template or {}).get("language", ""),
    )
    message.content = content  # encrypted under the subject's key
    message_apply_scan(message, outcome)
    message.save(force_insert=True)
    messages_index(messages=[message])
    conversation.last_message_at, conversation.last_message = timezone.now(), message
    Conversation.objects.filter(pk=conversation.pk).update(  # no history
        last_message_at=conversation.last_message_at, last_message=message
    )
    sensitive_after_store(message=message, conversation=conversation, outcome=outcome)
    event_record(kind="conversation.message", conversation=conversation, message=message)
    if deliver:
        transaction.on_commit(lambda: message_deliver_enqueue(message_id=message.pk), robust=True)
    return message


def ensure_not_restricted(conversation: Conversation) -> None:
    if conversation.subject.restricted:
        raise ProcessingRestricted(
            f"conversation {conversation.pk}: processing of this customer's data is restricted "
            f"({conversation.subject.restriction}); nothing can be sent until a DPO lifts the restriction"
        )


def message_queue_system_reply(*, conversation: Conversation, text: str) -> Message | None:
    """An automatic answer to the customer's own message (consent confirmations): the window is open.
    ``None`` for a restricted customer: their message is stored, nothing is sent back."""
    if conversation.subject.restricted:
        logger.info("conversation %s: automatic reply not sent, processing is restricted", conversation.pk)
        return None
    return _queue(conversation=conversation, text=text, author=None)


@transaction.atomic
def message_reply(
    *, conversation: Conversation, actor: AbstractBaseUser, text: str, confirm_sensitive: bool = False
) -> Message:
    """An agent's free-text answer. A draft asking for card, account or id numbers or health details
    is refused with ``SensitiveDraft`` until the agent confirms it (never, if such drafts are blocked);
    a confirmed one is sent and the DPO is alerted."""
    text = text.strip()
    if not text:
        raise NotAllowed("an empty reply cannot be sent")
    if len(text) > 4096:
        raise NotAllowed("a reply is at most 4096 characters (WhatsApp's limit)")
    conversation = conversation_locked(conversation)
    ensure_not_restricted(conversation)
    if conversation.channel == "whatsapp" and not conversation.window_open:
        raise WindowClosed(
            f"conversation {conversation.pk}: the 24-hour window is closed; send an approved template instead"
        )
    asked = draft_guard(text=text, language=conversation.subject.language, confirmed=confirm_sensitive)
    conversation = conversation_take_on_reply(conversation=conversation, actor=actor, reason="answered")
    message = _queue(conversation=conversation, text=text, author=actor)
    if asked:
        alert_raise(
            conversation=conversation, message=message, text=text, findings=message.findings, start=0,
            end=min(len(text), 80), label=f"agent asked for: {', '.join(asked)}", severity=Severity.MEDIUM,
        )  # fmt: skip
    return message


@transaction.atomic
def message_send_template(
    *,
    conversation: Conversation,
    actor: AbstractBaseUser | None,
    name: str,
    language: str,
    parameters: list[str],
) -> Message:
    template = selectors.template_catalog().get(name)
    if template is None or language not in template.get("languages", []):
        raise NotAllowed(f"template {name!r} in {language!r} is not approved")
    if template.get("category") == "AUTHENTICATION":
        raise NotAllowed(f"template {name!r} carries one-time codes: only the system sends it (message_send_code)")
    if template.get("system_only") and actor is not None:
        raise NotAllowed(f"template {name!r} carries the system's own notices: only the system sends it")
    conversation = conversation_locked(conversation)
    ensure_not_restricted(conversation)
    if conversation.channel != "whatsapp":
        raise NotAllowed("templates are a WhatsApp feature")
    purpose_code = template.get("purpose", "")
    purpose = Purpose.objects.filter(code=purpose_code).first() if purpose_code else None
    if template.get("category") == "MARKETING" and purpose is None:
        raise NotAllowed(f"marketing template {name!r} names no purpose")
    if purpose is not None and objection_covers(subject=conversation.subject, purpose=purpose):
        raise ObjectionStands(f"conversation {conversation.pk}: the customer objected to purpose {purpose.code}")
    if purpose is not None and purpose.needs_consent:
        if consent_state(subject=conversation.subject, purpose=purpose) != ConsentStatus.GRANTED:
            raise ConsentMissing(f"conversation {conversation.pk}: no consent for purpose {purpose.code}")
    if template.get("category") != "MARKETING" and conversation.last_inbound_at is None:
        # Utility templates too answer something the customer started.
        raise NotAllowed("the customer has never written: no business-initiated conversation")
    payload = {"name": name, "language": language, "parameters": [str(p)[:1024] for p in parameters]}
    conversation = conversation_take_on_reply(conversation=conversation, actor=actor, reason="answered with a template")
    preview = template.get("preview", {}).get(language, name)
    try:
        text = preview.format(*payload["parameters"])
    except (IndexError, KeyError):
        text = preview
    return _queue(conversation=conversation, text=text, author=actor, type=MessageType.TEMPLATE, template=payload)


def template_language(language: str) -> str:
    """Meta's locale code ("pt_BR") for one of our language codes ("pt-br")."""
    head, _, tail = language.partition("-")
    return f"{head}_{tail.upper()}" if tail else head


def template_locale(name: str, language: str) -> str | None:
    """The locale template ``name`` is sent in for someone speaking ``language``: theirs where the template
    is approved in it, else English, else its first; None for a template not in the catalogue."""
    languages = selectors.template_catalog().get(name, {}).get("languages", [])
    if not languages:
        return None
    locale = template_language(language)
    return locale if locale in languages else ("en" if "en" in languages else languages[0])


def _authentication_template() -> tuple[str, dict]:
    approved = sorted((name, spec) for name, spec in selectors.template_catalog().items()
                      if spec.get("category") == "AUTHENTICATION")  # fmt: skip
    if not approved:
        raise NotAllowed("no authentication template is approved: one-time codes cannot go over WhatsApp")
    return approved[0]


def _code_conversation(contact_point: ContactPoint) -> Conversation:
    """Where the code's message is kept: the subject's WhatsApp conversation in progress on this very number,
    or else a new one, resolved from the start (a code asked for on our page is no work for an agent)."""
    conversation = (
        Conversation.objects.filter(
            subject_id=contact_point.subject_id, channel=Channel.WHATSAPP, contact_point=contact_point
        )
        .exclude(status=ConversationStatus.RESOLVED)
        .first()
    )
    if conversation is not None:
        return conversation_locked(conversation)
    now = timezone.now()
    conversation = Conversation.objects.create(
        subject_id=contact_point.subject_id, contact_point=contact_point, channel=Channel.WHATSAPP,
        status=ConversationStatus.RESOLVED, resolved_at=now,
    )  # fmt: skip
    return conversation_locked(conversation)


@transaction.atomic
def _code_queue(*, contact_point: ContactPoint, language: str) -> Message:
    if contact_point.kind != ContactKind.WHATSAPP:
        raise NotAllowed(f"contact point {contact_point.pk} is no WhatsApp number")
    name, template = _authentication_template()
    locale = template_locale(name, language)
    conversation = _code_conversation(contact_point)
    ensure_not_restricted(conversation)
    # The stored copy holds the mask; the button (Meta's copy-code button is sent as a "url" button) carries
    # the same parameter as the body.
    payload = {"name": name, "language": locale, "parameters": [CODE_MASK], "button": template.get("button", "")}
    text = template.get("preview", {}).get(locale, name).replace("{0}", CODE_MASK)
    return _queue(
        conversation=conversation, text=text, author=None, type=MessageType.TEMPLATE, template=payload, deliver=False
    )


def message_send_code(
    *, contact_point: ContactPoint, code: str, language: str, sleep: Callable[[float], object] = time.sleep
) -> str:
    """Send a one-time code to a WhatsApp number as the approved authentication template (Meta's
    AUTHENTICATION category, which may go outside the 24-hour window): the code as the body's parameter and
    the copy-code button's, the expiry in the template's footer. Returns the message's status (``sent`` or
    ``failed``); raises ``NotAllowed`` (not a WhatsApp number, no such template) or ``ProcessingRestricted``.

    Meant for a background task: it stores the message (``queued``, the code masked) and sends it at once,
    with the code from memory; the code is in no row, no task argument and no log."""
    if not (code.isdigit() and 4 <= len(code) <= 15):  # Meta's limit for an authentication parameter
        raise NotAllowed("a one-time code is 4 to 15 digits")
    queued = _code_queue(contact_point=contact_point, language=language)
    message = Message.objects.select_related("conversation__subject", "conversation__contact_point").get(pk=queued.pk)
    message.one_time_code = code  # in memory only: the sender puts it where the stored copy holds the mask
    return message_send_with_retries(message, sleep=sleep)


def message_deliver_enqueue(*, message_id: int) -> None:
    deliver_message.enqueue(message_id=message_id)


def sender_for(provider: str):
    return import_string(settings.CONVERSATION_SENDERS[provider])()


def message_mark(
    message: Message, *, status: str, provider_message_id: str = "", code: str = "", title: str = ""
) -> None:
    with transaction.atomic():
        locked = Message.objects.select_for_update().select_related("conversation").get(pk=message.pk)
        if locked.status != MessageStatus.QUEUED:
            return  # a status webhook overtook us, or it was handled already
        locked.status, locked.status_changed_at = status, timezone.now()
        locked.attempts = message.attempts
        fields = ["status", "status_changed_at", "attempts"]
        if provider_message_id:
            locked.provider_message_id = provider_message_id
            fields.append("provider_message_id")
        if status == MessageStatus.FAILED:
            locked.error_code, locked.error_title = code[:16], title[:200]
            fields += ["error_code", "error_title"]
        locked.save(update_fields=fields)
        event_record(
            kind="message.status",
            conversation=locked.conversation,
            message=locked,
            data={"status": status, "error_code": locked.error_code},
        )
        if provider_message_id:
            early_statuses_apply(message=locked)
            # Statuses stored while this transaction was open are picked up once it is committed.
            transaction.on_commit(
                lambda: early_statuses_retry(provider=locked.provider, provider_message_id=provider_message_id),
                robust=True,
            )


def message_deliver(*, message_id: int, sleep=time.sleep) -> str:
    """Hand a queued message to its provider, retrying transient failures with backoff. ``gone`` when the
    message no longer exists (erased with its subject, or purged, before a worker came to it)."""
    message = (
        Message.objects.select_related("conversation__subject", "conversation__contact_point")
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        logger.info("message %s: gone before it was delivered", message_id)
        return "gone"
    return message_send_with_retries(message, sleep=sleep)


UNKNOWN_OUTCOME = "unknown_outcome"
UNKNOWN_OUTCOME_TITLE = "the send was interrupted; not sent again so that it cannot arrive twice"


def _send_claim(message_id: int, *, attempt: int) -> bool:
    """Record, committed before the provider is called, that attempt ``attempt`` starts; False when the message
    is no longer ``queued`` or another run recorded that attempt first. What makes a send at most once: a run
    that finds an attempt recorded and no answer knows the provider may have the message (see the caller)."""
    return (
        Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED, attempts=attempt - 1).update(
            attempts=attempt
        )
        == 1
    )


def message_send_with_retries(message: Message, *, sleep: Callable[[float], object]) -> str:
    message_id = message.pk
    if message.status != MessageStatus.QUEUED:
        return message.status
    if message.conversation.subject.restricted:
        # Restricted while the message waited in the queue: it is not sent.
        message_mark(
            message, status=MessageStatus.FAILED, code="restricted", title="processing restricted (GDPR Art. 18)"
        )
        return MessageStatus.FAILED
    started = Message.objects.filter(pk=message_id).values_list("attempts", flat=True).first() or 0
    if started:
        # A run before this one began handing the message to the provider and never recorded the answer (its
        # worker was killed mid-send, and the task run again). The provider may have accepted it, and the Cloud
        # API takes no idempotency key: sending again could deliver it twice. Failed, visibly, instead.
        message.attempts = started
        message_mark(message, status=MessageStatus.FAILED, code=UNKNOWN_OUTCOME, title=UNKNOWN_OUTCOME_TITLE)
        return MessageStatus.FAILED
    sender = sender_for(message.provider)
    attempts = settings.OUTBOUND_MAX_ATTEMPTS
    delay = settings.OUTBOUND_BACKOFF_SECONDS
    last: RetryableSendError | None = None
    for attempt in range(1, attempts + 1):
        if not _send_claim(message_id, attempt=attempt):
            # Another run holds this message (a second task for it) or it left ``queued``: that run decides.
            message.refresh_from_db(fields=["status", "attempts"])
            return message.status
        message.attempts = attempt
        try:
            provider_id = sender.send(message=message)
        except PermanentSendError as exc:
            message_mark(message, status=MessageStatus.FAILED, code=exc.code, title=str(exc))
            return MessageStatus.FAILED
        except RetryableSendError as exc:
            last = exc
            logger.warning(
                "send of message %s failed (attempt %s/%s, code %s)", message_id, attempt, attempts, exc.code
            )
            if attempt < attempts:
                sleep(min(exc.retry_after or delay * 2 ** (attempt - 1), settings.OUTBOUND_BACKOFF_MAX_SECONDS))
            continue
        message_mark(message, status=MessageStatus.SENT, provider_message_id=provider_id)
        return MessageStatus.SENT
    message_mark(message, status=MessageStatus.FAILED, code=last.code if last else "", title="gave up after retries")
    return MessageStatus.FAILED


@task()
def deliver_message(*, message_id: int) -> str:
    """The background send (Django's Tasks: in-process in the embedded default, ``db_worker`` in production)."""
    return message_deliver(message_id=message_id)
