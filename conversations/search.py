"""The inbox's search index: words of messages and of customers' names, as keyed hashes (``SearchToken``).

Names and texts are encrypted under each subject's own key, so no plaintext index can exist. Instead every
word is normalised (``tokens``) and hashed with HMAC-SHA256 under a key derived from the master key for this
job alone (``derived_key("search-token")``); a search hashes the words it is given the same way and looks the
digests up. Equal words give equal digests (README, "What the search index reveals"), no digest gives its word
back without the key.

Invariants:
- A message is indexed as an agent sees it (identifiers masked, ``message_text.message_text_shown``): a search
  never finds a conversation by a number the agents cannot read in it.
- Special-category messages and system messages are not indexed: a health word never becomes a digest.
- A message's words are indexed once each, at most ``MAX_TOKENS_PER_MESSAGE`` of them; a name's replace the
  name's earlier ones. Tokens go with their message, their conversation and their subject (foreign keys,
  cascade) and are declared personal data (``conversations.personal_data``).
- ``SEARCH_INDEX_ENABLED = False`` (a setting, default True) stops the indexing, never the search.
"""

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from consent.crypto import derived_key
from consent.encrypted import or_erased
from consent.models import Subject
from conversations.message_text import message_text_shown
from conversations.models import Message, MessageType, SearchToken

MIN_TOKEN_LENGTH = 2
MAX_TOKENS_PER_MESSAGE = 200
MAX_QUERY_TOKENS = 8
# The first 8 bytes of the HMAC as a signed 64-bit integer: half the index of a 16-byte digest, and at 2^-64 per
# pair a collision (a search also finding another word's conversations) is negligible for any vocabulary.
DIGEST_BYTES = 8
_SPLIT = re.compile(r"[\W_]+")


def enabled() -> bool:
    return settings.SEARCH_INDEX_ENABLED


def tokens(text: str, *, limit: int = MAX_TOKENS_PER_MESSAGE) -> list[str]:
    """The distinct words of ``text``, normalised, in order of first appearance, at most ``limit``.

    NFKD, then combining marks dropped ("Müller" → "muller"), casefolded ("ß" → "ss"), split on anything that
    is not a letter or a digit; words shorter than two characters are dropped."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    seen: dict[str, None] = {}
    for word in _SPLIT.split(bare):
        if len(word) >= MIN_TOKEN_LENGTH and word not in seen:
            seen[word] = None
            if len(seen) >= limit:
                break
    return list(seen)


def _keyed() -> "hmac.HMAC":
    return hmac.new(derived_key("search-token"), digestmod=hashlib.sha256)


def _digest(keyed: "hmac.HMAC", token: str) -> int:
    mac = keyed.copy()  # the key's pads computed once per text, not once per word
    mac.update(token.encode())
    return int.from_bytes(mac.digest()[:DIGEST_BYTES], "big", signed=True)


def token_digest(token: str) -> int:
    return _digest(_keyed(), token)


def digests(text: str, *, limit: int = MAX_TOKENS_PER_MESSAGE) -> list[int]:
    words = tokens(text, limit=limit)
    if not words:
        return []
    keyed = _keyed()
    return [_digest(keyed, word) for word in words]


def query_digests(q: str) -> list[int]:
    """The digests a search for ``q`` must all find (AND)."""
    return digests(q, limit=MAX_QUERY_TOKENS)


def _indexable_text(message: Message) -> str:
    if message.type == MessageType.SYSTEM or message.special_category:
        return ""
    return message_text_shown(message)


def _message_rows(message: Message, now: datetime) -> list[tuple]:
    """(subject, conversation, message, digest, created_at) of a message's tokens: no subject on a message's own
    (``SearchToken.subject``)."""
    conversation = message.conversation
    return [(None, conversation.pk, message.pk, digest, now) for digest in digests(_indexable_text(message))]


def messages_index(*, messages: Iterable[Message]) -> int:
    """Index stored messages (their conversations attached, their subjects' keys in hand): one statement for all,
    on the ingest's hot path, so plain SQL rather than the ORM's bulk_create (a model instance per token cost a
    third of a batch's time). A token indexed before is skipped. Returns how many tokens were offered."""
    if not enabled():
        return 0
    now = timezone.now()
    rows = [row for message in messages for row in _message_rows(message, now)]
    if rows:
        _insert(rows)
    return len(rows)


def _insert(rows: list[tuple]) -> None:
    table = SearchToken._meta.db_table
    columns = "subject_id, conversation_id, message_id, digest, created_at"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest(%s::bigint[], %s::bigint[], "  # noqa: S608
                "%s::bigint[], %s::bigint[], %s::timestamptz[]) ON CONFLICT DO NOTHING",
                [list(column) for column in zip(*rows, strict=True)],
            )
        else:
            cursor.executemany(
                f"INSERT OR IGNORE INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                rows,
            )


def subject_name_index(*, subject: Subject, created: bool = False) -> None:
    """Replace the tokens of the subject's name by those of its current name (none once erased)."""
    if not enabled():
        return
    if not created:
        SearchToken.objects.filter(subject=subject, message__isnull=True).delete()
    name = or_erased(lambda: subject.display_name, "")
    SearchToken.objects.bulk_create(
        [SearchToken(subject=subject, digest=digest) for digest in digests(name)], ignore_conflicts=True
    )


def subject_saved(sender: type, instance: Subject, created: bool, update_fields: frozenset | None, **kwargs) -> None:
    """``post_save`` of ``consent.Subject`` (connected in ``ConversationsConfig.ready``): wherever a name is set
    (the first message, a rectification, the admin), its tokens follow. Consent imports no other app, so the
    index listens rather than being called."""
    if kwargs.get("raw"):
        return
    if created or update_fields is None or "display_name_enc" in update_fields:
        subject_name_index(subject=instance, created=created)


def search_reindex(*, batch_size: int = 1000, names: bool = True, messages: bool = True) -> tuple[int, int]:
    """Build the index for what is stored already (idempotent: a token indexed before is not added twice; names
    are replaced). Batched by id, one transaction per batch, so it runs beside live traffic and can be stopped
    and run again. Returns (name tokens, message tokens) written."""
    written_names = written_messages = 0
    if names:
        last = 0
        while batch := list(Subject.objects.select_related("data_key").filter(pk__gt=last).order_by("pk")[:batch_size]):
            last = batch[-1].pk
            with transaction.atomic():
                SearchToken.objects.filter(subject__in=batch, message__isnull=True).delete()
                rows = [
                    SearchToken(subject=subject, digest=digest)
                    for subject in batch
                    for digest in digests(or_erased(lambda s=subject: s.display_name, ""))
                ]
                SearchToken.objects.bulk_create(rows, ignore_conflicts=True)
            written_names += len(rows)
    if messages:
        last = 0
        subjects: dict[int, Subject] = {}  # one instance per subject: its key is unwrapped once
        while batch := list(
            Message.objects.select_related("conversation__subject__data_key")
            .filter(pk__gt=last)
            .order_by("pk")[:batch_size]
        ):
            last = batch[-1].pk
            for message in batch:
                subject = subjects.setdefault(message.conversation.subject_id, message.conversation.subject)
                message.conversation.subject = subject
            now = timezone.now()
            rows = [row for message in batch for row in _message_rows(message, now)]
            with transaction.atomic():
                for start in range(0, len(rows), 10_000):
                    _insert(rows[start : start + 10_000])
            written_messages += len(rows)
            if len(subjects) > 10 * batch_size:
                subjects.clear()
    return written_names, written_messages
