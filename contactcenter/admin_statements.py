"""The DPO's privacy-statement page in the admin: what is missing, the difference from the published version,
how many customers a changed purpose concerns, and the button that publishes (``contactcenter.statements``)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from consent.jurisdictions import JURISDICTIONS, LANGUAGE_CHOICES, LANGUAGES
from contactcenter.programme import programme_facts
from contactcenter.statements import (
    REQUIREMENTS,
    StatementIncomplete,
    StatementUnchanged,
    facts_digest,
    reconsent_needed,
    statement_drafts,
    statement_missing,
    statement_preview,
    statement_publish,
    statement_url,
)

VIEW = "consent.view_privacynotice"
PUBLISH = "consent.add_privacynotice"


def _choice(request: HttpRequest, name: str, allowed: list[str], default: str) -> str:
    value = request.GET.get(name, "")
    return value if value in allowed else default


@require_http_methods(["GET", "POST"])
def statement_page(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW):
        raise PermissionDenied
    if request.method == "POST":
        return _publish(request)
    facts = programme_facts()
    jurisdiction = _choice(request, "jurisdiction", list(JURISDICTIONS), "GDPR")
    language = _choice(
        request, "lang", list(LANGUAGES), request.LANGUAGE_CODE if request.LANGUAGE_CODE in LANGUAGES else "en"
    )
    if request.GET.get("page") == "1":  # the page as publishing would produce it
        return HttpResponse(statement_preview(jurisdiction, language, facts), content_type="text/html; charset=utf-8")
    missing = statement_missing(facts)
    drafts = statement_drafts(facts)
    shown = next(d for d in drafts if (d.jurisdiction, d.language) == (jurisdiction, language))
    names = dict(LANGUAGE_CHOICES)
    context = {
        **admin.site.each_context(request),
        "title": _("Privacy statement"),
        "missing": [
            {
                "item": f"{m.jurisdiction} {m.item}",
                "means": REQUIREMENTS[m.jurisdiction].get(m.item, ""),
                "language": names.get(m.language, ""),
                "what": m.what,
            }
            for m in missing
        ],
        "drafts": [
            {
                "jurisdiction": d.jurisdiction,
                "language": names[d.language],
                "changed": d.changed,
                "selected": d is shown,
                "url": f"?jurisdiction={d.jurisdiction}&lang={d.language}",
                "published": d.published,
            }
            for d in drafts
        ],
        "shown": shown,
        "shown_language": names[shown.language],
        "diff": shown.diff(),
        "page_url": f"?jurisdiction={jurisdiction}&lang={language}&page=1",
        "published_url": statement_url(shown.published.version, jurisdiction, language) if shown.published else "",
        "reconsent": reconsent_needed(facts),
        "changed": any(d.changed for d in drafts),
        "may_publish": request.user.has_perm(PUBLISH),
        "digest": facts_digest(facts),
    }
    return TemplateResponse(request, "admin/contactcenter/statement.html", context)


def _publish(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(PUBLISH):
        raise PermissionDenied
    facts = programme_facts()
    if request.POST.get("digest") != facts_digest(facts):
        messages.error(
            request, _("Not published: the programme changed since you looked. Review the difference again.")
        )
        return HttpResponseRedirect(reverse("admin:contactcenter_controller_statement"))
    try:
        notices = statement_publish(actor=request.user, facts=facts)
    except StatementUnchanged:
        messages.error(request, _("Not published: nothing has changed since the published version."))
    except StatementIncomplete as refused:
        messages.error(
            request,
            _("Not published: %(count)s required items are missing. They are listed below.")
            % {"count": len(refused.missing)},
        )
    else:
        messages.success(
            request,
            _("Version %(version)s of the privacy statement is published in every language and jurisdiction.")
            % {"version": notices[0].version},
        )
    return HttpResponseRedirect(reverse("admin:contactcenter_controller_statement"))
