"""Every write of the consent app: subjects, contact points, notices, the ledger.

Invariants:
- A subject always has a data key while it exists; personal fields are
  written only through ``consent.vault``.
- Every consent change is one ledger event plus the matching ``ConsentState``
  row, in one transaction, after the transition was checked against
  ``CONSENT_TRANSITIONS`` under the ledger lock.
- Errors name internal ids and codes, never personal data.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from consent import crypto, messages, vault
from consent.contacts import NormalizedContact, contact_index, normalize_contact
from consent.exceptions import (
    ConfirmationExpired,
    DoubleOptInRequired,
    InvalidEvidence,
    InvalidTransition,
    NoticeUnavailable,
    ReasonRequired,
)
from consent.history import history_note, reason_required
from consent.jurisdictions import JURISDICTIONS, LANGUAGES, jurisdiction_for_country, language_for_country
from consent.ledger import ledger_append
from consent.models import (
    AccessRecord,
    ConsentAction,
    ConsentEvent,
    ConsentState,
    ConsentStatus,
    ContactPoint,
    LedgerHead,
    LegalHold,
    Objection,
    PrivacyNotice,
    Purpose,
    RestrictionGround,
    Subject,
)
from consent.public_links import public_url
from consent.references import reference_problem
from consent.selectors import notice_current, subject_get_by_contact

Actor = AbstractBaseUser | None

# --- Subjects and contact points ------------------------------------------------------


@transaction.atomic
def subject_create(
    *,
    kind: str,
    value: str,
    display_name: str = "",
    language: str | None = None,
    actor: Actor,
    reason: str = "",
) -> Subject:
    return _subject_create(
        kind=kind, value=value, display_name=display_name, language=language, actor=actor, reason=reason
    )


def _subject_create(
    *, kind: str, value: str, display_name: str, language: str | None, actor: Actor, reason: str
) -> Subject:
    """The subject, its data key and its first contact point; ``subject.first_contact`` is that contact
    point (its ``subject`` is this instance, the data key already in hand). Runs in the caller's atomic."""
    normalized = normalize_contact(kind=kind, value=value)
    subject = Subject(
        country=normalized.country,
        jurisdiction=jurisdiction_for_country(normalized.country, default=settings.DEFAULT_JURISDICTION),
        language=language if language in LANGUAGES else language_for_country(normalized.country),
    )
    # The key exists before the row, so the name is encrypted into the first insert (no second write).
    vault.key_generate(subject=subject)
    subject.display_name = display_name
    history_note(subject, actor=actor, reason=reason or "subject created")
    # public_id is a fresh uuid4 and the database's unique constraint stands guard: no SELECT for it.
    subject.full_clean(validate_unique=False)
    subject.save()
    vault.key_create(subject=subject)
    contact = _contact_point_build(subject=subject, normalized=normalized)
    history_note(contact, actor=actor, reason=reason or "subject created")
    contact.save()
    subject.first_contact = contact
    return subject


def subject_get_or_create_by_contact(
    *,
    kind: str,
    value: str,
    display_name: str = "",
    language: str | None = None,
    actor: Actor,
    known_absent: bool = False,
) -> tuple[Subject, bool]:
    """The subject behind a contact value, created on first contact. Safe under concurrency.

    ``known_absent``: the caller looked the contact up in this transaction and found nothing.
    """
    existing = None if known_absent else subject_get_by_contact(kind=kind, value=value)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return _subject_create(
                kind=kind, value=value, display_name=display_name, language=language, actor=actor, reason=""
            ), True
    except IntegrityError:
        # Another request created the same contact point between our read and our insert.
        existing = subject_get_by_contact(kind=kind, value=value)
        if existing is None:
            raise
        return existing, False


CONTACT_PRECISION = timedelta(hours=12)


def subject_contact_seen(*, subjects: Iterable[Subject], at: datetime) -> int:
    """Record that these subjects wrote to us at ``at`` (the retention clock "last contact"). To the half day:
    a subject already seen that recently is not written again, so a busy conversation costs no write per
    message. No history row: a counter, not a change anyone audits. Returns how many were updated."""
    due = [s.pk for s in subjects if s.last_contact_at is None or s.last_contact_at < at - CONTACT_PRECISION]
    if not due:
        return 0
    for subject in subjects:
        if subject.pk in due:
            subject.last_contact_at = at
    return Subject.objects.filter(pk__in=due).update(last_contact_at=at)


