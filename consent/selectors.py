"""Reads of the consent app. ``consent_state`` is on the hot path of every outbound message."""

from django.db.models import QuerySet

from consent.contacts import contact_index, normalize_contact
from consent.models import ConsentEvent, ConsentState, ConsentStatus, ContactPoint, PrivacyNotice, Purpose, Subject


def consent_state(*, subject: Subject | int, purpose: Purpose | str) -> str:
    """The current consent status of a subject for a purpose: one indexed lookup."""
    subject_id = subject.pk if isinstance(subject, Subject) else subject
    rows = ConsentState.objects.filter(subject_id=subject_id)
    rows = rows.filter(purpose_id=purpose.pk) if isinstance(purpose, Purpose) else rows.filter(purpose__code=purpose)
    for status in rows.values_list("status", flat=True)[:1]:
        return status
    return ConsentStatus.NONE


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


def subject_get_by_contact(*, kind: str, value: str) -> Subject | None:
    normalized = normalize_contact(kind=kind, value=value)
    contact = (
        ContactPoint.objects.select_related("subject")
        .filter(kind=normalized.kind, value_index=contact_index(kind=normalized.kind, value=normalized.value))
        .first()
    )
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


def purpose_list(*, active_only: bool = True) -> QuerySet[Purpose]:
    purposes = Purpose.objects.all()
    return purposes.filter(active=True) if active_only else purposes
