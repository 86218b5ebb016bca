"""Public pages of the privacy programme, and the error pages (JSON under ``/api/``, the one error model)."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views import defaults

from consent.jurisdictions import JURISDICTIONS, LANGUAGES
from consent.models import PrivacyNotice
from consent.public_links import subject_rights_url
from consent.selectors import notice_current


def privacy_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A published notice version, as it was shown: the link the consent messages carry."""
    return _served(request, get_object_or_404(PrivacyNotice, pk=notice_id, published_at__isnull=False))


def privacy_notice_current(request: HttpRequest, jurisdiction: str, language: str) -> HttpResponse:
    notice = notice_current(language=language, jurisdiction=jurisdiction.upper())
    if notice is None:
        raise Http404("no published notice")
    return _served(request, notice)


def _asked(request: HttpRequest) -> tuple[str, str]:
    """The jurisdiction (``?jurisdiction=``, else the default) and language (``?lang=``, else the browser's)."""
    jurisdiction = request.GET.get("jurisdiction", settings.DEFAULT_JURISDICTION).upper()
    if jurisdiction not in JURISDICTIONS:
        raise Http404("no such jurisdiction")
    language = request.GET.get("lang", "").lower()
    if language not in LANGUAGES:
        language = translation.get_language_from_request(request)
    return jurisdiction, language if language in LANGUAGES else "en"


def privacy_statement(request: HttpRequest) -> HttpResponse:
    """The statement in force for the reader's jurisdiction and language (English where none is in theirs)."""
    jurisdiction, language = _asked(request)
    notice = notice_current(language=language, jurisdiction=jurisdiction)
    if notice is None:
        raise Http404("no published statement")
    response = _served(request, notice)
    patch_vary_headers(response, ["Accept-Language"])
    return response


def privacy_statement_version(request: HttpRequest, version: int) -> HttpResponse:
    """An archived version, byte for byte as it was published (in English where it had none in the language)."""
    jurisdiction, language = _asked(request)
    published = PrivacyNotice.objects.filter(jurisdiction=jurisdiction, version=version, published_at__isnull=False)
    notice = published.filter(language=language).first() or published.filter(language="en").first()
    if notice is None:
        raise Http404("no such version")
    response = _served(request, notice)
    patch_vary_headers(response, ["Accept-Language"])
    return response


def _served(request: HttpRequest, notice: PrivacyNotice) -> HttpResponse:
    """A generated statement is its stored page, unchanged; a hand-written notice is drawn in the template."""
    if notice.is_generated:
        response = HttpResponse(notice.document.encode(), content_type="text/html; charset=utf-8")
    else:
        response = render(request, "privacy/notice.html", _notice_context(notice))
    response["Content-Language"] = notice.language
    # What the consent ledger records for this version: SHA-256 of title, text and this page (not of the page alone).
    response["X-Notice-Content-Hash"] = notice.content_hash
    return response


def _notice_context(notice: PrivacyNotice) -> dict:
    """The notice, and where its reader exercises their rights (the self-service page, in its language)."""
    with translation.override(notice.language):
        label = _("Your data, your rights")
    url = subject_rights_url()
    if url.endswith("/privacy/"):
        url += f"?lang={notice.language}"
    return {"notice": notice, "rights_url": url, "rights_label": label}


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _api_error(code: str, detail: str, status: int) -> JsonResponse:
    return JsonResponse({"error": code, "detail": detail}, status=status)


# Django's error views, for what fails before or outside an API view (no such path, a body over the upload
# limit, a CSRF refusal, a failure of ours): under /api/ they answer the API's error model, elsewhere the pages.
# They apply with DEBUG off, as in production; with DEBUG on Django shows its debugging pages instead.


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _api_error("bad_request", _("The request could not be read."), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _api_error("permission_denied", _("You do not have permission to do this."), 403)
    return defaults.permission_denied(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _api(request):
        return _api_error("not_found", _("Not found."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _api(request):  # never a trace
        return _api_error("server_error", _("Something went wrong on our side; please try again later."), 500)
    return defaults.server_error(request)
