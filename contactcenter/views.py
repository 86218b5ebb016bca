"""Public pages of the privacy programme, and the error pages (JSON under ``/api/``, the one error model)."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views import defaults

from consent.models import PrivacyNotice
from consent.selectors import notice_current


def privacy_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A published notice version, as it was shown: the link the consent messages carry."""
    notice = get_object_or_404(PrivacyNotice, pk=notice_id, published_at__isnull=False)
    return render(request, "privacy/notice.html", {"notice": notice})


def privacy_notice_current(request: HttpRequest, jurisdiction: str, language: str) -> HttpResponse:
    notice = notice_current(language=language, jurisdiction=jurisdiction.upper())
    if notice is None:
        raise Http404("no published notice")
    return render(request, "privacy/notice.html", {"notice": notice})


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A path no view answers (``/api/v1/conversations/abc/``): under ``/api/`` the API's error body."""
    if _api(request):
        return JsonResponse({"error": "not_found", "detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """A failure of ours: under ``/api/`` the API's error body, never a trace."""
    if _api(request):
        return JsonResponse({"error": "server_error", "detail": "Server error; try again later."}, status=500)
    return defaults.server_error(request)
