"""Subject requests: received, verified, worked on, completed, rejected or withdrawn, within their legal clock.

Invariants:
- Every move goes through ``_move`` and the declared ``TRANSITIONS``; a move it does not list raises
  ``InvalidTransition`` and changes nothing. Each move is recorded with who and why (simple-history).
- The due date is computed once, on receipt, by ``consent.deadlines.deadline`` from the jurisdiction's
  ``request_answer``; an extension (GDPR only, with a ground, once) runs from receipt too
  (``request_answer_extended``), and only while the first deadline has not passed and the customer is told
  (``request_tell``): a customer we cannot reach cannot be told, so the extension is refused.
- While a request is open, the purge keeps the subject's data (``open_request_subjects``, beside the legal
  holds): an access request must find what there was when it was made.
- Fulfilment calls the services that do the work (``subject_erase``, ``subject_restrict``,
  ``consent_withdraw``); an erasure request tells the customer first, then erases. The request row outlives
  the erasure, pseudonymous (the subject's public id), as the proof it was answered.
- Nothing here logs a person: references and ids only.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from consent import services as consent_services
from consent.contacts import normalize_contact
from consent.deadlines import deadline
from consent.exceptions import DomainError, InvalidContactPoint, InvalidTransition
from consent.history import history_note, reason_required
from consent.jurisdictions import JURISDICTIONS
from consent.models import ContactKind, ContactPoint, Purpose, RestrictionGround, Subject
from consent.selectors import subject_get_by_contact
from retention.models import (
    TRANSITIONS,
    ExtensionGround,
    RejectionGround,
    RequestChannel,
    RequestKind,
    RequestState,
    SubjectRequest,
)
from retention.models.requests import OPEN_STATES
from retention.services.erasure import recipients_to_inform, subject_erase
from retention.services.request_notices import request_tell

if TYPE_CHECKING:
    from conversations.models import Message

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | None


class ExtensionRefused(DomainError, code="extension_refused", http_status=409):
    """The deadline cannot be extended: not under this law, not again, too late, or the customer cannot be told."""


class RequestIncomplete(DomainError, code="request_incomplete", http_status=409):
    """The request cannot be fulfilled as it stands (no subject, an unverified requester ...)."""


class ContactInvalid(RequestIncomplete, code="contact_invalid", http_status=400):
    """A rectification's corrected contact point is no e-mail address or WhatsApp number."""


class ContactTaken(RequestIncomplete, code="contact_taken"):
    """A rectification's corrected contact point is another subject's."""


def request_due(*, received_at: datetime, jurisdiction: str) -> datetime:
    """The legal deadline for the complete answer to a request received at ``received_at``."""
    return deadline(start=received_at, period=JURISDICTIONS[jurisdiction].request_answer, jurisdiction=jurisdiction)


@transaction.atomic
def request_receive(
    *, kind: str, channel: str, actor: Actor, subject: Subject | None = None, jurisdiction: str | None = None,
    purposes: Sequence[str] = (), verified: bool = False, now: datetime | None = None,
    source_message: "Message | None" = None,
) -> SubjectRequest:  # fmt: skip
    """Record a request. ``verified``: the requester's identity is proven by the channel it came through (the
    chat of the customer's own number, a one-time code on the self-service page). ``source_message``: the
    customer's chat message it was recorded from."""
    if kind not in RequestKind.values or channel not in RequestChannel.values:
        raise ValueError(f"unknown kind {kind!r} or channel {channel!r}")
    jurisdiction = jurisdiction or (subject.jurisdiction if subject is not None else None)
    if jurisdiction not in JURISDICTIONS:
        raise ValueError("a request needs its jurisdiction (the subject's, or given)")
    unknown = set(purposes) - set(Purpose.objects.filter(code__in=purposes).values_list("code", flat=True))
    if unknown:
        raise ValueError(f"no such purpose: {', '.join(sorted(unknown))}")
    received_at = now or timezone.now()
    request = SubjectRequest(
        kind=kind, channel=channel, subject=subject, subject_public_id=subject.public_id if subject else None,
        jurisdiction=jurisdiction, received_at=received_at,
        due_at=request_due(received_at=received_at, jurisdiction=jurisdiction), purposes=list(purposes),
        created_by=actor if actor is not None and actor.is_authenticated else None, source_message=source_message,
    )  # fmt: skip
    request.full_clean()
    history_note(request, actor=actor, reason=f"received through {channel}")
    request.save()
    logger.info("subject request %s received (%s, %s)", request.reference, kind, channel)
    if verified:
        request = request_verify(request=request, actor=actor, reason=f"verified by the channel ({channel})")
    return request