@transaction.atomic
def subject_update(
    *,
    subject: Subject,
    display_name: str | None = None,
    language: str | None = None,
    actor: Actor,
    reason: str,
) -> Subject:
    fields: list[str] = []
    if display_name is not None:
        subject.display_name = display_name
        fields.append("display_name_enc")
    if language is not None:
        subject.language = language
        fields.append("language")
    if fields:
        subject.full_clean(exclude=["display_name_enc"])
        history_note(subject, actor=actor, reason=reason)
        subject.save(update_fields=[*fields, "updated_at"])
    return subject


@transaction.atomic
def subject_set_jurisdiction(*, subject: Subject, jurisdiction: str | None, actor: Actor, reason: str) -> Subject:
    """Override the regime derived from the country, or (``None``) go back to the derived one."""
    if jurisdiction is not None and jurisdiction not in JURISDICTIONS:
        raise InvalidTransition(f"unknown jurisdiction {jurisdiction!r}")
    if jurisdiction is None:
        subject.jurisdiction = jurisdiction_for_country(subject.country, default=settings.DEFAULT_JURISDICTION)
        subject.jurisdiction_overridden = False
    else:
        subject.jurisdiction = jurisdiction
        subject.jurisdiction_overridden = True
    history_note(subject, actor=actor, reason=reason)
    subject.save(update_fields=["jurisdiction", "jurisdiction_overridden", "updated_at"])
    return subject


@transaction.atomic
def subject_object(
    *, subject: Subject, purposes: Sequence[Purpose] = (), channel: str, actor: Actor, reason: str,
    reference: str = "",
) -> list[Objection]:  # fmt: skip
    """Record the subject's objection (GDPR Art. 21, LGPD Art. 18 §2): to ``purposes``, or, without any, to every
    purpose resting on legitimate interests and to direct marketing. Consent to the marketing purposes it covers
    is withdrawn in the same step (the objection to direct marketing is absolute, Art. 21(3)); outbound refuses
    what it covers from now on (``objection_covers``)."""
    reason_required(reason, change="an objection")
    if reference and (problem := reference_problem(reference)):
        raise InvalidEvidence(f"objection reference: {problem}")
    recorded = []
    for purpose in list(purposes) or [None]:
        objection, _ = Objection.objects.get_or_create(subject=subject, purpose=purpose,
                                                       defaults={"reference": reference})  # fmt: skip
        recorded.append(objection)
    marketing = [p for p in purposes if p.is_marketing] if purposes else Purpose.objects.filter(is_marketing=True)
    for purpose in marketing:
        consent_withdraw(subject=subject, purpose=purpose, channel=channel, actor=actor)
    return recorded


@transaction.atomic
def subject_restrict(*, subject: Subject, ground: str, actor: Actor, reason: str) -> Subject:
    """Restrict processing of ``subject``'s data (GDPR Art. 18, LGPD Art. 18 IV): from now on it is only stored,
    and nothing is sent to them. Restricting an already restricted subject changes only the ground."""
    if ground not in RestrictionGround.values:
        raise InvalidTransition(f"unknown restriction ground {ground!r}")
    reason_required(reason, change="a restriction")
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if subject.restriction == ground:
        return subject
    subject.restriction = ground
    subject.restricted_at = subject.restricted_at or timezone.now()
    history_note(subject, actor=actor, reason=reason)
    subject.save(update_fields=["restriction", "restricted_at", "updated_at"])
    return subject


def restriction_lift_check(*, customer_informed: bool) -> None:
    """GDPR Art. 18(3): the customer is told before a restriction is lifted, so the DPO confirms that.
    Raises ``InvalidTransition`` otherwise; forms call it to show the rule before anything is saved."""
    if not customer_informed:
        raise InvalidTransition("The customer must be informed before the restriction is lifted (GDPR Art. 18(3)).")


@transaction.atomic
def subject_restriction_lift(*, subject: Subject, actor: Actor, reason: str, customer_informed: bool) -> Subject:
    """Lift a restriction, once the customer has been told (``restriction_lift_check``)."""
    restriction_lift_check(customer_informed=customer_informed)
    reason_required(reason, change="lifting a restriction")
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if not subject.restriction:
        return subject
    subject.restriction = ""
    subject.restricted_at = None
    history_note(subject, actor=actor, reason=reason)
    subject.save(update_fields=["restriction", "restricted_at", "updated_at"])
    return subject


