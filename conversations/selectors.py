"""Reads of the conversations app: who may see what, and how events look to a client."""

import base64
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import F, Q, QuerySet
from django.urls import reverse

from consent.contacts import contact_index, mask_contact, normalize_contact
from consent.encrypted import or_erased
from consent.exceptions import InvalidContactPoint
from consent.models import ContactKind, ContactPoint
from consent.request_intents import request_suggestion
from conversations.message_text import message_text_shown
from conversations.models import (
    MEDIA_TYPES,
    AlertStatus,
    CannedResponse,
    Conversation,
    ConversationEvent,
    Direction,
    Message,
    MessageType,
    Note,
    SearchToken,
    SensitiveAlert,
    Team,
    TeamMembership,
)
from conversations.search import query_digests
from sensitive.masking import has_masked

VIEW_ALL = "conversations.view_all_conversations"


def user_team_ids(*, user: AbstractBaseUser) -> list[int]:
    return list(TeamMembership.objects.filter(user=user).values_list("team_id", flat=True))


def user_team_roles(*, user: AbstractBaseUser) -> tuple[list[int], list[int]]:
    """(the teams the user belongs to, the teams the user supervises)."""
    rows = list(TeamMembership.objects.filter(user=user).values_list("team_id", "role"))
    return [t for t, _ in rows], [t for t, role in rows if role == TeamMembership.Role.SUPERVISOR]


def user_get_active(*, user_id: int) -> AbstractBaseUser | None:
    return get_user_model().objects.filter(pk=user_id, is_active=True).first()


def teammates(*, team_id: int | None) -> list[AbstractBaseUser]:
    """The active members of a team, by username (whom a conversation can be assigned to)."""
    if team_id is None:
        return []
    return list(
        get_user_model()
        .objects.filter(team_memberships__team_id=team_id, is_active=True)
        .order_by("username")
        .distinct()
    )


def team_get(*, team_id: int) -> Team | None:
    return Team.objects.filter(pk=team_id).first()


def team_list() -> list[Team]:
    return list(Team.objects.order_by("name"))


def _visible(user: AbstractBaseUser, *, agent: str, team: str, sensitive: str) -> Q | None:
    """The visibility rule as a filter on the named fields; ``None`` means everything."""
    if user.has_perm(VIEW_ALL):
        return None
    team_ids, supervised = user_team_roles(user=user)
    return Q(**{agent: user.pk}) | Q(**{f"{team}__in": supervised}) | Q(**{f"{team}__in": team_ids, sensitive: False})


def conversation_visibility(*, user: AbstractBaseUser) -> Q | None:
    """``None`` means everything (DPO, admin). Else: the user's own conversations, every conversation
    of the teams they supervise, and the non-sensitive ones of the teams they belong to. A sensitive
    conversation (special-category data) is seen only by its agent, its team's supervisors, the DPO."""
    return _visible(user, agent="assigned_agent_id", team="team_id", sensitive="sensitive")


def rendered_conversation_visible(
    conversation: dict[str, Any], *, user_id: int, team_ids: frozenset[int], supervised_ids: frozenset[int]
) -> bool:
    """``conversation_visibility`` for a conversation as ``conversation_render`` gave it (a socket event),
    with the user's teams looked up once: no query per event."""
    team = conversation.get("team")
    if conversation.get("assigned_agent") == user_id or team in supervised_ids:
        return True
    return team in team_ids and not conversation.get("sensitive")


# What a list row renders: read with the rows, no query per row.
_LIST_RELATED = ("subject__data_key", "team", "assigned_agent", "contact_point", "last_message", "last_message__author")


def conversation_list(
    *, user: AbstractBaseUser, scope: str = "all", status: str | None = None
) -> QuerySet[Conversation]:
    rows = Conversation.objects.select_related(*_LIST_RELATED)
    visible = conversation_visibility(user=user)
    if visible is not None:
        rows = rows.filter(visible)
    if scope == "mine":
        rows = rows.filter(assigned_agent=user)
    elif scope == "unassigned":
        rows = rows.filter(assigned_agent__isnull=True)
    elif scope == "team":
        rows = rows.filter(team_id__in=user_team_ids(user=user))
    if status:
        rows = rows.filter(status=status)
    return rows.order_by(F("last_message_at").desc(nulls_last=True), "-id")


