"""One-time codes: proving that a person controls a WhatsApp number or an e-mail address (the self-service page).

Invariants:
- The same answer in the same time, known or unknown. ``challenge_start`` does the same work for every
  identifier: it normalises it, counts the last hour's challenges, inserts one row and, after commit, queues one
  task. It never looks the identifier up: the task does, in the background, so neither the answer, nor its
  time, nor a refusal (``RateLimited``, counted from the table for identifiers we know and do not know alike)
  tells anyone who is a customer.
- Nothing unsolicited goes to a stranger: the task sends a code only to a contact point we already hold, and
  nothing to a subject whose processing is restricted (nothing is sent to them, README "Restriction").
- The code is made by the task (``secrets``), stored only as an HMAC bound to its challenge, under a key HKDF
  derives from the master key for this job alone, and handed to the channel from memory: it is in no row, no
  task argument (a database worker stores those), no log. Until the task ran, a challenge holds the hash of a
  random secret no one saw, so nothing verifies it; an unknown identifier's challenge keeps it for good.
- Codes are compared as hashes in constant time (``hmac.compare_digest``). A wrong code is counted, and stays
  counted although the call raises; the fifth locks the challenge, which then refuses even the right code. A
  right code verifies once.
- Rate limits per blind index of the identifier and per hash of the IP address (an IPv6 address's /64:
  ``consent.network.limit_address``; a host picks any address in its /64), over the last hour, counted
  from the table in the transaction that inserts: serialised per key (PostgreSQL: transaction-level advisory
  locks; SQLite: its transactions are IMMEDIATE, one writer at a time), so the limits hold across processes.
- Logs name challenge ids and channels only: never the number, the address or the code.
"""

import hashlib
import hmac
import logging
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consent.contacts import contact_index, normalize_contact
from consent.crypto import derived_key, ip_hash
from consent.exceptions import DomainError, InvalidContactPoint
from consent.jurisdictions import LANGUAGES
from consent.models import ContactKind, ContactPoint
from consent.network import limit_address
from conversations import services as conversation_services
from retention.exceptions import (
    ChallengeExpired,
    ChallengeLocked,
    ChallengeUsed,
    RateLimited,
    VerificationError,
    WrongCode,
)
from retention.models import VerificationChallenge
from retention.models.verification import CODE_LIFETIME, MAX_ATTEMPTS, VerificationChannel

logger = logging.getLogger(__name__)

# Challenges within an hour: per identifier (a number or an address gets at most 3 codes), per IP address (one
# machine, or one IPv6 /64, may ask for 10, for whichever identifiers: settings.PRIVACY_CODES_PER_ADDRESS_PER_HOUR,
# whose default this is).
PER_IDENTIFIER_PER_HOUR = 3
PER_ADDRESS_PER_HOUR = 10
RATE_WINDOW = timedelta(hours=1)

# pg_advisory_xact_lock(key1, key2)'s first key: this module's locks ("vc" in ASCII), apart from any other's.
_LOCK_SPACE = 0x7663


def _code_hash(challenge_id: uuid.UUID | str, secret: str) -> str:
    """HMAC-SHA256 under the key HKDF derives for this job, bound to the challenge: the same code hashes apart in
    two challenges, and no table of the million codes can be made without the master key."""
    message = f"{challenge_id}\x00{secret}".encode()
    return hmac.new(derived_key("verification-code"), message, hashlib.sha256).hexdigest()


def _language(language: str) -> str:
    language = (language or "").lower().replace("_", "-")
    if language in LANGUAGES:
        return language
    head = language.split("-", 1)[0]
    return next((known for known in LANGUAGES if known.split("-", 1)[0] == head), "en")


