"""The customer's status link to their request (``/privacy/requests/<token>/``): its state, its due date and,
once answered, the download.

Invariants:
- The link is the credential, and nothing of it can be guessed or made: a signature under ``SECRET_KEY``
  (salted for this use alone) over the request's id and its ``status_key``, 128 random bits kept in the
  request's row. A leaked ``SECRET_KEY`` alone makes no link (the key is in the database), nor does a copy of
  the database alone (the signature needs ``SECRET_KEY``); keys are compared in constant time.
- A link that is not ours, altered, or whose key is not its request's is ``StatusLinkNotFound`` (404), the
  same answer as for a request that does not exist: a refusal tells nothing.
- A link works while its request is open and for ``STATUS_AFTER_CLOSE`` (30 days) after it closed, long
  enough to fetch the answer (the download itself lasts seven days); then ``StatusLinkEnded`` (410). The
  request's record stays for the DPO (three years, the retention rule); the link does not.
"""

import hmac
from datetime import timedelta

from django.core import signing
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from consent.exceptions import DomainError
from consent.models import Subject
from consent.public_links import public_url
from retention.models import SubjectRequest

STATUS_AFTER_CLOSE = timedelta(days=30)
_SALT = "retention.request_status.link"


class StatusLinkNotFound(DomainError):
    """Not a status link of ours (altered, cut off, made up), or its request is gone."""


class StatusLinkEnded(DomainError):
    """A genuine link whose request closed more than ``STATUS_AFTER_CLOSE`` ago."""


def request_status_token(*, request: SubjectRequest) -> str:
    return signing.dumps({"r": request.pk, "k": request.status_key}, salt=_SALT, compress=False)


def request_status_path(*, request: SubjectRequest) -> str:
    return reverse("privacy-request-status", args=[request_status_token(request=request)])


def request_status_url(*, request: SubjectRequest, language: str = "") -> str:
    """The absolute link, for an e-mail to the customer (``PUBLIC_BASE_URL``), opening in ``language``."""
    query = f"?lang={language}" if language else ""
    return public_url(request_status_path(request=request) + query)


def request_status_list(*, subject: Subject) -> list[SubjectRequest]:
    """The requests of ``subject`` whose page is still shown (open, or closed within ``STATUS_AFTER_CLOSE``),
    newest first: what the self-service page lists after a code ("See my requests")."""
    recent = Q(closed_at__isnull=True) | Q(closed_at__gte=timezone.now() - STATUS_AFTER_CLOSE)
    return list(SubjectRequest.objects.filter(recent, subject=subject).order_by("-received_at", "-pk"))


def request_status_open(*, token: str) -> SubjectRequest:
    """The request a status link names. Raises ``StatusLinkNotFound`` or ``StatusLinkEnded``."""
    try:
        payload = signing.loads(token, salt=_SALT)  # the signature first: nothing of a forged link is read
    except signing.BadSignature:
        raise StatusLinkNotFound("not a status link of ours") from None
    if not (isinstance(payload, dict) and isinstance(payload.get("r"), int) and isinstance(payload.get("k"), str)):
        raise StatusLinkNotFound("not a status link of ours")
    request = SubjectRequest.objects.filter(pk=payload["r"]).first()
    if request is None or not hmac.compare_digest(request.status_key.encode(), payload["k"].encode()):
        raise StatusLinkNotFound("not a status link of ours")
    if request.closed_at is not None and timezone.now() - request.closed_at > STATUS_AFTER_CLOSE:
        raise StatusLinkEnded(f"request {request.reference}: closed more than {STATUS_AFTER_CLOSE.days} days ago")
    return request