def _locked(request: SubjectRequest) -> SubjectRequest:
    return SubjectRequest.objects.select_for_update().get(pk=request.pk)


def _move(request: SubjectRequest, *, to: str, actor: Actor, reason: str, **fields: object) -> SubjectRequest:
    if to not in TRANSITIONS[request.state]:
        raise InvalidTransition(f"request {request.reference}: {request.state} -> {to} is not allowed")
    request.state = to
    for name, value in fields.items():
        setattr(request, name, value)
    if to not in OPEN_STATES:
        request.closed_at = timezone.now()
    history_note(request, actor=actor, reason=reason)
    request.save()
    return request


@transaction.atomic
def request_verification_start(*, request: SubjectRequest, actor: Actor, reason: str) -> SubjectRequest:
    """We asked the requester to prove who they are (a request by e-mail or phone): the clock shows it."""
    reason_required(reason, change="asking for verification")
    return _move(_locked(request), to=RequestState.VERIFYING, actor=actor, reason=reason)


@transaction.atomic
def request_verify(*, request: SubjectRequest, actor: Actor, reason: str) -> SubjectRequest:
    """The requester is who they say. Under the LGPD the simplified reply goes out at once (Art. 19 I): which
    categories of their data we hold."""
    reason_required(reason, change="verifying a request")
    request = _move(_locked(request), to=RequestState.VERIFIED, actor=actor, reason=reason,
                    verified_at=timezone.now())  # fmt: skip
    if request.jurisdiction == "LGPD" and request.subject is not None:
        if request_tell(request=request, notice="simplified_reply"):
            request.simplified_reply_at = timezone.now()
            request.save(update_fields=["simplified_reply_at"])
    return request


@transaction.atomic
def request_extend(
    *, request: SubjectRequest, ground: str, actor: Actor, now: datetime | None = None
) -> SubjectRequest:
    """Extend the deadline (GDPR Art. 12(3)): with a ground, once, before the first deadline, customer told."""
    request = _locked(request)
    rules = JURISDICTIONS[request.jurisdiction]
    now = now or timezone.now()
    if rules.request_answer_extended is None:
        raise ExtensionRefused(f"{request.jurisdiction} allows no extension of the deadline")
    if ground not in ExtensionGround.values:
        raise ExtensionRefused(f"an extension needs its ground: {', '.join(ExtensionGround.values)}")
    if request.extended_until is not None:
        raise ExtensionRefused(f"request {request.reference} was extended already")
    if not request.is_open or now > request.due_at:
        raise ExtensionRefused(f"request {request.reference}: the customer must be told within the first deadline")
    request.extended_until = deadline(start=request.received_at, period=rules.request_answer_extended,
                                      jurisdiction=request.jurisdiction)  # fmt: skip
    if request.subject is None or not request_tell(request=request, notice="extension", ground=ground):
        raise ExtensionRefused(
            f"request {request.reference}: the customer cannot be told now, so it cannot be extended"
        )
    request.extension_ground = ground
    request.extension_notified_at = now
    history_note(request, actor=actor, reason=f"extended: {ground}")
    request.save()
    return request


@transaction.atomic
def request_reject(*, request: SubjectRequest, ground: str, actor: Actor) -> SubjectRequest:
    """Refuse the request with its ground; the customer is told why and that they may complain."""
    if ground not in RejectionGround.values:
        raise ValueError(f"a rejection needs its ground: {', '.join(RejectionGround.values)}")
    request = _move(_locked(request), to=RequestState.REJECTED, actor=actor, reason=f"rejected: {ground}",
                    rejection_ground=ground)  # fmt: skip
    if request.subject is not None:
        request_tell(request=request, notice="rejected", ground=ground)
    return request


@transaction.atomic
def request_withdraw(*, request: SubjectRequest, actor: Actor, reason: str) -> SubjectRequest:
    """The customer no longer wants it."""
    reason_required(reason, change="withdrawing a request")
    return _move(_locked(request), to=RequestState.WITHDRAWN, actor=actor, reason=reason)