def _contact_point_build(*, subject: Subject, normalized: NormalizedContact) -> ContactPoint:
    contact = ContactPoint(
        subject=subject,
        kind=normalized.kind,
        value_index=contact_index(kind=normalized.kind, value=normalized.value),
        country=normalized.country,
    )
    contact.value = normalized.value  # encrypted, bound to the subject and the kind
    return contact


@transaction.atomic
def contact_point_add(*, subject: Subject, kind: str, value: str, actor: Actor, reason: str) -> ContactPoint:
    contact = _contact_point_build(subject=subject, normalized=normalize_contact(kind=kind, value=value))
    history_note(contact, actor=actor, reason=reason)
    contact.save()
    return contact


@transaction.atomic
def contact_point_change(*, contact_point: ContactPoint, value: str, actor: Actor, reason: str) -> ContactPoint:
    """A new value for the same contact point (a customer changed number): one subject, full history."""
    normalized = normalize_contact(kind=contact_point.kind, value=value)
    contact_point.value = normalized.value
    contact_point.value_index = contact_index(kind=normalized.kind, value=normalized.value)
    contact_point.country = normalized.country
    history_note(contact_point, actor=actor, reason=reason)
    contact_point.save(update_fields=["value_enc", "value_index", "country", "updated_at"])
    return contact_point


# --- Purposes ----------------------------------------------------------------------------


@transaction.atomic
def purpose_create(
    *,
    code: str,
    name: dict[str, str],
    description: dict[str, str],
    legal_bases: dict[str, str],
    special_category: bool = False,
    special_conditions: dict[str, str] | None = None,
    balancing_note: str = "",
    legitimate_interest: dict[str, str] | None = None,
    is_marketing: bool = False,
    requires_double_opt_in: bool = False,
    keywords: dict[str, list[str]] | None = None,
    actor: Actor,
) -> Purpose:
    """A new purpose; ``Purpose.clean`` refuses one without a valid basis in every jurisdiction."""
    purpose = Purpose(
        code=code,
        name=name,
        description=description,
        legal_bases=legal_bases,
        special_category=special_category,
        special_conditions=special_conditions or {},
        balancing_note=balancing_note,
        legitimate_interest=legitimate_interest or {},
        is_marketing=is_marketing,
        requires_double_opt_in=requires_double_opt_in,
        keywords=keywords or {},
    )
    history_note(purpose, actor=actor, reason="purpose created")
    purpose.save()
    return purpose


@transaction.atomic
def purpose_update(*, purpose: Purpose, actor: Actor, reason: str = "") -> Purpose:
    """Save edits made to a purpose (admin form); the same validation as creation applies."""
    if purpose.pk is None:
        raise InvalidTransition("purpose_update needs a saved purpose; use purpose_create")
    stored_code = Purpose.objects.filter(pk=purpose.pk).values_list("code", flat=True).get()
    if stored_code != purpose.code:
        raise InvalidTransition(f"purpose #{purpose.pk}: the code is referenced by the ledger and cannot change")
    history_note(purpose, actor=actor, reason=reason or "purpose edited")
    purpose.save()
    return purpose


# --- Privacy notices ---------------------------------------------------------------------


@transaction.atomic
def notice_create(*, language: str, jurisdiction: str, title: str, text: str, actor: Actor) -> PrivacyNotice:
    last = (
        PrivacyNotice.objects.select_for_update()
        .filter(language=language, jurisdiction=jurisdiction)
        .order_by("-version")
        .first()
    )
    notice = PrivacyNotice(
        language=language, jurisdiction=jurisdiction, version=(last.version + 1 if last else 1), title=title, text=text
    )
    notice.full_clean(exclude=["content_hash"])
    history_note(notice, actor=actor, reason="draft created")
    notice.save()
    return notice


@transaction.atomic
def notice_update(*, notice: PrivacyNotice, title: str, text: str, actor: Actor) -> PrivacyNotice:
    """Edit a draft. A published notice refuses (``ImmutableRecord``): publish a new version instead."""
    notice.title, notice.text = title, text
    notice.full_clean(exclude=["content_hash"])
    history_note(notice, actor=actor, reason="draft edited")
    notice.save(update_fields=["title", "text", "content_hash"])
    return notice


@transaction.atomic
def notice_publish(*, notice: PrivacyNotice, actor: Actor) -> PrivacyNotice:
    if notice.is_published:
        return notice
    notice.published_at = timezone.now()
    history_note(notice, actor=actor, reason="published")
    notice.save(update_fields=["published_at", "content_hash"])
    return notice


