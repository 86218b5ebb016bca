"""Reads of the consent app. ``consent_state`` is on the hot path of every outbound message."""

from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from consent.contacts import contact_index, normalize_contact
from consent.jurisdictions import JURISDICTIONS
from consent.models import (
    ConsentEvent,
    ConsentState,
    ConsentStatus,
    ContactPoint,
    LegalHold,
    Objection,
    PrivacyNotice,
    Purpose,
    Subject,
)
from consent.process_cache import ProcessCache

_STATE = ConsentState._meta.db_table
_PURPOSE = Purpose._meta.db_table
# Hot path (every outbound message asks): plain SQL on the unique
# (subject, purpose) index. Measured in bench/consent_state.py, building the
# equivalent ORM queryset cost three to four times what PostgreSQL spends.
_STATE_BY_PURPOSE_ID = f"SELECT status FROM {_STATE} WHERE subject_id = %s AND purpose_id = %s"  # noqa: S608
_STATE_BY_PURPOSE_CODE = (
    f"SELECT s.status FROM {_STATE} s JOIN {_PURPOSE} p ON p.id = s.purpose_id "  # noqa: S608
    "WHERE s.subject_id = %s AND p.code = %s"
)


def consent_state(*, subject: Subject | int, purpose: Purpose | str) -> str:
    """The current consent status of a subject for a purpose: one indexed lookup."""
    subject_id = subject.pk if isinstance(subject, Subject) else subject
    if isinstance(purpose, Purpose):
        sql, params = _STATE_BY_PURPOSE_ID, (subject_id, purpose.pk)
    else:
        sql, params = _STATE_BY_PURPOSE_CODE, (subject_id, purpose)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else ConsentStatus.NONE


def consent_has(*, subject: Subject | int, purpose: Purpose | str) -> bool:
    return consent_state(subject=subject, purpose=purpose) == ConsentStatus.GRANTED


def consent_state_list(*, subject: Subject) -> list[dict]:
    """Every active purpose with the subject's status for it (``none`` where nothing was recorded)."""
    states = {
        s.purpose_id: s for s in ConsentState.objects.filter(subject=subject).select_related("notice", "last_event")
    }
    result = []
    for purpose in Purpose.objects.filter(active=True).order_by("code"):
        state = states.get(purpose.pk)
        result.append(
            {
                "purpose": purpose,
                "status": state.status if state else ConsentStatus.NONE,
                "changed_at": state.changed_at if state else None,
                "notice": state.notice if state else None,
                "last_event": state.last_event if state else None,
            }
        )
    return result


def consent_history(*, subject: Subject) -> QuerySet[ConsentEvent]:
    return ConsentEvent.objects.filter(subject_id=subject.public_id).select_related("purpose", "notice").order_by("seq")


def contact_point_get(*, kind: str, value: str) -> ContactPoint | None:
    """The contact point for a value, with its subject and the subject's wrapped key: one query."""
    normalized = normalize_contact(kind=kind, value=value)
    return (
        ContactPoint.objects.select_related("subject__data_key")
        .filter(kind=normalized.kind, value_index=contact_index(kind=normalized.kind, value=normalized.value))
        .first()
    )


def subject_get_by_contact(*, kind: str, value: str) -> Subject | None:
    contact = contact_point_get(kind=kind, value=value)
    return contact.subject if contact else None


def notice_current(*, language: str, jurisdiction: str) -> PrivacyNotice | None:
    """The newest published notice for this language and regime, else the English one."""
    for lang in dict.fromkeys([language, "en"]):
        notice = (
            PrivacyNotice.objects.filter(language=lang, jurisdiction=jurisdiction, published_at__isnull=False)
            .order_by("-version")
            .first()
        )
        if notice is not None:
            return notice
    return None


def subject_get(*, public_id: str) -> Subject | None:
    return Subject.objects.filter(public_id=public_id).first()


def purpose_get(*, code: str, active_only: bool = True) -> Purpose | None:
    return purpose_list(active_only=active_only).filter(code=code).first()


def notice_get(*, notice_id: int, published_only: bool = False) -> PrivacyNotice | None:
    notices = PrivacyNotice.objects.filter(pk=notice_id)
    return (notices.filter(published_at__isnull=False) if published_only else notices).first()


def legal_hold_stands(*, at: datetime | None = None) -> Q:
    """The one definition of a legal hold that stands, as a filter on ``LegalHold``: at ``at`` (now) it was not
    yet released, and it has no end date or one not passed. A hold covers its ``until`` day whole, in the
    project's time zone: ``until`` = today still stands, ``until`` = yesterday no longer does.

    Every reader asks this: the purge (what it keeps back), its left-with-nothing (who is not erased), the
    erasure (which it refuses) and the hold's own purgeability (``legal_hold_ended``, its complement)."""
    at = at or timezone.now()
    return (Q(released_at__isnull=True) | Q(released_at__gt=at)) & (
        Q(until__isnull=True) | Q(until__gte=timezone.localdate(at))
    )


def legal_hold_ended(*, before: datetime) -> Q:
    """Holds that no longer stood at ``before``: released by then, or their end date passed (exactly the holds
    ``legal_hold_stands(at=before)`` leaves out). The purge keeps a hold's record for its category's period
    counted from here: the evidence of why data was kept longer outlives the hold by that period."""
    return Q(released_at__lte=before) | Q(until__lt=timezone.localdate(before))


def legal_holds_standing(*, subject: Subject | int) -> QuerySet[LegalHold]:
    """The holds that stand for a subject now (``legal_hold_stands``)."""
    subject_id = subject.pk if isinstance(subject, Subject) else subject
    return LegalHold.objects.filter(legal_hold_stands(), subject_id=subject_id)


def purpose_list(*, active_only: bool = True) -> QuerySet[Purpose]:
    purposes = Purpose.objects.all()
    return purposes.filter(active=True) if active_only else purposes


def _marketing_keywords_load() -> dict[str, list[str]]:
    extra: dict[str, list[str]] = {}
    for keywords in Purpose.objects.filter(is_marketing=True, active=True).values_list("keywords", flat=True):
        for intent, words in (keywords or {}).items():
            extra.setdefault(intent, []).extend(words)
    return extra


# Read on every inbound text: kept per process for a minute, dropped at once when a purpose is saved here.
MARKETING_KEYWORDS = ProcessCache(_marketing_keywords_load, ttl=60.0)


def marketing_keywords() -> dict[str, list[str]]:
    """Extra consent keywords of the active marketing purposes, by intent."""
    return MARKETING_KEYWORDS.get()


def objection_covers(*, subject: Subject, purpose: Purpose) -> bool:
    """Whether the subject's objection covers processing for ``purpose``: one to it by name, or one to every
    purpose when it rests on legitimate interests in the subject's jurisdiction or is direct marketing."""
    objections = Objection.objects.filter(subject=subject)
    if objections.filter(purpose=purpose).exists():
        return True
    if not objections.filter(purpose__isnull=True).exists():
        return False
    basis = JURISDICTIONS[subject.jurisdiction].basis(purpose.basis_for(subject.jurisdiction))
    return purpose.is_marketing or (basis is not None and basis.is_legitimate_interest)