def request_fulfil(
    *, request: SubjectRequest, actor: Actor, restriction_ground: str = RestrictionGround.ACCURACY
) -> SubjectRequest:
    """Do what the request asks, through the services that do it, and complete it.

    Access and portability: ``request_export_prepare`` makes the export (the download offered to the customer
    and the DPO) and then completes the request here; without its export it is refused. Erasure: the customer is
    told first, then ``subject_erase``. Restriction: ``subject_restrict`` on ``restriction_ground`` (Art. 18(1)).
    Withdrawal: the purposes it names (all that need consent, without any) are withdrawn. Objection:
    ``subject_object`` for the purposes it names, which outbound then enforces. Rectification is refused here
    (``RequestIncomplete``): it needs the corrected values (``request_rectify``).
    """
    request = SubjectRequest.objects.get(pk=request.pk)
    if request.state not in (RequestState.VERIFIED, RequestState.IN_PROGRESS):
        raise RequestIncomplete(f"request {request.reference}: only a verified request is fulfilled ({request.state})")
    subject = request.subject
    if subject is None:
        raise RequestIncomplete(f"request {request.reference} names nobody we hold data about: reject it (no_data)")
    if request.kind in (RequestKind.ACCESS, RequestKind.PORTABILITY) and not request.exports.exists():
        raise RequestIncomplete(f"request {request.reference} is answered with its export "
                                "(request_export_prepare makes it, then completes the request)")  # fmt: skip
    if request.kind == RequestKind.RECTIFICATION:
        raise RequestIncomplete(f"request {request.reference}: a rectification is fulfilled with its corrections "
                                "(request_rectify)")  # fmt: skip
    why = f"request {request.reference}"
    if request.kind == RequestKind.ERASURE:
        request_tell(request=request, notice="erasure_done")  # first: afterwards nothing reaches them
        with transaction.atomic():
            request = _move(_locked(request), to=RequestState.COMPLETED, actor=actor, reason="fulfilled: erased",
                            recipients_informed=recipients_to_inform(subject))  # fmt: skip
            subject_erase(subject=subject, actor=actor, reason="subject_request", reference=why, trigger="request")
        return SubjectRequest.objects.get(pk=request.pk)
    with transaction.atomic():
        if request.kind == RequestKind.RESTRICTION:
            consent_services.subject_restrict(subject=subject, ground=restriction_ground, actor=actor,
                                              reason=why)  # fmt: skip
            request.recipients_informed = recipients_to_inform(subject)
        elif request.kind == RequestKind.WITHDRAWAL:
            for purpose in _purposes(request):
                consent_services.consent_withdraw(subject=subject, purpose=purpose, channel=_CHANNEL[request.channel],
                                                  actor=actor)  # fmt: skip
        elif request.kind == RequestKind.OBJECTION:
            consent_services.subject_object(
                subject=subject, purposes=list(Purpose.objects.filter(code__in=request.purposes)),
                channel=_CHANNEL[request.channel], actor=actor, reason=why, reference=request.reference,
            )  # fmt: skip
        request = _move(_locked(request), to=RequestState.COMPLETED, actor=actor, reason=f"fulfilled: {request.kind}",
                        recipients_informed=request.recipients_informed)  # fmt: skip
    request_tell(request=request, notice="completed")
    return request


# Where the customer asked, as the consent ledger names channels (its evidence of a withdrawal).
_CHANNEL = {RequestChannel.SELF_SERVICE: "web", RequestChannel.CHAT: "whatsapp", RequestChannel.EMAIL: "email",
            RequestChannel.PHONE: "admin"}  # fmt: skip


# The states in which a rectification is answered (``request_rectify``).
RECTIFIABLE_STATES = (RequestState.VERIFIED, RequestState.IN_PROGRESS)
# The contact points a rectification corrects: a web-chat visitor's id is ours, not the customer's data to correct.
RECTIFIABLE_CONTACTS = (ContactKind.EMAIL, ContactKind.WHATSAPP)


