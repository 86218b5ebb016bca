"""The sensitive-data guard in the pipelines: scan, store findings, mask, alert, narrow visibility.

Invariants:
- Every inbound and outbound text is scanned before it is stored (``message_scan``); findings are
  kept as category, type and span only. No finding, alert or log line holds an identifier's value.
- Under a team's ``redact`` policy an inbound message is stored with its financial and national
  identifiers already masked: the full value never reaches the database. The customer is told,
  in their language, which secure channel to use.
- A conversation in which special-category data appears becomes ``sensitive`` and stays so: from
  then on only its assigned agent, the supervisors of its team and the DPO see it
  (``selectors.conversation_visibility`` and the inbox socket's ``_may_see``).
- Revealing a masked identifier needs a reason and is written to the staff access log
  (``consent.services.access_record``) in the same transaction as nothing else: a reveal that
  cannot be logged does not happen.
- Watch-term alerts are rows written in the caller's transaction and pushed to DPO sockets
  (group ``dpo``) only after commit; a DPO who was offline finds them in the admin queue.
"""

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import regex
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from consent.exceptions import InvalidTransition
from consent.history import history_note
from consent.process_cache import ProcessCache
from consent.services import access_record
from conversations import selectors
from conversations.exceptions import NotAllowed, SensitiveDraft
from conversations.models import (
    ALERT_TRANSITIONS,
    MEDIA_TYPES,
    Conversation,
    Message,
    SensitiveAlert,
    SensitivePolicy,
    Severity,
    Team,
    WatchTerm,
)
from sensitive import patterns, scan
from sensitive.findings import CATEGORY_OF_TYPE, Category
from sensitive.masking import excerpt, has_masked, mask_spans

logger = logging.getLogger(__name__)

DPO_GROUP = "dpo"


@dataclass(frozen=True, slots=True)
class ScanOutcome:
    text: str  # what is to be stored: the text, or its masked form under the redact policy
    findings: list[dict[str, Any]] = field(default_factory=list)
    special_category: bool = False
    may_contain_special: bool = False
    redacted: bool = False
    watch_hits: tuple[tuple[WatchTerm, int, int], ...] = ()  # (term, start, end) into ``text``

    @property
    def needs_action(self) -> bool:
        """Anything beyond storing the findings: a flag on the conversation, an alert, a notice."""
        return self.special_category or self.redacted or bool(self.watch_hits)


def message_scan(*, text: str, message_type: str, direction: str, team: Team | None) -> ScanOutcome:
    """Scan one message's text (before it is stored) and apply the team's policy to it."""
    may_contain_special = message_type in MEDIA_TYPES  # files are flagged, not read
    if not settings.SENSITIVE_SCAN_ENABLED:
        return ScanOutcome(text=text, may_contain_special=may_contain_special)
    findings = [f.as_dict() for f in scan(text)] if text else []
    redacted = False
    if (
        direction == "in"
        and team is not None
        and team.sensitive_policy == SensitivePolicy.REDACT
        and has_masked(findings)
    ):
        text, redacted = mask_spans(text, findings), True
    hits = tuple(_watch_hits(text, findings, direction=direction, team_id=team.pk if team else None))
    return ScanOutcome(
        text=text,
        findings=findings,
        special_category=any(f["category"] == Category.SPECIAL_CATEGORY for f in findings),
        may_contain_special=may_contain_special,
        redacted=redacted,
        watch_hits=hits,
    )


def message_apply_scan(message: Message, outcome: ScanOutcome) -> None:
    """Copy the outcome onto an unsaved message."""
    message.findings = outcome.findings
    message.special_category = outcome.special_category
    message.may_contain_special = outcome.may_contain_special
    message.redacted = outcome.redacted