@transaction.atomic
def notice_delete(*, notice: PrivacyNotice, actor: Actor) -> None:
    """Delete a draft. A published notice refuses (``ImmutableRecord``): it is evidence of what was shown."""
    history_note(notice, actor=actor, reason="draft deleted")
    notice.delete()


def notice_url(notice: PrivacyNotice) -> str:
    """Where a customer reads this notice version: ``PRIVACY_NOTICE_PATH`` under ``PUBLIC_BASE_URL``."""
    return public_url(settings.PRIVACY_NOTICE_PATH.format(notice_id=notice.pk))


# --- The consent ledger ----------------------------------------------------------------

# Which actions each state allows, and the state each action leads to.
CONSENT_TRANSITIONS: dict[str, frozenset[str]] = {
    ConsentStatus.NONE: frozenset({ConsentAction.REQUESTED, ConsentAction.GRANTED, ConsentAction.WITHDRAWN}),
    ConsentStatus.PENDING: frozenset(
        {ConsentAction.REQUESTED, ConsentAction.CONFIRMED, ConsentAction.WITHDRAWN, ConsentAction.EXPIRED}
    ),
    ConsentStatus.GRANTED: frozenset({ConsentAction.GRANTED, ConsentAction.WITHDRAWN, ConsentAction.EXPIRED}),
    ConsentStatus.WITHDRAWN: frozenset({ConsentAction.REQUESTED, ConsentAction.GRANTED}),
    ConsentStatus.EXPIRED: frozenset({ConsentAction.REQUESTED, ConsentAction.GRANTED, ConsentAction.WITHDRAWN}),
}
ACTION_RESULT: dict[str, str] = {
    ConsentAction.REQUESTED: ConsentStatus.PENDING,
    ConsentAction.GRANTED: ConsentStatus.GRANTED,
    ConsentAction.CONFIRMED: ConsentStatus.GRANTED,
    ConsentAction.WITHDRAWN: ConsentStatus.WITHDRAWN,
    ConsentAction.EXPIRED: ConsentStatus.EXPIRED,
}

_EVIDENCE_MAX = 200


@dataclass(frozen=True, slots=True)
class Evidence:
    """Proof of how consent was given or withdrawn. Never the message text itself."""

    inbound_message_id: str = ""  # hashed before it is recorded (a WhatsApp id encodes the phone number)
    keyword: str = ""
    form: str = ""
    ip: str = ""  # hashed before it is recorded
    reference: str = ""  # e.g. a ticket number a staff member recorded it under

    def as_record(self) -> dict[str, str]:
        record = {
            "inbound_message_hash": crypto.evidence_hash(self.inbound_message_id) if self.inbound_message_id else "",
            "keyword": self.keyword,
            "form": self.form,
            "ip_hash": crypto.ip_hash(self.ip) if self.ip else "",
            "reference": self.reference.strip(),
        }
        for key, value in record.items():
            if not isinstance(value, str) or len(value) > _EVIDENCE_MAX or not value.isprintable():
                raise InvalidEvidence(
                    f"evidence field {key} must be printable text of at most {_EVIDENCE_MAX} characters"
                )
        # Typed by staff and kept readable in the ledger for years (after an erasure too): a number, not prose.
        if self.reference and (problem := reference_problem(self.reference.strip())):
            raise InvalidEvidence(f"evidence reference: {problem}")
        return {key: value for key, value in record.items() if value}


@dataclass(frozen=True, slots=True)
class ConsentChange:
    event: ConsentEvent | None  # None when nothing changed (a repeated withdrawal)
    status: str
    message: str = ""  # what to send to the subject, in their language
    changed: bool = field(default=True)


def _told(template: dict[str, str], subject: Subject, purpose: Purpose, **values: str) -> str:
    """What the subject is told, in their language, about ``purpose``."""
    return messages.render(template, subject.language, purpose=purpose.localized("name", subject.language), **values)


def _current(subject: Subject, purpose: Purpose) -> ConsentState | None:
    return ConsentState.objects.select_for_update().filter(subject=subject, purpose=purpose).first()


def _resolve_notice(subject: Subject, notice: PrivacyNotice | None) -> PrivacyNotice:
    if notice is None:
        notice = notice_current(language=subject.language, jurisdiction=subject.jurisdiction)
        if notice is None:
            raise NoticeUnavailable(
                f"no published privacy notice for {subject.jurisdiction}/{subject.language}: publish one first"
            )
    if not notice.is_published:
        raise NoticeUnavailable(f"privacy notice #{notice.pk} is not published")
    if notice.jurisdiction != subject.jurisdiction:
        raise NoticeUnavailable(f"privacy notice #{notice.pk} is for {notice.jurisdiction}, not {subject.jurisdiction}")
    return notice


