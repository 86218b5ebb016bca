"""The customers' self-service page for their data rights: ``/privacy/`` (no login).

The customer picks what they want, names their WhatsApp number or e-mail address, receives a six-digit code
through it (``retention.services.verification``), enters it, and gets a reference and a status page at an
unguessable link, with the due date and, once answered, the download.

Invariants:
- The page answers the same way whether or not we know the number or address: the code step is the same,
  a wrong code is a wrong code; only a right code (which only the owner of a known number can have) goes on.
- The status link is the credential: a signature over the request and a random key of its own
  (``retention.services.request_status``); a link not ours is a 404 like a request that does not exist, and a
  link ends 30 days after its request closed (410, said in words).
- CSRF on every form; the language follows the browser, and a visible switch (``?lang=``) keeps the choice.
- Nothing here logs a number, an address or a code.
"""

from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consent.exceptions import InvalidContactPoint
from consent.jurisdictions import JURISDICTIONS, LANGUAGES
from consent.models import ContactKind
from consent.network import request_client_address
from retention.exceptions import RateLimited, VerificationError
from retention.models import RequestKind
from retention.selectors import request_export_current
from retention.services.request_exports import request_export_link
from retention.services.request_status import (
    StatusLinkEnded,
    StatusLinkNotFound,
    request_status_list,
    request_status_open,
    request_status_path,
)
from retention.services.requests import request_receive
from retention.services.verification import challenge_start, challenge_verify

_SESSION = "privacy_request"
# The browser's language code for each of ours (pt-br is ours, pt-BR the browser's).
_NAMES = {"en": "English", "de": "Deutsch", "nl": "Nederlands", "it": "Italiano", "pt-br": "Português (Brasil)"}


def _language(request: HttpRequest) -> str:
    """``?lang=`` (kept in the language cookie), else the browser's, else English."""
    chosen = request.GET.get("lang", "").lower()
    if chosen in LANGUAGES:
        return chosen
    current = (translation.get_language() or "en").lower()
    return current if current in LANGUAGES else current.split("-")[0] if current.split("-")[0] in LANGUAGES else "en"


def _page(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    language = _language(request)
    with translation.override(language):
        response = render(request, template, {**context, "language": language, "languages": _NAMES.items(),
                                              "path": request.path}, status=status)  # fmt: skip
    if request.GET.get("lang", "").lower() in LANGUAGES:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", max_age=365 * 86400)
    response["Cache-Control"] = "no-store"
    return response


# Not a request: the customer's own requests, listed after the code (a chat notice points here, since a
# status link in the chat would be read by agents).
SEE_MINE = "see_mine"


class StartForm(forms.Form):
    kind = forms.ChoiceField(label=_("What would you like us to do?"), widget=forms.RadioSelect,
                             choices=[*RequestKind.choices, (SEE_MINE, _("See my requests"))])  # fmt: skip
    channel = forms.ChoiceField(
        label=_("Where should we send your code?"), widget=forms.RadioSelect,
        choices=[(ContactKind.WHATSAPP, _("On WhatsApp")), (ContactKind.EMAIL, _("By e-mail"))],
    )  # fmt: skip
    identifier = forms.CharField(
        label=_("Your WhatsApp number (with country code) or e-mail address"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "tel email", "inputmode": "text"}),
    )  # fmt: skip


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("The six-digit code we sent you"), regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has six digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "6"}),
    )  # fmt: skip


@never_cache
@require_http_methods(["GET", "POST"])
def privacy_start(request: HttpRequest) -> HttpResponse:
    language = _language(request)
    form = StartForm(request.POST or None)
    error = ""
    status = 400 if request.method == "POST" else 200
    retry_after = 0
    if request.method == "POST" and form.is_valid():
        try:
            challenge = challenge_start(kind=form.cleaned_data["channel"], value=form.cleaned_data["identifier"],
                                        ip=request_client_address(request.META), language=language)  # fmt: skip
        except InvalidContactPoint:
            form.add_error("identifier", _("This is not a WhatsApp number with its country code, or not an e-mail "
                                           "address."))  # fmt: skip
        except VerificationError as exc:
            with translation.override(language):
                error = _refusal(exc)
            if isinstance(exc, RateLimited):  # 429, with when to try again
                status, retry_after = exc.http_status, int(exc.extra.get("retry_after") or 0)
        else:
            request.session[_SESSION] = {"challenge": str(challenge.pk), "kind": form.cleaned_data["kind"]}
            return HttpResponseRedirect(reverse("privacy-code") + f"?lang={language}")
    response = _page(request, "retention/privacy/start.html", {"form": form, "error": error}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _refusal(exc: VerificationError) -> str:
    code = getattr(exc, "code", "")
    if code == "rate_limited":
        return str(_("Too many codes were asked for. Please try again in an hour."))
    if code == "wrong_code":
        return str(_("That code is not right. Please check it and try again."))
    if code in ("challenge_expired", "challenge_used"):
        return str(_("This code is no longer valid. Please ask for a new one."))
    if code == "challenge_locked":
        return str(_("Too many wrong codes: this code is locked. Please ask for a new one."))
    return str(_("Something went wrong. Please try again."))


@never_cache
@require_http_methods(["GET", "POST"])
def privacy_code(request: HttpRequest) -> HttpResponse:
    started = request.session.get(_SESSION)
    if not started:
        return HttpResponseRedirect(reverse("privacy-start"))
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            challenge = challenge_verify(challenge_id=started["challenge"], code=form.cleaned_data["code"].strip())
        except VerificationError as exc:
            with translation.override(_language(request)):
                error = _refusal(exc)
        else:
            subject = challenge.contact_point.subject if challenge.contact_point_id else None
            if subject is None:  # a right code for nobody cannot happen: no code was sent
                raise Http404
            del request.session[_SESSION]
            if started["kind"] == SEE_MINE:  # no new request: the ones they have, each with its page
                mine = [(found, request_status_path(request=found)) for found in request_status_list(subject=subject)]
                return _page(request, "retention/privacy/mine.html", {"requests": mine})
            created = request_receive(kind=started["kind"], channel="self_service", actor=None, subject=subject,
                                      verified=True)  # fmt: skip
            return HttpResponseRedirect(request_status_path(request=created) + f"?lang={_language(request)}")
    return _page(request, "retention/privacy/code.html", {"form": form, "error": error},
                 status=400 if request.method == "POST" else 200)  # fmt: skip


@never_cache
def privacy_request_status(request: HttpRequest, token: str) -> HttpResponse:
    try:
        found = request_status_open(token=token)
    except StatusLinkNotFound:
        raise Http404 from None
    except StatusLinkEnded:
        return _page(request, "retention/privacy/status_ended.html", {}, status=410)
    export = request_export_current(request=found)
    download = reverse("request-export-download", args=[request_export_link(export=export)]) if export else ""
    zone = JURISDICTIONS[found.jurisdiction].time_zone or settings.CONTROLLER_TIME_ZONE  # the deadline's days
    return _page(request, "retention/privacy/status.html", {"request_": found, "download": download,
                                                             "export": export, "zone": zone})  # fmt: skip
