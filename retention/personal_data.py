"""Where the retention app keeps personal data (DESIGN decision 3; the type is ``consent.declarations``).

Subject requests name their subject by key, and by public id once the subject is erased: the request that led
to an erasure stays, pseudonymous, as the proof it was answered (GDPR Art. 5(2), 12; LGPD Art. 18, 19), until
its retention rule ("request closed", three years) removes it.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from consent.declarations import Category, Clock, Erasure, PersonalData, at
from retention.models.requests import CLOSED_STATES


def _request(request) -> dict:
    return {
        "reference": request.reference,
        "kind": request.kind,
        "channel": request.channel,
        "state": request.state,
        "received_at": at(request.received_at),
        "due_at": at(request.deadline),
        "closed_at": at(request.closed_at),
        "rejection_ground": request.rejection_ground or None,
    }


def _challenge(challenge) -> dict:
    # What the person asked for and how it went; never the code's hash, the identifier's or the address's.
    return {
        "channel": challenge.kind,
        "asked_at": at(challenge.created_at),
        "expires_at": at(challenge.expires_at),
        "sent_at": at(challenge.sent_at),
        "wrong_codes": challenge.attempts,
        "locked_at": at(challenge.locked_at),
        "verified_at": at(challenge.verified_at),
    }


PERSONAL_DATA = [
    PersonalData(
        "retention.SubjectRequest",
        Category.SUBJECT_REQUESTS,
        subject="subject",
        export=_request,
        history=True,
        erasure=Erasure.KEEP_PSEUDONYMOUS,
        kept_because="proof that the request was answered, and how (GDPR Art. 5(2), 12; LGPD Art. 18, 19)",
        clocks={Clock.REQUEST_CLOSED: "closed_at"},
        purgeable={"state__in": sorted(CLOSED_STATES)},  # an open request is never purged
    ),
    # One-time codes of the self-service page (retention.models.verification): erased with their subject; the
    # purge removes them by the category's rule, from their creation ("collected") or, under the shipped rule
    # ("request closed"), from their expiry, the latest moment a challenge is over. An unknown identifier's
    # challenge belongs to no subject and goes by the clock alone.
    PersonalData(
        "retention.VerificationChallenge",
        Category.SUBJECT_REQUESTS,
        subject="contact_point__subject",
        export=_challenge,
        # A challenge is closed when it expires; it goes a day later, whatever the category's period: kept
        # for years it would keep a stranger's attempts (and their IP's hash) beside the customer's record.
        clocks={
            Clock.COLLECTED: "created_at",
            Clock.REQUEST_CLOSED: lambda cutoff: Q(expires_at__lt=timezone.now() - timedelta(days=1)),
        },
    ),
    # The answer to an access or portability request (retention.models.exports). The export is a copy of what
    # every other category keeps for its own period, so it goes once its link has ended (seven days), or
    # earlier if the category's rule says so; it is erased with its subject, file and all. Its downloads stay
    # with the request, pseudonymous, as the proof that the answer reached the requester.
    PersonalData(
        "retention.RequestExport",
        Category.SUBJECT_REQUESTS,
        subject="request__subject",
        export=lambda export: _export_record(export),  # the helpers of these two follow the list
        files=("file",),
        clocks={
            Clock.COLLECTED: lambda cutoff: _export_over(cutoff, moment="created_at"),
            Clock.REQUEST_CLOSED: lambda cutoff: _export_over(cutoff, moment="request__closed_at"),
        },
    ),
    PersonalData(
        "retention.RequestDownload",
        Category.SUBJECT_REQUESTS,
        subject="request__subject",
        export=lambda download: _download_record(download),
        erasure=Erasure.KEEP_PSEUDONYMOUS,
        kept_because="proof that the answer to a request reached the requester (GDPR Art. 5(2), 12(1); LGPD Art. 19)",
        clocks={Clock.REQUEST_CLOSED: "request__closed_at"},
    ),
]


def _export_over(cutoff, *, moment: str):
    """An export is due once its link has ended, whatever the rule's period, or by the rule, if that is sooner.
    (The link's end is a moment of its own, not a period: it is compared with the clock, not the cutoff.)"""
    from django.db.models import Q
    from django.utils import timezone

    return Q(expires_at__lte=timezone.now()) | Q(**{f"{moment}__lt": cutoff})


def _export_record(export) -> dict:
    return {
        "request": export.request.reference,
        "made_at": at(export.created_at),
        "expires_at": at(export.expires_at),
        "size": export.size,
        "sha256": export.sha256,
    }


def _download_record(download) -> dict:
    from consent.declarations import staff_role

    return {
        "request": download.request.reference,
        "at": at(download.at),
        "via": download.via,
        "by": staff_role(download.by_id) if download.by_id else None,
    }