def _record(
    subject: Subject,
    purpose: Purpose,
    action: str,
    *,
    channel: str = "system",
    evidence: Evidence | None = None,
    notice: PrivacyNotice | None = None,
    actor: Actor = None,
) -> ConsentChange:
    # Lock the ledger head first: it serialises every consent change, so the
    # state read below cannot go stale before the event is appended.
    LedgerHead.objects.select_for_update().get_or_create(id=1)
    state = _current(subject, purpose)
    status = state.status if state else ConsentStatus.NONE
    if action not in CONSENT_TRANSITIONS[status]:
        raise InvalidTransition(f"consent for purpose {purpose.code} is {status}; cannot record {action}")
    record = (evidence or Evidence()).as_record()
    event = ledger_append(
        subject_ref=str(subject.public_id),
        purpose_id=purpose.pk,
        action=action,
        channel=channel,
        evidence=record,
        notice_id=notice.pk if notice else None,
        notice_hash=notice.content_hash if notice else None,
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
    )
    new_status = ACTION_RESULT[action]
    keep_notice = notice or (state.notice if state and new_status == ConsentStatus.GRANTED else None)
    if state is None:
        ConsentState.objects.create(
            subject=subject,
            purpose=purpose,
            status=new_status,
            last_event=event,
            notice=keep_notice,
            changed_at=event.created_at,
        )
    else:
        state.status, state.last_event, state.notice, state.changed_at = (
            new_status,
            event,
            keep_notice,
            event.created_at,
        )
        state.save(update_fields=["status", "last_event", "notice", "changed_at"])
    return ConsentChange(event=event, status=new_status)


@transaction.atomic
def consent_request(
    *,
    subject: Subject,
    purpose: Purpose,
    channel: str,
    notice: PrivacyNotice | None = None,
    evidence: Evidence | None = None,
    actor: Actor = None,
) -> ConsentChange:
    """Start double opt-in. Returns the confirmation message to send to the subject."""
    notice = _resolve_notice(subject, notice)
    change = _record(
        subject, purpose, ConsentAction.REQUESTED, channel=channel, evidence=evidence, notice=notice, actor=actor
    )
    text = _told(messages.CONFIRMATION_REQUEST, subject, purpose, notice=notice_url(notice))
    return ConsentChange(event=change.event, status=change.status, message=text)


def consent_confirm(
    *,
    subject: Subject,
    purpose: Purpose,
    channel: str,
    evidence: Evidence | None = None,
    actor: Actor = None,
) -> ConsentChange:
    """Complete a pending double opt-in; an expired request is closed (and stays closed) and refused."""
    with transaction.atomic():
        LedgerHead.objects.select_for_update().get_or_create(id=1)
        state = _current(subject, purpose)
        if state is None or state.status != ConsentStatus.PENDING:
            raise InvalidTransition(f"no pending request for purpose {purpose.code} to confirm")
        window = timedelta(hours=settings.CONSENT_CONFIRMATION_HOURS)
        expired = state.changed_at + window < timezone.now()
        if expired:
            _record(subject, purpose, ConsentAction.EXPIRED)
        else:
            # The notice is the version shown when the request was made.
            change = _record(
                subject, purpose, ConsentAction.CONFIRMED, channel=channel, evidence=evidence, notice=state.notice,
                actor=actor,
            )  # fmt: skip
    if expired:
        # Raised after the commit: the expiry is recorded even though the confirmation is refused.
        raise ConfirmationExpired(f"the request for purpose {purpose.code} expired; request again")
    text = _told(messages.GRANT_CONFIRMED, subject, purpose)
    return ConsentChange(event=change.event, status=change.status, message=text)


@transaction.atomic
def consent_grant(
    *,
    subject: Subject,
    purpose: Purpose,
    channel: str,
    notice: PrivacyNotice | None = None,
    evidence: Evidence | None = None,
    actor: Actor = None,
) -> ConsentChange:
    """Single-step consent (e.g. the web-chat checkbox). Refused where the purpose needs double opt-in.

    Recorded by a staff member (``actor``) for what the customer said elsewhere, the evidence must say where
    (``reference``: the ticket, the call): the customer's own click or message is evidence in itself."""
    if purpose.requires_double_opt_in:
        raise DoubleOptInRequired(f"purpose {purpose.code} requires double opt-in: request and confirm it")
    if actor is not None and actor.is_authenticated and not (evidence and evidence.reference.strip()):
        raise InvalidEvidence("consent recorded by staff needs a reference: where the customer gave it")
    notice = _resolve_notice(subject, notice)
    change = _record(
        subject, purpose, ConsentAction.GRANTED, channel=channel, evidence=evidence, notice=notice, actor=actor
    )
    text = _told(messages.GRANT_CONFIRMED, subject, purpose)
    return ConsentChange(event=change.event, status=change.status, message=text)


