"""The answer to an access or portability request (GDPR Arts. 12(1), 15(3), 20; LGPD Art. 18 II, V, 19): the
export ZIP, offered to the verified customer through a signed link that expires, and to the DPO.

Invariants:
- Only a verified (or in-progress) access or portability request of a subject we hold is answered so; the
  request is completed (``request_fulfil``, which tells the customer) only once its export is stored, and an
  export whose request could not be completed is removed again. One export per request: a second, prepared
  at the same moment, is refused at the request's row lock and its file deleted.
- The ZIP is plaintext only in a temporary directory while it is made (gone before this returns, also on
  failure) and in the bytes streamed to whoever downloads it; in storage it is ciphertext under the subject's
  data key (``export_files``), a declared file that erasure and purge delete.
- An export lives ``EXPORT_LIFETIME`` (seven days): the link's signature ends then, ``expires_at`` is checked
  as well, and the purge removes the export once it has ended.
- The link is the credential: a signature under ``SECRET_KEY`` (salted for this use alone) over the export's id
  and a random key kept in its row, so neither a leaked ``SECRET_KEY`` nor a copy of the database makes one. A
  link that is wrong, altered or not ours is ``ExportNotFound`` (404); a genuine one past its time, or whose
  export is gone, ``ExportGone`` (410). Neither records anything.
- Every download is recorded (``RequestDownload``) before its first byte goes out: when, through the link or by
  which staff member, and the keyed hash of the address, never the address. A staff member's download, through
  the DPO's copy or through the customer's own link while signed in, is in the staff access log too
  (``consent.services.access_record``), which the customer's next export shows.
- Nothing here logs a person: references and ids only.
"""

import hmac
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from consent import services as consent_services
from consent.crypto import ip_hash
from consent.exceptions import DomainError, KeyDestroyed
from retention.models import (
    EXPORT_LIFETIME,
    DownloadVia,
    RequestDownload,
    RequestExport,
    RequestKind,
    RequestState,
    SubjectRequest,
)
from retention.services.export import subject_export
from retention.services.export_files import export_file_open, export_file_seal
from retention.services.requests import RequestIncomplete, request_fulfil

logger = logging.getLogger(__name__)

Actor = AbstractBaseUser | None

ANSWERED_BY_EXPORT = frozenset({RequestKind.ACCESS, RequestKind.PORTABILITY})
_ANSWERABLE = frozenset({RequestState.VERIFIED, RequestState.IN_PROGRESS})
_SALT = "retention.request_export.link"


class ExportNotFound(DomainError, code="export_not_found", http_status=404):
    """No export answers this: the link is not one of ours (altered, cut off, made up), or there is none."""


class ExportGone(ExportNotFound, code="export_gone", http_status=410):
    """A genuine link past its seven days, or whose export is gone (purged, erased); ``extra["language"]`` is
    the language of the customer it was made for, for the page that says so."""


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


def _language(export: RequestExport) -> str:
    subject = export.request.subject
    return subject.language if subject is not None else settings.LANGUAGE_CODE


