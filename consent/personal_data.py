"""Where the consent app keeps personal data (DESIGN decision 3; the type is ``consent.declarations``).

Subjects, their contact points and keys go when the subject is erased. Consent events stay, pseudonymous, as the
proof that consent was given or withdrawn (GDPR Art. 7(1) and 17(3)(e), LGPD Art. 8 §2 and 16 I); the staff access
log stays, pseudonymous, as the proof of who looked at what (GDPR Art. 5(2) and 32).
"""

import uuid

from django.db.models import Q

from consent.declarations import Category, Clock, Erasure, PersonalData, at, staff_role
from consent.encrypted import or_erased
from consent.selectors import legal_hold_ended

ANONYMOUS = uuid.UUID(int=0)  # the public id of nobody: an anonymised access record points here


def _subject(subject) -> dict:
    return {
        "public_id": str(subject.public_id),
        "name": or_erased(lambda: subject.display_name, ""),
        "language": subject.language,
        "jurisdiction": subject.jurisdiction,
        "country": subject.country,
        "restriction_of_processing": subject.restriction or None,
        "restricted_since": at(subject.restricted_at),
        "first_contact": at(subject.created_at),
    }


def _contact_point(contact) -> dict:
    return {
        "kind": contact.kind,
        "value": or_erased(lambda: contact.value, ""),
        "country": contact.country,
        "verified_at": at(contact.verified_at),
        "since": at(contact.created_at),
    }


def _consent_event(event) -> dict:
    notice = event.notice
    return {
        "seq": event.seq,
        "at": at(event.created_at),
        "purpose": event.purpose.code,
        "action": event.action,
        "channel": event.channel,
        "evidence": event.evidence,
        "notice": {"id": notice.pk, "version": notice.version, "language": notice.language,
                   "jurisdiction": notice.jurisdiction, "sha256": notice.content_hash} if notice else None,
        "recorded_by": staff_role(event.actor_id) if event.actor_id else "you or the system",
        "sha256": event.hash,
    }  # fmt: skip


def _consent_state(state) -> dict:
    return {"purpose": state.purpose.code, "status": state.status, "since": at(state.changed_at)}


def _access(record) -> dict:
    return {
        "at": at(record.created_at),
        "by": staff_role(record.actor_id) if record.actor_id else "staff",
        "action": record.action,
        "what": record.object_ref,
        "reason": or_erased(lambda: record.reason, ""),
    }


def _hold(hold) -> dict:
    return {"placed_at": at(hold.placed_at), "until": hold.until.isoformat() if hold.until else None,
            "released_at": at(hold.released_at), "reason": or_erased(lambda: hold.reason, "")}  # fmt: skip


def _objection(objection) -> dict:
    return {"purpose": objection.purpose.code if objection.purpose_id else None, "since": at(objection.created_at),
            "request": objection.reference or None}  # fmt: skip


PERSONAL_DATA = [
    PersonalData(
        "consent.Subject",
        Category.IDENTITY,
        subject="pk",
        export=_subject,
        history=True,
        history_subject="id",
    ),
    PersonalData(
        "consent.ContactPoint",
        Category.CONTACT_POINTS,
        subject="subject",
        export=_contact_point,
        history=True,
    ),
    # The wrapped key: destroyed first on erasure (crypto-shredding), never exported.
    PersonalData("consent.DataKey", Category.IDENTITY, subject="subject"),
    PersonalData(
        "consent.ConsentEvent",
        Category.CONSENT_EVIDENCE,
        subject="subject__pk",
        export=_consent_event,
        erasure=Erasure.KEEP_PSEUDONYMOUS,
        kept_because="proof that consent was given or withdrawn (GDPR Art. 7(1), 17(3)(e); LGPD Art. 8 §2, 16 I)",
    ),
    PersonalData(
        "consent.ConsentState",
        Category.CONSENT_EVIDENCE,
        subject="subject",
        export=_consent_state,
        # The consent's end, or, for "last contact", the later of its end and the person's last message to us
        # (someone who still writes to us may still ask what they agreed to; ``Subject.last_contact_at`` outlives
        # the conversations, which go long before).
        clocks={
            Clock.CONSENT_WITHDRAWN: "changed_at",
            Clock.LAST_CONTACT: lambda cutoff: (
                Q(changed_at__lt=cutoff)
                & (Q(subject__last_contact_at__isnull=True) | Q(subject__last_contact_at__lt=cutoff))
            ),
        },
        purgeable={"status__in": ["withdrawn", "expired", "none"]},  # consent in force is never purged
    ),
    PersonalData(
        "consent.AccessRecord",
        Category.ACCESS_LOG,
        subject="subject",
        export=_access,
        erasure=Erasure.KEEP_PSEUDONYMOUS,
        clocks={Clock.COLLECTED: "created_at"},
        kept_because="proof of who of our staff looked at what, and why (GDPR Art. 5(2), 32; LGPD Art. 6 X, 46)",
        # Anonymised: who of our staff looked, how and when stays; at whom (the link, the public id, the row looked
        # at, which leads back to them while it exists) and why (the reason, which may name the customer) go.
        anonymise={"subject": None, "subject_public_id": ANONYMOUS, "object_ref": "", "reason_enc": b""},
    ),
    PersonalData(
        "consent.LegalHold",
        Category.LEGAL_HOLDS,
        subject="subject",
        export=_hold,
        history=True,
        # Never while it stands, and kept for the rule's period after it ended (released, or its end date
        # passed), as the evidence of why data was kept longer: the period counts from its end, not from when
        # it was placed (which came first). One definition of standing: consent.selectors.legal_hold_stands.
        clocks={Clock.HOLD_ENDED: lambda cutoff: legal_hold_ended(before=cutoff)},
    ),
    # An objection lasts as long as the subject: it is what keeps them from being contacted again.
    PersonalData("consent.Objection", Category.CONSENT_EVIDENCE, subject="subject", export=_objection),
]