def request_rectify(
    *, request: SubjectRequest, actor: Actor, display_name: str | None = None, language: str | None = None,
    contacts: Mapping[str, str] | None = None,
) -> SubjectRequest:  # fmt: skip
    """Fulfil a rectification (GDPR Art. 16, LGPD Art. 18 III): the corrected name, language and contact points
    (``contacts``: an e-mail address or a WhatsApp number by kind, which replaces the one we hold or is added),
    each kept in its history with the request as the reason; then the customer is told (at the corrected
    address). All or nothing: a value that is no address or number, or that is another customer's, refuses
    the whole rectification (``RequestIncomplete``) and nothing changes. The WhatsApp number's conversations stay
    with the subject, as when Meta reports a number change."""
    contacts = {kind: value.strip() for kind, value in (contacts or {}).items() if value and value.strip()}
    if set(contacts) - set(RECTIFIABLE_CONTACTS):
        raise ValueError(f"only {', '.join(RECTIFIABLE_CONTACTS)} contact points are rectified")
    try:
        with transaction.atomic():
            request = _locked(request)
            if request.kind != RequestKind.RECTIFICATION or request.state not in RECTIFIABLE_STATES:
                raise RequestIncomplete(f"request {request.reference}: not a verified rectification ({request.state})")
            subject = request.subject
            if subject is None or (display_name is None and language is None and not contacts):
                raise RequestIncomplete(f"request {request.reference}: give the corrections")
            # As ingest and a number change lock it: a message arriving meanwhile finds one number or the other.
            list(Subject.objects.select_for_update().filter(pk=subject.pk).values_list("pk", flat=True))
            # Art. 19: those who received the data before it was corrected (a number added now reached nobody).
            recipients = recipients_to_inform(subject)
            why = f"rectified: request {request.reference}"
            consent_services.subject_update(subject=subject, display_name=display_name, language=language,
                                            actor=actor, reason=why)  # fmt: skip
            for kind, value in contacts.items():
                _contact_rectify(request, subject=subject, kind=kind, value=value, actor=actor, reason=why)
            request = _move(request, to=RequestState.COMPLETED, actor=actor, reason="fulfilled: rectified",
                            recipients_informed=recipients)  # fmt: skip
    except IntegrityError:  # another subject took the value between our check and the write?
        taken = [kind for kind, value in contacts.items() if _held_by_another(kind, value, request)]
        if not taken:
            raise
        raise ContactTaken(f"request {request.reference}: the corrected {', '.join(taken)} contact belongs to "
                           "another subject; merge or erase that one first") from None  # fmt: skip
    request_tell(request=request, notice="completed")
    return request


def _held_by_another(kind: str, value: str, request: SubjectRequest) -> bool:
    try:
        holder = subject_get_by_contact(kind=kind, value=normalize_contact(kind=kind, value=value).value)
    except InvalidContactPoint:
        return False
    return holder is not None and holder.pk != request.subject_id


def _contact_rectify(request: SubjectRequest, *, subject: Subject, kind: str, value: str, actor: Actor,
                     reason: str) -> None:  # fmt: skip
    try:
        normalized = normalize_contact(kind=kind, value=value)
    except InvalidContactPoint as exc:
        raise ContactInvalid(f"request {request.reference}: the corrected {kind} contact: {exc}") from None
    holder = subject_get_by_contact(kind=kind, value=normalized.value)
    if holder is not None and holder.pk != subject.pk:
        raise ContactTaken(f"request {request.reference}: the corrected {kind} contact belongs to another "
                           "subject; merge or erase that one first")  # fmt: skip
    if holder is not None:
        return  # already right
    current = ContactPoint.objects.select_for_update().filter(subject=subject, kind=kind).order_by("-pk").first()
    if current is None:
        consent_services.contact_point_add(subject=subject, kind=kind, value=normalized.value, actor=actor,
                                           reason=reason)  # fmt: skip
    else:
        consent_services.contact_point_change(contact_point=current, value=normalized.value, actor=actor,
                                              reason=reason)  # fmt: skip


def _purposes(request: SubjectRequest) -> Iterable[Purpose]:
    purposes = Purpose.objects.filter(active=True)
    if request.purposes:
        return purposes.filter(code__in=request.purposes)
    return [p for p in purposes if p.needs_consent]


def open_request_subjects() -> QuerySet:
    """The subjects an open request concerns: the purge keeps their data until it is answered."""
    return SubjectRequest.objects.filter(state__in=OPEN_STATES, subject__isnull=False).values_list(
        "subject_id", flat=True
    )