def request_export_prepare(*, request: SubjectRequest, actor: Actor) -> RequestExport:
    """Make the export answering ``request``, store it encrypted, and complete the request (the customer is
    told). Raises ``RequestIncomplete`` for a request an export does not answer, or not yet, or not any more.

    Call it outside a transaction (an admin action, a task): it commits the export before it completes the
    request, each in a transaction of its own, and holds none while the export is read and sealed."""
    request = SubjectRequest.objects.select_related("subject").get(pk=request.pk)
    _answerable(request)
    subject = request.subject
    now = timezone.now()
    export = RequestExport(
        request=request, created_at=now, expires_at=now + EXPORT_LIFETIME,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip
    # Read and sealed outside any transaction: a large export takes a while, and holds no lock meanwhile.
    with tempfile.TemporaryDirectory(prefix="request-export-") as directory:
        plain = Path(directory) / "export.zip"
        subject_export(subject=subject, path=plain)
        sealed = export_file_seal(export=export, source=plain)
    try:
        with transaction.atomic():
            locked = SubjectRequest.objects.select_for_update(of=("self",)).select_related("subject")
            _answerable(locked.get(pk=request.pk))  # withdrawn or rejected while it was made: refused
            if RequestExport.objects.filter(request=request).exists():
                raise RequestIncomplete(f"request {request.reference} has its export already")
            export.file.name, export.size, export.sha256 = sealed.name, sealed.size, sealed.sha256
            export.full_clean()
            export.save(force_insert=True)
    except BaseException:
        default_storage.delete(sealed.name)  # no ciphertext without its row
        raise
    logger.info("subject request %s: export #%s stored (%s bytes)", request.reference, export.pk, export.size)
    try:
        request_fulfil(request=request, actor=actor)
    except BaseException:
        if SubjectRequest.objects.filter(pk=request.pk, state=RequestState.COMPLETED).exists():
            raise  # completed, only the notice failed: the answer stands
        _export_remove(export)  # withdrawn or rejected meanwhile: no answer to a request that is not answered
        raise
    return export


def _answerable(request: SubjectRequest) -> None:
    if request.kind not in ANSWERED_BY_EXPORT:
        raise RequestIncomplete(f"request {request.reference}: {request.kind} is not answered with an export")
    if request.state not in _ANSWERABLE:
        raise RequestIncomplete(f"request {request.reference}: only a verified request is answered ({request.state})")
    if request.subject is None:
        raise RequestIncomplete(f"request {request.reference} names nobody we hold data about: reject it (no_data)")


@transaction.atomic
def _export_remove(export: RequestExport) -> None:
    name = export.file.name
    RequestExport.objects.filter(pk=export.pk).delete()
    transaction.on_commit(lambda: default_storage.delete(name), robust=True)
    logger.info("request export #%s removed: its request was not completed", export.pk)


def request_export_link(*, export: RequestExport) -> str:
    """The token of the customer's download link (``/privacy/download/<token>/``): valid until the export
    expires, at most ``EXPORT_LIFETIME`` from now. Made afresh each time it is shown; all of them end with the
    export. It carries the customer's language, so that even a link whose export is gone is answered in it."""
    return _signer().sign_object({"e": export.pk, "k": export.link_key, "l": _language(export)}, compress=False)


def request_export_open(*, token: str, ip: str, actor: Actor = None) -> tuple[RequestExport, Iterator[bytes]]:
    """The export a link names and its ZIP, frame by frame; the download is recorded first. Raises
    ``ExportNotFound`` for a link that is not ours, ``ExportGone`` for one past its time or whose export is gone.
    ``actor``: a signed-in staff member who opened the customer's link (recorded), or ``None``."""
    signer = _signer()
    try:
        payload = signer.unsign_object(token)  # the signature first: nothing of a forged link is read
    except signing.BadSignature:
        raise ExportNotFound("not a download link of ours") from None
    if not (isinstance(payload, dict) and isinstance(payload.get("e"), int) and isinstance(payload.get("k"), str)):
        raise ExportNotFound("not a download link of ours")
    language = payload.get("l") if isinstance(payload.get("l"), str) else settings.LANGUAGE_CODE
    try:
        signer.unsign(token, max_age=EXPORT_LIFETIME)
    except signing.SignatureExpired:
        raise ExportGone(f"request export #{payload['e']}: the link has expired", language=language) from None
    export = RequestExport.objects.select_related("request__subject").filter(pk=payload["e"]).first()
    if export is None:
        raise ExportGone(f"request export #{payload['e']} is gone", language=language)
    if not hmac.compare_digest(export.link_key, payload["k"]):
        raise ExportNotFound(f"request export #{export.pk}: not its link")
    chunks = _readable(export, language=language)
    by = actor if actor is not None and actor.is_authenticated else None
    with transaction.atomic():
        _download_record(export, via=DownloadVia.LINK, by=by, ip=ip)
        if by is not None:  # a staff member who opened the customer's link read the customer's data all the same
            _staff_access(export, actor=by, through="the customer's link to the answer")
    return export, chunks


def request_export_download(*, export: RequestExport, actor: AbstractBaseUser, ip: str) -> Iterator[bytes]:
    """The ZIP of ``export`` for a staff member (the DPO's copy of the answer), recorded as their download and
    in the staff access log. Raises ``ExportGone`` once it has expired or is gone."""
    fresh = RequestExport.objects.select_related("request__subject").filter(pk=export.pk).first()
    if fresh is None:
        raise ExportGone(f"request export #{export.pk} is gone", language=settings.LANGUAGE_CODE)
    export = fresh
    chunks = _readable(export, language=settings.LANGUAGE_CODE)
    with transaction.atomic():
        _download_record(export, via=DownloadVia.STAFF, by=actor, ip=ip)
        _staff_access(export, actor=actor, through="the answer")
    return chunks


def _staff_access(export: RequestExport, *, actor: AbstractBaseUser, through: str) -> None:
    consent_services.access_record(
        subject=export.request.subject, actor=actor, action="request_export.download",
        object_ref=f"retention.requestexport:{export.pk}",
        reason=f"{through} to subject request {export.request.reference}",
    )  # fmt: skip


def _readable(export: RequestExport, *, language: str) -> Iterator[bytes]:
    if export.has_expired():
        raise ExportGone(f"request export #{export.pk}: expired", language=language)
    try:
        return export_file_open(export=export)
    except (KeyDestroyed, FileNotFoundError):  # erased, or purged, meanwhile
        raise ExportGone(f"request export #{export.pk} is gone", language=language) from None


def _download_record(export: RequestExport, *, via: str, by: Actor, ip: str) -> RequestDownload:
    download = RequestDownload(request=export.request, export=export, via=via, by=by, ip_hash=ip_hash(ip) if ip else "")
    download.full_clean()
    download.save(force_insert=True)
    logger.info("request export #%s downloaded (%s)", export.pk, via)
    return download