PAGE_LIMIT = 50
MAX_PAGE_LIMIT = 200


class BadCursor(ValueError):
    """A list cursor that this server did not give out (or no longer reads)."""


@dataclass(frozen=True, slots=True)
class ConversationPage:
    rows: list[Conversation]
    next: str | None  # the cursor of the following page; None on the last one
    total: int  # how many conversations the filters select, on every page


def cursor_encode(conversation: Conversation) -> str:
    """The opaque position after ``conversation`` in the list's order (newest activity first, then id)."""
    moment = conversation.last_message_at.isoformat() if conversation.last_message_at else ""
    return base64.urlsafe_b64encode(f"{moment}|{conversation.pk}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime | None, int]:
    """(last_message_at, id) of a cursor from ``cursor_encode``; ``BadCursor`` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, pk = raw.rpartition("|")
        at = datetime.fromisoformat(moment) if moment else None
        pk = int(pk)
    except (ValueError, UnicodeDecodeError):
        raise BadCursor("not a cursor of this list") from None
    if pk < 1 or (at is not None and at.tzinfo is None):
        raise BadCursor("not a cursor of this list")
    return at, pk


def _after(at: datetime | None, pk: int) -> Q:
    """The rows after (at, pk) in the order ``last_message_at`` descending with nulls last, then id descending
    (one order on PostgreSQL and SQLite, which sort nulls differently by default)."""
    if at is None:
        return Q(last_message_at__isnull=True, id__lt=pk)
    return Q(last_message_at__lt=at) | Q(last_message_at=at, id__lt=pk) | Q(last_message_at__isnull=True)


def _contact_query(q: str) -> tuple[str, str] | None:
    """(kind, blind index) when ``q`` is a phone number or an e-mail address, normalised as contact points are."""
    text = q.strip()
    if "@" in text and " " not in text:
        kind = ContactKind.EMAIL
    elif _PHONE.fullmatch(text) and sum(ch.isdigit() for ch in text) >= 6:
        kind = ContactKind.WHATSAPP
        text = re.sub(r"[\s().\-/]", "", text)
        if text.startswith("00"):
            text = "+" + text[2:]
    else:
        return None
    try:
        normalized = normalize_contact(kind=kind, value=text)
    except InvalidContactPoint:
        return None
    return kind, contact_index(kind=kind, value=normalized.value)


_PHONE = re.compile(r"\+?[\d\s().\-/]+")


def conversation_search(rows: QuerySet[Conversation], *, q: str) -> QuerySet[Conversation]:
    """Narrow ``rows`` to the conversations ``q`` finds: a phone number or an e-mail address exactly (the
    contact points' blind index), else every word of ``q`` (AND) in the customer's name or in a message's text
    (``conversations.search``); digits that read as a phone number are looked up both ways. A query with no
    searchable word finds nothing."""
    contact = _contact_query(q)
    by_contact = None
    if contact is not None:
        kind, index = contact
        by_contact = Q(subject_id__in=ContactPoint.objects.filter(kind=kind, value_index=index).values("subject_id"))
        if kind == ContactKind.EMAIL:
            return rows.filter(by_contact)
    wanted = query_digests(q)
    if not wanted:
        return rows.filter(by_contact) if by_contact is not None else rows.none()
    by_words = Q()
    for digest in wanted:
        in_text = SearchToken.objects.filter(digest=digest, conversation__isnull=False).values("conversation_id")
        in_name = SearchToken.objects.filter(digest=digest, message__isnull=True).values("subject_id")
        by_words &= Q(pk__in=in_text) | Q(subject_id__in=in_name)
    # Digits that could be a phone number may as well be an order number or a date in a message: either.
    return rows.filter(by_words | by_contact if by_contact is not None else by_words)


def _one_subject_each(rows: list[Conversation]) -> list[Conversation]:
    """The contact point reads its subject's key through the conversation's subject (loaded with its key): no
    query per row to mask the contact."""
    for conversation in rows:
        if conversation.contact_point is not None:
            conversation.contact_point.subject = conversation.subject
    return rows


def conversation_page(
    *,
    user: AbstractBaseUser,
    scope: str = "all",
    status: str | None = None,
    q: str = "",
    before: str | None = None,
    limit: int = PAGE_LIMIT,
) -> ConversationPage:
    """One page of the conversations the user may see (``conversation_list``'s filters, and ``q`` searched as
    ``conversation_search`` does), newest activity first; ``before`` is the ``next`` cursor of the page before.
    Raises ``BadCursor``. Queries: the user's teams, the count, the page's ids, its rows; none per row."""
    after = cursor_decode(before) if before else None
    limit = max(1, min(limit, MAX_PAGE_LIMIT))
    rows = conversation_list(user=user, scope=scope, status=status)
    if q.strip():
        rows = conversation_search(rows, q=q)
    total = rows.count()
    if after is not None:
        rows = rows.filter(_after(*after))
    # The page's ids first (an ordered read of the conversations alone), then the rows with their joins by id. In
    # one statement PostgreSQL joins every visible conversation to its subject, key and newest message before the
    # sort and the limit, reading the whole message table: 1.7 s at 10,000 conversations (bench/inbox.py).
    ids = list(rows.values_list("pk", flat=True)[: limit + 1])
    by_id = {c.pk: c for c in Conversation.objects.select_related(*_LIST_RELATED).filter(pk__in=ids)}
    found = _one_subject_each([by_id[pk] for pk in ids if pk in by_id])
    if len(found) <= limit:
        return ConversationPage(rows=found, next=None, total=total)
    found = found[:limit]
    return ConversationPage(rows=found, next=cursor_encode(found[-1]), total=total)


def conversation_get(*, user: AbstractBaseUser, conversation_id: int) -> Conversation | None:
    return conversation_list(user=user).filter(pk=conversation_id).first()


def message_get(*, conversation: Conversation, message_id: int) -> Message | None:
    """A message of a conversation the caller already may see, with that conversation attached."""
    message = Message.objects.filter(conversation=conversation, pk=message_id).first()
    if message is not None:
        message.conversation = conversation  # the subject's key is already unwrapped there
    return message


def message_queryset(*, conversation: Conversation) -> QuerySet[Message]:
    """A conversation's messages with what rendering them reads (attachments), oldest first."""
    return (
        Message.objects.filter(conversation=conversation)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("id")
    )


def message_list(*, conversation: Conversation, after_id: int = 0, limit: int = 200) -> list[Message]:
    return list(message_queryset(conversation=conversation).filter(id__gt=after_id)[:limit])


def messages_render(conversation: Conversation, messages: list[Message]) -> list[dict[str, Any]]:
    # One subject instance for all rows: its data key is unwrapped once, not once per message.
    for message in messages:
        message.conversation = conversation
    return [message_render(m) for m in messages]


def note_queryset(*, conversation: Conversation) -> QuerySet[Note]:
    """A conversation's internal notes with their authors, oldest first (ids grow with time)."""
    return Note.objects.filter(conversation=conversation).select_related("author").order_by("id")


def notes_attach(conversation: Conversation, notes: list[Note]) -> list[Note]:
    """Decrypt with the already-loaded subject: no query per note."""
    for note in notes:
        note.conversation = conversation
    return notes


def note_list(*, conversation: Conversation) -> list[Note]:
    return notes_attach(conversation, list(note_queryset(conversation=conversation)))


def canned_response_list(*, team_ids: list[int] | None, language: str | None = None) -> list[CannedResponse]:
    """Canned responses of the given teams (``None``: every team)."""
    rows = CannedResponse.objects.all()
    if team_ids is not None:
        rows = rows.filter(team_id__in=team_ids)
    if language:
        rows = rows.filter(language=language)
    return list(rows.order_by("team_id", "shortcut", "language"))


def template_catalog() -> dict[str, dict]:
    """Approved templates, as configured (name → category, purpose, languages, body preview)."""
    return settings.WHATSAPP_TEMPLATES


def template_list() -> list[dict[str, Any]]:
    """The approved templates as the inbox's picker and the API list them: those an agent may send (an
    authentication template carries one-time codes, and a ``system_only`` one the system's own notices, which
    only the system sends)."""
    return [
        {
            "name": name,
            "category": spec.get("category", ""),
            "purpose": spec.get("purpose", ""),
            "languages": list(spec.get("languages", [])),
            "preview": dict(spec.get("preview", {})),
        }
        for name, spec in sorted(template_catalog().items())
        if spec.get("category") != "AUTHENTICATION" and not spec.get("system_only")
    ]


def event_last_id() -> int:
    """The newest outbox id: a page drawn now asks the socket for everything after it."""
    return ConversationEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def conversation_render(conversation: Conversation) -> dict[str, Any]:
    subject = conversation.subject
    contact = conversation.contact_point
    return {
        "id": conversation.pk,
        "channel": conversation.channel,
        "status": conversation.status,
        "team": conversation.team_id,
        "team_name": conversation.team.name if conversation.team_id else "",
        "assigned_agent": conversation.assigned_agent_id,
        "assigned_agent_name": conversation.assigned_agent.get_username() if conversation.assigned_agent_id else "",
        "unread": conversation.unread_count,
        "last_message_at": conversation.last_message_at.isoformat() if conversation.last_message_at else None,
        "window_closes_at": conversation.window_closes_at.isoformat() if conversation.window_closes_at else None,
        "window_open": conversation.window_open,
        "sensitive": conversation.sensitive,
        "preview": conversation_preview(conversation),
        "subject": {
            "public_id": str(subject.public_id),
            "name": or_erased(lambda: subject.display_name),
            "language": subject.language,
            "jurisdiction": subject.jurisdiction,
            "restriction": subject.restriction,
            "restriction_label": subject.get_restriction_display() if subject.restriction else "",
            "contact": or_erased(lambda: mask_contact(kind=contact.kind, value=contact.value), "") if contact else "",
        },
    }


PREVIEW_LENGTH = 140


def conversation_preview(conversation: Conversation) -> dict[str, Any] | None:
    """The newest message as a list row shows it (None before the first): its text masked as in the thread and
    cut to ``PREVIEW_LENGTH``, and none at all for special-category data (the row shows a label instead)."""
    message = conversation.last_message
    if message is None:
        return None
    message.conversation = conversation  # the subject's key is unwrapped there already
    text = "" if message.special_category else message_text_shown(message)
    if len(text) > PREVIEW_LENGTH:
        text = text[: PREVIEW_LENGTH - 1].rstrip() + "…"
    return {
        "text": text,
        "type": message.type,
        "direction": message.direction,
        "author_name": message.author.get_username() if message.author_id else "",
        "automatic": message.type == MessageType.SYSTEM
        or (message.direction == Direction.OUTBOUND and message.author_id is None),
        "special_category": message.special_category,
    }


def message_render(message: Message) -> dict[str, Any]:
    """A message as agents see it: financial and national identifiers masked (last four visible)."""
    content = or_erased(lambda: message.content, {})
    findings = message.findings or []
    masked = has_masked(findings)
    text = message_text_shown(message, content)
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "direction": message.direction,
        "type": message.type,
        "text": text,
        "masked": masked,
        "revealable": masked and not message.redacted,
        "redacted": message.redacted,
        "special_category": message.special_category,
        "may_contain_special": message.may_contain_special,
        "findings": sorted({f["type"] for f in findings}),
        "content": {k: v for k, v in content.items() if k != "text"},
        "status": message.status,
        "error_code": message.error_code,
        "error_title": message.error_title,
        "author": message.author_id,
        # Who wrote it, for colleagues: the agent's username; an outbound message without one was sent by the
        # system itself (STOP and opt-in confirmations, secure-channel notices, one-time codes).
        "author_name": message.author.get_username() if message.author_id else "",
        "automatic": message.direction == Direction.OUTBOUND and message.author_id is None,
        "template": message.template_name,
        "created_at": message.created_at.isoformat(),
        "request_suggestion": message_request_suggestion(message, text=text),
        "attachments": [
            {"id": a.pk, "mime_type": a.mime_type, "status": a.status, "size": a.size}
            for a in message.attachments.all()
        ]
        if message.pk and message.type in MEDIA_TYPES
        else [],
    }


def message_request_suggestion(message: Message, *, text: str) -> dict[str, Any] | None:
    """The subject request a customer's text message seems to make, for the inbox to offer the agent:
    ``{"kind": <consent.rights.Right>, "generic": bool}`` or None (``consent.request_intents``).

    ``text`` is the text exactly as the render shows it (identifiers masked, as for this viewer), so the
    suggestion says nothing the text does not; and it travels only inside the message's render, which reaches
    only those who may see the conversation (``conversation_visibility``, the socket's ``_may_see``): a
    sensitive conversation's suggestions go to its agent, its team's supervisors and the DPO, nobody else.
    A suggestion, never an action: only the agent's click records a request.
    """
    if message.direction != Direction.INBOUND or message.type != MessageType.TEXT or not text:
        return None
    found = request_suggestion(text, language=message.conversation.subject.language)
    return {"kind": found.right.value, "generic": found.generic} if found is not None else None


def note_render(note: Note) -> dict[str, Any]:
    return {
        "id": note.pk,
        "author": note.author.get_username() if note.author_id else "",
        "body": or_erased(lambda: note.body),
        "created_at": note.created_at.isoformat(),
    }


def event_render(event: ConversationEvent) -> dict[str, Any]:
    payload: dict[str, Any] = {"id": event.pk, "kind": event.kind, "data": event.data}
    if event.conversation_id:
        payload["conversation"] = conversation_render(event.conversation)
    if event.message_id:
        payload["message"] = message_render(event.message)
    return payload


def event_list_for_user(*, user: AbstractBaseUser, after_id: int, limit: int = 500) -> list[ConversationEvent]:
    """What a reconnecting client missed: the events it may see, after the last one it saw."""
    rows = ConversationEvent.objects.filter(id__gt=after_id).select_related(
        "conversation__subject", "conversation__team", "conversation__assigned_agent",
        "conversation__contact_point", "conversation__last_message__author", "message__conversation__subject",
        "message__author",
    )  # fmt: skip
    visible = _visible(user, agent="agent_id", team="team_id", sensitive="conversation__sensitive")
    if visible is not None:
        rows = rows.filter(visible)
    return list(rows.order_by("id")[:limit])


def online_agent_loads(*, team_id: int) -> list[tuple[int, int]]:
    """(agent id, open conversations) for the team's agents with the inbox open *and* set to online, least
    loaded first (ties: the lower id). Away and offline agents are skipped; what they hold stays theirs."""
    from django.db.models import Count

    from conversations.models import PresenceStatus

    members = TeamMembership.objects.filter(
        team_id=team_id,
        user__presence__connections__gt=0,
        user__presence__status=PresenceStatus.ONLINE,
        user__is_active=True,
    ).values_list("user_id", flat=True)
    loads = {uid: 0 for uid in members}
    for uid, count in (
        Conversation.objects.filter(assigned_agent_id__in=list(loads), status__in=["open", "pending"])
        .values("assigned_agent_id")
        .annotate(n=Count("id"))
        .values_list("assigned_agent_id", "n")
    ):
        loads[uid] = count
    return sorted(loads.items(), key=lambda item: (item[1], item[0]))


def alert_list_open(*, after_id: int = 0, limit: int = 200) -> list[SensitiveAlert]:
    """Open sensitive-data alerts after an id, oldest first (a DPO socket's replay)."""
    return list(
        SensitiveAlert.objects.filter(pk__gt=after_id, status=AlertStatus.OPEN)
        .select_related("subject__data_key")
        .order_by("pk")[:limit]
    )


def alert_render(alert: SensitiveAlert, *, excerpt_text: str | None = None) -> dict[str, Any]:
    """An alert as the DPO's live queue shows it; ``excerpt_text`` when the caller decrypted it already."""
    return {
        "id": alert.pk,
        "severity": alert.severity,
        "label": alert.label,
        "excerpt": excerpt_text if excerpt_text is not None else alert.excerpt,
        "status": alert.status,
        "conversation": alert.conversation_id,
        "message": alert.message_id,
        "created_at": alert.created_at.isoformat(),
        "url": reverse("admin:conversations_sensitivealert_change", args=[alert.pk]),
        # None once the conversation was purged (the alert is kept longer, under its own retention rule).
        "inbox_url": reverse("inbox:conversation", args=[alert.conversation_id]) if alert.conversation_id else None,
    }