def sensitive_after_store(*, message: Message, conversation: Conversation, outcome: ScanOutcome) -> list[str]:
    """The consequences of a stored message's findings; returns texts to send the customer."""
    replies: list[str] = []
    if outcome.special_category and not conversation.sensitive:
        conversation.sensitive = True
        history_note(conversation, actor=None, reason=f"special-category data detected in message {message.pk}")
        conversation.save(update_fields=["sensitive"])
    for term, start, end in outcome.watch_hits:
        alert_raise(
            conversation=conversation,
            message=message,
            text=outcome.text,
            findings=outcome.findings,
            start=start,
            end=end,
            label=_term_label(term),
            severity=term.severity,
            term=term,
        )
    if outcome.redacted:
        from conversations.notices import identifier_removed

        replies.append(identifier_removed(conversation.subject.language, settings.SENSITIVE_SECURE_CHANNEL))
    return replies


# --- watch terms ---------------------------------------------------------------------------------------------


def _term_regex(value: str) -> re.Pattern:
    """A word or phrase as a pattern over folded text (``special.fold``: lower case, accents off, one
    character for one, so offsets stay those of the message): whole words, any run of spaces."""
    from sensitive.special import fold

    words = [re.escape(word) for word in fold(value.strip()).split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")


CompiledTerm = tuple[WatchTerm, re.Pattern | regex.Pattern | None]


def _watch_terms_load() -> list[CompiledTerm]:
    terms: list[CompiledTerm] = []
    for term in WatchTerm.objects.filter(active=True).order_by("pk"):
        try:
            if term.kind == WatchTerm.Kind.TERM:
                terms.append((term, _term_regex(term.value)))
            elif term.kind == WatchTerm.Kind.PATTERN:
                pattern = patterns.compile_pattern(term.value, timeout=settings.WATCH_PATTERN_TIMEOUT, probe=False)
                terms.append((term, pattern))
            else:
                terms.append((term, None))
        except patterns.PatternError:
            # Saved before a rule it breaks existed (every save validates): skipped until the DPO fixes it.
            logger.warning("watch term %s has an unusable pattern; skipped", term.pk)
    return terms


# The DPO's active watch terms, compiled; read for every message (see consent.process_cache).
WATCH_TERMS = ProcessCache(_watch_terms_load, ttl=30.0)


def watch_terms_forget(**kwargs: Any) -> None:
    WATCH_TERMS.forget()


def _watch_hits(text: str, findings: list[dict], *, direction: str, team_id: int | None):
    folded: str | None = None
    for term, pattern in WATCH_TERMS.get():
        if term.team_id is not None and term.team_id != team_id:
            continue
        if term.direction not in (WatchTerm.Direction.BOTH, direction):
            continue
        if pattern is None:
            hit = next((f for f in findings if f["type"] == term.value), None)
            if hit is not None:
                yield term, hit["start"], hit["end"]
        elif text:
            if term.kind == WatchTerm.Kind.TERM:
                if folded is None:
                    from sensitive.special import fold

                    folded = fold(text)
                match = pattern.search(folded)
            else:
                try:
                    match = patterns.search(pattern, text, timeout=settings.WATCH_PATTERN_TIMEOUT)
                except patterns.PatternTimeout:
                    logger.warning("watch term %s reached its time limit on a message; skipped for it", term.pk)
                    continue
            if match is not None and match.end() > match.start():
                yield term, match.start(), match.end()


def _term_label(term: WatchTerm) -> str:
    if term.kind == WatchTerm.Kind.FINDING:
        return f"detected: {term.value}"
    return f"watch term: {term.value}"[:200]


@transaction.atomic
def watch_term_create(
    *, actor: AbstractBaseUser | None, kind: str, value: str, severity: str = Severity.MEDIUM,
    team: Team | None = None, direction: str = WatchTerm.Direction.BOTH,
) -> WatchTerm:  # fmt: skip
    term = WatchTerm(team=team, kind=kind, value=value, severity=severity, direction=direction)
    return watch_term_save(term=term, actor=actor)


@transaction.atomic
def watch_term_save(*, term: WatchTerm, actor: AbstractBaseUser | None, reason: str = "") -> WatchTerm:
    """Create or change a watch term (validated, with history); every process picks it up within 30 s.
    Terms are never deleted (alerts point at them): a DPO switches one off with ``active``."""
    term.value = term.value.strip()
    if term.pk is None and actor is not None and actor.is_authenticated:
        term.created_by = actor
    term.full_clean()
    history_note(term, actor=actor, reason=reason)
    term.save()
    transaction.on_commit(watch_terms_forget, robust=True)
    return term


# --- alerts --------------------------------------------------------------------------------------------------


def alert_raise(
    *,
    conversation: Conversation,
    message: Message,
    text: str,
    findings: list[dict],
    start: int,
    end: int,
    label: str,
    severity: str,
    term: WatchTerm | None = None,
) -> SensitiveAlert:
    shown = excerpt(text, findings, start=start, end=end)
    alert = SensitiveAlert(
        subject=conversation.subject, conversation=conversation, message=message, watch_term=term,
        label=label[:200], severity=severity,
    )  # fmt: skip
    alert.excerpt = shown  # masked, and encrypted under the subject's key
    alert.save(force_insert=True)
    payload = selectors.alert_render(alert, excerpt_text=shown)
    transaction.on_commit(lambda: _alert_publish(payload), robust=True)
    logger.info("sensitive alert %s raised on conversation %s (%s)", alert.pk, conversation.pk, severity)
    return alert


def _alert_publish(payload: dict[str, Any]) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(DPO_GROUP, {"type": "dpo.alert", "alert": payload})
    except Exception:
        logger.exception("publishing alert %s failed; it waits in the admin queue", payload["id"])


@transaction.atomic
def alert_set_status(*, alert: SensitiveAlert, status: str, actor: AbstractBaseUser) -> SensitiveAlert:
    alert = SensitiveAlert.objects.select_for_update().get(pk=alert.pk)
    if status not in ALERT_TRANSITIONS.get(alert.status, frozenset()):
        raise InvalidTransition(f"alert {alert.pk}: {alert.status} -> {status} is not allowed")
    alert.status, alert.handled_by, alert.handled_at = status, actor, timezone.now()
    history_note(alert, actor=actor, reason=f"marked {status}")
    alert.save(update_fields=["status", "handled_by", "handled_at"])
    return alert


# --- agents: reveal and the draft guard ------------------------------------------------------------------------


@transaction.atomic
def message_reveal(*, message: Message, actor: AbstractBaseUser, reason: str) -> str:
    """The message text with its identifiers unmasked, for an agent who states why. Logged."""
    if not has_masked(message.findings):
        raise NotAllowed(f"message {message.pk} has nothing masked")
    if message.redacted:
        raise NotAllowed(f"message {message.pk}: only the masked form was stored")
    subject = message.conversation.subject
    access_record(
        subject=subject,
        actor=actor,
        action="reveal_identifier",
        object_ref=f"conversations.message:{message.pk}",
        reason=reason,
    )
    types = sorted({f["type"] for f in message.findings if CATEGORY_OF_TYPE.get(f["type"]) != Category.CONTACT})
    logger.info("message %s revealed to user %s (%s)", message.pk, actor.pk, ",".join(types))
    return message.content.get("text", "")


def draft_warnings(*, text: str, language: str) -> dict[str, Any]:
    """What the composer shows while the agent types: the kinds asked for and the suggestion."""
    from sensitive.requests import draft_check, secure_channel_hint

    kinds = sorted({w.kind for w in draft_check(text)}) if text.strip() else []
    return {
        "kinds": kinds,
        "hint": secure_channel_hint(language) if kinds else "",
        "blocked": bool(kinds) and settings.SENSITIVE_DRAFT_BLOCK,
    }


def draft_guard(*, text: str, language: str, confirmed: bool) -> list[str]:
    """Raise ``SensitiveDraft`` for a draft asking for sensitive data, unless the agent confirmed it
    (and the setting allows that). Returns the kinds asked for (empty for an ordinary draft)."""
    from sensitive.requests import draft_check, secure_channel_hint

    kinds = sorted({w.kind for w in draft_check(text)})
    if not kinds:
        return []
    blocked = settings.SENSITIVE_DRAFT_BLOCK
    if blocked or not confirmed:
        hint = secure_channel_hint(language)
        raise SensitiveDraft(
            f"the draft asks for {', '.join(kinds)}" + (" and such drafts are blocked" if blocked else ""),
            kinds=kinds,
            hint=hint,
            blocked=blocked,
        )
    return kinds
