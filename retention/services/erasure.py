"""Erasure of a subject (GDPR Art. 17, LGPD Art. 18 VI): crypto-shredding first, then every declared row.

Invariants:
- Refused, with the reason, while a legal hold stands on the subject (``LegalHoldActive``); nothing changes.
- The subject's row is locked before anything else, as the inbound pipeline locks it before storing anything
  for a known sender (``conversations.services.ingest.subjects_locked``): a message arriving meanwhile is
  either committed first, and erased here with the rest, or waits and then finds no subject, and starts a new
  one with a fresh key. Never a message under the destroyed key, or one this erasure leaves behind.
- In one transaction: the subject's data key is destroyed first, so every ciphertext of the subject (rows,
  history rows, backups, files) is unreadable from that moment; then every row the registry declares for the
  subject is removed (``removal.remove``: with its dependants, history rows and files), dependants first; rows
  declared ``KEEP_PSEUDONYMOUS`` stay, pointing at a public id that no longer resolves (the ledger still
  verifies); an erasure receipt is written (counts, when, who, why, the recipients to inform: no identifier);
  and the erasure journal outside the database gets its line (``retention.journal``) before the commit.
- On SQLite, the write-ahead log is truncated after the commit, so deleted pages leave no copy there either
  (``secure_delete`` overwrites them in the database file).
- Nothing here logs the subject; receipt ids only.
"""

import logging
from collections import Counter

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from consent import vault
from consent.declarations import Erasure
from consent.exceptions import DomainError
from consent.models import Subject
from consent.references import reference_problem
from consent.selectors import legal_holds_standing
from retention import registry
from retention.journal import JournalEntry, journal_append
from retention.models import ErasureReason, ErasureReceipt
from retention.services.removal import remove

logger = logging.getLogger(__name__)

# Who else holds the data and must be told of an erasure (GDPR Art. 19, LGPD Art. 18 §6), per channel.
RECIPIENTS = {
    "whatsapp": _(
        "Meta Platforms Ireland Ltd. (WhatsApp Business Platform): message metadata and media, kept by Meta for "
        "up to 30 days"
    ),
}


def recipients_to_inform(subject: Subject) -> list[str]:
    """Whom to tell of an erasure, a rectification or a restriction of ``subject`` (Art. 19), by its channels."""
    channels = set(subject.contact_points.values_list("kind", flat=True))
    return [gettext_now(RECIPIENTS[channel]) for channel in sorted(channels) if channel in RECIPIENTS]


class InvalidErasureReason(DomainError, code="invalid_erasure_reason", http_status=400):
    """An erasure names its legal ground (``ErasureReason``) and at most a reference, never prose."""


class LegalHoldActive(DomainError, code="legal_hold", http_status=409):
    """A legal hold stands on the subject: nothing of theirs may be erased or purged until it is released."""


def subject_erase(
    *, subject: Subject, actor: AbstractBaseUser | None, reason: str, reference: str = "", trigger: str = "staff"
) -> ErasureReceipt:
    """Erase everything of ``subject`` the registry declares; returns the receipt (no identifiers in it)."""
    if reason not in ErasureReason.values:
        raise InvalidErasureReason(f"an erasure's reason is one of: {', '.join(ErasureReason.values)}")
    reference = reference.strip()
    if reference and (problem := reference_problem(reference)):
        raise InvalidErasureReason(f"the erasure's reference: {problem}")
    with transaction.atomic():
        subject = Subject.objects.select_for_update().get(pk=subject.pk)
        holds = list(legal_holds_standing(subject=subject).values_list("pk", flat=True))
        if holds:
            raise LegalHoldActive(f"legal hold {', '.join(f'#{pk}' for pk in holds)} stands: nothing is erased")
        public_id = str(subject.public_id)
        recipients = recipients_to_inform(subject)  # read before the contact points go
        vault.key_destroy(subject=subject)  # crypto-shredding first: from here on nothing of theirs can be read
        counts: Counter = Counter()
        kept: dict[str, str] = {}
        for declaration in registry.erasure_order():
            rows = registry.subject_rows(declaration, subject.pk)
            if declaration.erasure == Erasure.KEEP_PSEUDONYMOUS:
                if (n := rows.count()) > 0:
                    kept[declaration.category] = f"{n} kept without identifiers: {declaration.kept_because}"
                continue
            counts += remove(declaration, rows)
            history = registry.history_model(declaration)
            if history is not None and declaration.subject:
                # History rows of rows removed before (a conversation purged months ago) name the subject too.
                history_subject = declaration.history_subject or declaration.subject
                history._default_manager.filter(**{history_subject: subject.pk}).delete()
        receipt = ErasureReceipt.objects.create(
            actor=actor if actor is not None and actor.is_authenticated else None,
            trigger=trigger[:32],
            reason=reason,
            reference=reference,
            counts={category: n for category, n in sorted(counts.items()) if n},
            kept=kept,
            recipients=recipients,
        )
        journal_append(JournalEntry(subject=public_id, at=timezone.now().isoformat(), receipt=str(receipt.pk)))
        if connection.vendor == "sqlite":
            transaction.on_commit(_sqlite_forget, robust=True)
    logger.info("erasure %s done (%s)", receipt.pk, trigger)
    return receipt


def _sqlite_forget() -> None:
    """Fold the write-ahead log into the database file and empty it: its frames held the deleted pages."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
