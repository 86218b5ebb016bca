"""The DPO's generated documents under ``/dpo/``: the records of processing (page and spreadsheet), the contact
snippet. Thin: check who asks, read the language, call the generator, render.

Staff with ``contactcenter.view_controller`` only (the DPO and the administrator). Nobody signed in is sent to
the admin's login; anyone else signed in gets a bare 403 that says nothing of what is here.
"""

import csv
import io
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from consent.jurisdictions import LANGUAGE_CHOICES, LANGUAGES
from contactcenter.records import records_of_processing, records_table
from contactcenter.snippet import SnippetMissing, contact_snippet

PERMISSION = "contactcenter.view_controller"


def dpo_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("admin:login"))
        if not (user.is_active and user.is_staff and user.has_perm(PERMISSION)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    current = (translation.get_language() or "").lower()
    return current if current in LANGUAGES else settings.LANGUAGE_CODE


def _page(request: HttpRequest, template: str, language: str, context: dict) -> HttpResponse:
    # The whole page in the language chosen: it is the document in that language, chrome included.
    with translation.override(language):
        context = {
            **admin.site.each_context(request),
            "language": language,
            "languages": LANGUAGE_CHOICES,
            **context,
        }
        return render(request, template, context)


@require_GET
@dpo_only
def records_page(request: HttpRequest) -> HttpResponse:
    """``/dpo/records/``: the records of processing activities, printable, in the language chosen."""
    language = _language(request)
    records = records_of_processing(language=language)
    with translation.override(language):
        title = _("Records of processing activities")
    return _page(
        request, "admin/contactcenter/records.html", language,
        {"title": title, "records": records, "generated_at": timezone.now()},
    )  # fmt: skip


@require_GET
@dpo_only
def records_csv(request: HttpRequest) -> HttpResponse:
    """``/dpo/records.csv``: the same records, one row per activity and category of data, for a spreadsheet."""
    language = _language(request)
    rows = records_table(records_of_processing(language=language), language)
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the byte-order mark: spreadsheet programs then read the file as UTF-8
    csv.writer(buffer).writerows(rows)
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="records-of-processing-{language}-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@dpo_only
def snippet_page(request: HttpRequest) -> HttpResponse:
    """``/dpo/snippet/``: the contact snippet for the company's website, previewed and ready to copy."""
    language = _language(request)
    try:
        html, missing = contact_snippet(language), []
    except SnippetMissing as incomplete:
        html, missing = "", incomplete.missing
    with translation.override(language):
        title = _("Contact snippet for the website")
    return _page(
        request, "admin/contactcenter/snippet.html", language,
        {"title": title, "snippet": html, "missing": missing},
    )  # fmt: skip
