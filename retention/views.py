"""The answer to an access or portability request, downloaded: by the customer through their link, by the DPO.

Thin, as every edge: parse, check permission, call ``retention.services.request_exports``, answer. The ZIP is
streamed frame by frame (asynchronously under ASGI, where a synchronous iterator would first be read whole
into memory), never stored by a cache (``no-store``), and its page sends no referrer: the token in the address
is the credential.
"""

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from consent.network import request_client_address
from retention.models import RequestExport, SubjectRequest
from retention.selectors import request_export_current
from retention.services.request_exports import (
    ExportGone,
    ExportNotFound,
    request_export_download,
    request_export_open,
)

_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}


def _client_ip(request: HttpRequest) -> str:
    return request_client_address(request.META)[:64]  # the client's, behind the proxies we trust


async def _async(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    # Each frame read and decrypted in a worker thread, one at a time: the event loop never waits on either.
    try:
        while (chunk := await sync_to_async(next, thread_sensitive=False)(chunks, None)) is not None:
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:  # the download stopped half-way (the customer went): the file is closed now
            close()


def _zip(request: HttpRequest, export: RequestExport, chunks: Iterator[bytes]) -> StreamingHttpResponse:
    content = _async(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type="application/zip", headers=_PRIVATE)
    response["Content-Disposition"] = f'attachment; filename="data-{export.request.reference}.zip"'
    response["Content-Length"] = str(export.size)
    return response


def _rights_url() -> str:
    """Where to ask again: the self-service page, or the configured rights page of a site without it."""
    try:
        return settings.SUBJECT_RIGHTS_URL or reverse("privacy-start")
    except NoReverseMatch:
        return ""


def _unavailable(request: HttpRequest, *, gone: ExportGone | None) -> HttpResponse:
    language = gone.extra.get("language") if gone is not None else translation.get_language()
    with translation.override(language or settings.LANGUAGE_CODE):
        response = render(
            request, "retention/export_unavailable.html",
            {"gone": gone is not None, "rights_url": _rights_url()}, status=410 if gone else 404,
        )  # fmt: skip
    for header, value in _PRIVATE.items():
        response[header] = value
    return response


@require_GET
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    """``/privacy/download/<token>/``: no login, the token is the credential. 404 for a link that is not ours,
    410 for one that has expired (in the customer's language), the ZIP otherwise."""
    try:
        export, chunks = request_export_open(token=token, ip=_client_ip(request), actor=request.user)
    except ExportGone as gone:
        return _unavailable(request, gone=gone)
    except ExportNotFound:
        return _unavailable(request, gone=None)
    return _zip(request, export, chunks)


@require_GET
@staff_member_required
@permission_required("retention.view_subjectrequest", raise_exception=True)
def dpo_export_download(request: HttpRequest, reference: str) -> HttpResponse:
    """``/dpo/requests/<reference>/export/``: the DPO's copy of the answer, recorded as a staff download and in
    the staff access log (the admin links here)."""
    subject_request = get_object_or_404(SubjectRequest, reference=reference)
    export = request_export_current(request=subject_request)
    if export is None:
        raise Http404("no export that can still be downloaded")
    try:
        chunks = request_export_download(export=export, actor=request.user, ip=_client_ip(request))
    except ExportGone:
        raise Http404("no export that can still be downloaded") from None
    return _zip(request, export, chunks)