def _serialise(*keys: str) -> None:
    """Hold, until the transaction ends, a lock per key: two requests for one identifier (or from one address)
    count one after the other. SQLite needs none: an IMMEDIATE transaction is the only writer."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted(set(keys)):  # one order everywhere: no deadlock between two requests
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_SPACE, int(key[:8], 16) - 2**31])


def _retry_after(oldest: datetime | None, now: datetime) -> int:
    return max(int(((oldest or now) + RATE_WINDOW - now).total_seconds()) + 1, 1)


@transaction.atomic
def challenge_start(*, kind: str, value: str, ip: str, language: str) -> VerificationChallenge:
    """A one-time code for ``value`` (a WhatsApp number or an e-mail address), sent after commit, in the
    background, if and only if we know it. Raises ``InvalidContactPoint`` for what is no number or address
    (the same for everyone) and ``RateLimited``.

    The challenge returned is the same for a known and an unknown identifier: show its ``id`` (kept by the
    page, not shown) and ``expires_at``, nothing else. ``language`` is the page's: the code's message is
    written in it."""
    if kind not in VerificationChannel.values:
        raise InvalidContactPoint("a one-time code goes to a WhatsApp number or an e-mail address")
    index = contact_index(kind=kind, value=normalize_contact(kind=kind, value=value).value)
    address = ip_hash(limit_address(ip or ""))
    _serialise(index, address)
    now = timezone.now()
    since = now - RATE_WINDOW
    recent = VerificationChallenge.objects.filter(created_at__gte=since).order_by("created_at")
    for rows, limit in ((recent.filter(value_index=index), PER_IDENTIFIER_PER_HOUR),
                        (recent.filter(ip_hash=address), settings.PRIVACY_CODES_PER_ADDRESS_PER_HOUR)):  # fmt: skip
        moments = list(rows.values_list("created_at", flat=True)[:limit])
        if len(moments) >= limit:
            raise RateLimited(
                "too many one-time codes asked for within the hour", retry_after=_retry_after(moments[0], now)
            )
    challenge = VerificationChallenge(
        kind=kind, value_index=index, ip_hash=address, language=_language(language), created_at=now,
        expires_at=now + CODE_LIFETIME,
    )  # fmt: skip
    challenge.code_hash = _code_hash(challenge.id, secrets.token_hex(16))  # no one's code: nothing verifies yet
    # The contact point is the task's to find, and the primary key is fresh: nothing here asks the database.
    challenge.full_clean(exclude=["contact_point"], validate_unique=False, validate_constraints=False)
    challenge.save(force_insert=True)
    challenge_id = str(challenge.pk)
    transaction.on_commit(lambda: challenge_send.enqueue(challenge_id=challenge_id), robust=True)
    logger.info("verification challenge %s started (%s)", challenge_id, kind)
    return challenge


def challenge_verify(*, challenge_id: uuid.UUID | str, code: str) -> VerificationChallenge:
    """The challenge, verified, when ``code`` is its code. Raises ``WrongCode`` (with ``attempts_left``),
    ``ChallengeLocked`` (the fifth wrong code, and every code after it), ``ChallengeExpired`` (after 10 minutes,
    or no such challenge) and ``ChallengeUsed`` (verified already).

    A wrong code is recorded in its own transaction before the refusal is raised: call this outside any
    transaction that the refusal would roll back, or the count is lost."""
    with transaction.atomic():
        try:
            challenge = VerificationChallenge.objects.select_for_update().get(pk=uuid.UUID(str(challenge_id)))
        except (ValueError, VerificationChallenge.DoesNotExist):
            raise ChallengeExpired("no such verification challenge, or it is gone") from None
        now = timezone.now()
        if challenge.verified_at is not None:
            raise ChallengeUsed(f"verification challenge {challenge.pk} was verified already")
        if challenge.locked_at is not None:
            raise ChallengeLocked(f"verification challenge {challenge.pk} is locked: ask for a new code")
        if now >= challenge.expires_at:
            raise ChallengeExpired(f"verification challenge {challenge.pk} expired: ask for a new code")
        entered = "".join((code or "").split())  # "123 456" as a person may type it
        if hmac.compare_digest(challenge.code_hash, _code_hash(challenge.pk, entered)):
            challenge.verified_at = now
            challenge.save(update_fields=["verified_at"])
            logger.info("verification challenge %s verified", challenge.pk)
            return challenge
        challenge.attempts += 1
        fields = ["attempts"]
        refusal: VerificationError
        if challenge.attempts >= MAX_ATTEMPTS:
            challenge.locked_at = now
            fields.append("locked_at")
            refusal = ChallengeLocked(f"verification challenge {challenge.pk}: {MAX_ATTEMPTS} wrong codes, locked")
        else:
            left = MAX_ATTEMPTS - challenge.attempts
            refusal = WrongCode(f"verification challenge {challenge.pk}: wrong code", attempts_left=left)
        challenge.save(update_fields=fields)
    logger.info("verification challenge %s: wrong code (%s of %s)", challenge.pk, challenge.attempts, MAX_ATTEMPTS)
    raise refusal


# --- The background send ------------------------------------------------------------------------------------


def _claim(challenge_id: str, code: str) -> tuple[ContactPoint | None, str]:
    """Link the challenge to the contact point its identifier matches and store the new code's hash, once:
    (the contact point, "") when the code is to go, (None, why not) otherwise."""
    with transaction.atomic():
        challenge = VerificationChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        if challenge is None or challenge.sent_at is not None or challenge.is_over():
            return None, "over"  # erased, purged, sent already (the task ran twice), used, locked or expired
        contact = (
            ContactPoint.objects.select_related("subject")
            .filter(kind=challenge.kind, value_index=challenge.value_index)
            .first()
        )
        if contact is None:
            return None, "unknown"  # no message to a stranger
        challenge.contact_point = contact
        if contact.subject.restricted:
            challenge.save(update_fields=["contact_point"])
            return None, "restricted"
        challenge.code_hash = _code_hash(challenge.pk, code)
        challenge.sent_at = timezone.now()
        challenge.save(update_fields=["contact_point", "code_hash", "sent_at"])
        return contact, ""


def _email(contact: ContactPoint, *, code: str, language: str) -> None:
    minutes = int(CODE_LIFETIME.total_seconds() // 60)
    with translation.override(language):
        subject_line = _("Your verification code")
        body = _(
            "Your verification code is %(code)s.\n\n"
            "Enter it on our privacy page within %(minutes)s minutes to confirm that this e-mail address is "
            "yours. For your security, do not share this code.\n\n"
            "If you did not ask for a code, ignore this message: nothing happens without it."
        ) % {"code": code, "minutes": minutes}
    send_mail(subject_line, body, settings.DEFAULT_FROM_EMAIL, [contact.value])


def challenge_deliver(*, challenge_id: str) -> str:
    """Make the challenge's code and send it, if its identifier is a contact point we hold. Returns what
    happened: ``sent``, ``failed``, ``unknown``, ``restricted`` or ``over``."""
    code = f"{secrets.randbelow(10**6):06d}"
    contact, skipped = _claim(challenge_id, code)
    if contact is None:
        logger.info("verification challenge %s: no code sent (%s)", challenge_id, skipped)
        return skipped
    challenge = VerificationChallenge.objects.only("kind", "language").get(pk=challenge_id)
    try:
        if challenge.kind == ContactKind.WHATSAPP:
            status = conversation_services.message_send_code(
                contact_point=contact, code=code, language=challenge.language
            )
        else:
            _email(contact, code=code, language=challenge.language)
            status = "sent"
    except (DomainError, OSError) as exc:  # a refusal, or the mail server's (SMTPException is an OSError): its
        # text may name the recipient, so only its type is logged
        logger.warning("verification challenge %s: code not sent by %s (%s)", challenge_id, challenge.kind,
                       type(exc).__name__)  # fmt: skip
        return "failed"
    logger.info("verification challenge %s: code %s by %s", challenge_id, status, challenge.kind)
    return "sent" if status == "sent" else "failed"


@task()
def challenge_send(*, challenge_id: str) -> str:
    """The background send (Django's Tasks; a database worker in production): its argument is the challenge's
    id alone, never the code."""
    return challenge_deliver(challenge_id=challenge_id)