@transaction.atomic
def consent_withdraw(
    *,
    subject: Subject,
    purpose: Purpose,
    channel: str,
    evidence: Evidence | None = None,
    actor: Actor = None,
) -> ConsentChange:
    """Withdraw in one step, from any channel, whatever the state. Repeating it changes nothing."""
    LedgerHead.objects.select_for_update().get_or_create(id=1)
    state = _current(subject, purpose)
    text = _told(messages.WITHDRAWAL_CONFIRMED, subject, purpose)
    if state is not None and state.status == ConsentStatus.WITHDRAWN:
        return ConsentChange(event=None, status=state.status, message=text, changed=False)
    change = _record(subject, purpose, ConsentAction.WITHDRAWN, channel=channel, evidence=evidence, actor=actor)
    return ConsentChange(event=change.event, status=change.status, message=text)


@transaction.atomic
def consent_withdraw_marketing(
    *, subject: Subject, channel: str, evidence: Evidence | None = None, actor: Actor = None
) -> list[ConsentChange]:
    """What STOP means: every marketing purpose, withdrawn in one go."""
    return [
        consent_withdraw(subject=subject, purpose=purpose, channel=channel, evidence=evidence, actor=actor)
        for purpose in Purpose.objects.filter(is_marketing=True).order_by("pk")
    ]


def consent_expire_pending(*, batch_size: int = 500) -> int:
    """Close double opt-in requests nobody confirmed in time. Idempotent, batched."""
    cutoff = timezone.now() - timedelta(hours=settings.CONSENT_CONFIRMATION_HOURS)
    expired = 0
    while True:
        batch = list(
            ConsentState.objects.filter(status=ConsentStatus.PENDING, changed_at__lt=cutoff)
            .select_related("subject", "purpose")
            .order_by("pk")[:batch_size]
        )
        if not batch:
            return expired
        for state in batch:
            with transaction.atomic():
                try:
                    _record(state.subject, state.purpose, ConsentAction.EXPIRED)
                except InvalidTransition:
                    continue  # confirmed or withdrawn meanwhile
                expired += 1


# --- Legal holds ---------------------------------------------------------------------------


@transaction.atomic
def legal_hold_place(
    *,
    subject: Subject,
    reason: str,
    actor: Actor,
    conversation_id: int | None = None,
    until: date | None = None,
) -> LegalHold:
    """Stop the purge and the erasure of the subject's data (or of one conversation) until released or ``until``."""
    reason_required(reason, change="a legal hold")
    if until is not None and until < timezone.localdate():
        raise InvalidTransition("a legal hold cannot end in the past")
    hold = LegalHold(subject=subject, conversation_id=conversation_id, until=until, placed_by=actor)
    hold.reason = reason.strip()[:1000]
    history_note(hold, actor=actor, reason="placed")
    hold.save(force_insert=True)
    return hold


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, actor: Actor, reason: str) -> LegalHold:
    reason_required(reason, change="releasing a legal hold")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is None:
        hold.released_at, hold.released_by = timezone.now(), actor
        history_note(hold, actor=actor, reason=reason)
        hold.save(update_fields=["released_at", "released_by"])
    return hold


ACCESS_REASON_MIN_CHARS = 8


def access_record(
    *, subject: Subject, actor: AbstractBaseUser, action: str, object_ref: str, reason: str
) -> AccessRecord:
    """Log staff access to personal data beyond the default view. Refuses without a real reason."""
    reason = " ".join(reason.split())
    if len(reason) < ACCESS_REASON_MIN_CHARS:
        raise ReasonRequired(f"{action} on {object_ref}: a reason of {ACCESS_REASON_MIN_CHARS}+ characters is required")
    record = AccessRecord(
        subject=subject,
        subject_public_id=subject.public_id,
        actor=actor,
        actor_username=actor.get_username()[:150],
        action=action[:64],
        object_ref=object_ref[:100],
    )
    record.reason = reason[:1000]
    record.save(force_insert=True)
    return record
