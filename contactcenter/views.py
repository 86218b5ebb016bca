"""Public pages of the privacy programme."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

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
