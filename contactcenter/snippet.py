"""The "contact us on WhatsApp" snippet for the company's website, generated from what the system does.

``contact_snippet`` writes, in one of our languages, an HTML fragment the company pastes into its site: the
WhatsApp number as a ``wa.me`` link, the business hours and the response time it may promise, what is stored
and for how long, that Meta processes the messages' metadata, and the link to the privacy statement. Every
value is escaped; the fragment is self-contained (inline styles, no script, nothing loaded from elsewhere).

It states only what the configuration says: without the number, the business hours, the customer-service
purpose or the messages' retention rule there is nothing true to write, and ``SnippetMissing`` names what the
DPO has to enter first.
"""

import re
from datetime import time
from typing import Any

from django.templatetags.static import static
from django.urls import reverse
from django.utils import formats, translation
from django.utils.dates import WEEKDAYS as WEEKDAY_NAMES
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from consent.declarations import CLOCK_NAMES, Category
from consent.public_links import public_url
from contactcenter.models import WEEKDAYS, business_hours_problem
from contactcenter.programme import programme_facts
from contactcenter.records import period_words

# The purpose the WhatsApp conversations serve (the one the follow-up template names, settings.WHATSAPP_TEMPLATES).
SERVICE_PURPOSE = "customer-service"

_BOX = "font:15px/1.5 system-ui,sans-serif;color:#1d1d1f;max-width:28rem;border:1px solid #d0d7de;border-radius:8px;padding:1rem"  # noqa: E501
_BUTTON = (
    "display:inline-block;background:#1e7b34;color:#fff;text-decoration:none;font-weight:600;"
    "padding:.5rem 1rem;border-radius:6px"
)
_SMALL = "font-size:13px;color:#444;margin:.6rem 0 0"


class SnippetMissing(Exception):
    """What the configuration lacks for a truthful snippet, in the DPO's words."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__("; ".join(missing))
        self.missing = missing


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _days(first: int, last: int) -> str:
    if first == last:
        return str(WEEKDAY_NAMES[first])
    joiner = ", " if last == first + 1 else "–"
    return f"{WEEKDAY_NAMES[first]}{joiner}{WEEKDAY_NAMES[last]}"


def hours_in_words(hours: dict[str, list[str]]) -> list[str]:
    """The week's opening hours in the active language: consecutive days with the same hours together."""
    runs: list[list[Any]] = []  # [first weekday, last weekday, (open, close)]
    for index, day in enumerate(WEEKDAYS):
        if day not in hours:
            continue
        span = tuple(hours[day])
        if runs and runs[-1][2] == span and runs[-1][1] == index - 1:
            runs[-1][1] = index
        else:
            runs.append([index, index, span])
    return [
        f"{_days(first, last)}: {formats.time_format(_clock(opens))}–{formats.time_format(_clock(closes))}"
        for first, last, (opens, closes) in runs
    ]


def _span_hours(span: list[str]) -> float:
    opens, closes = _clock(span[0]), _clock(span[1])
    return (closes.hour * 60 + closes.minute - opens.hour * 60 - opens.minute) / 60


def response_words(hours: dict[str, list[str]], response_hours: int) -> str:
    """The response time the snippet may promise: no more than ``response_hours``, said as the hours allow."""
    promised = max(response_hours, 1)
    if promised <= min(_span_hours(span) for span in hours.values()):
        within = _("within an hour") if promised == 1 else _("within %(count)s hours") % {"count": promised}
        return _(
            "We usually answer %(within)s during these hours; messages outside them are answered on the next "
            "business day."
        ) % {"within": within}
    return _(
        "We usually answer within %(count)s business hours, counted only while we are open; messages outside "
        "these hours are answered from the next business day on."
    ) % {"count": promised}


def _missing(facts: dict[str, Any]) -> list[str]:
    controller = facts["controller"]
    missing = []
    if controller is None:
        return [_("the controller (who we are)")]
    if not controller["whatsapp_number"]:
        missing.append(_("the WhatsApp business number"))
    if not controller["business_hours"] or business_hours_problem(controller["business_hours"]):
        missing.append(_("the business hours"))
    if not any(p["code"] == SERVICE_PURPOSE for p in facts["purposes"]):
        missing.append(_("the customer-service purpose (code “%(code)s”)") % {"code": SERVICE_PURPOSE})
    if not any(r["category"] == Category.MESSAGES for r in facts["rules"]):
        missing.append(_("the retention rule for messages"))
    return missing


def webchat_embed() -> SafeString:
    """The one tag a company pastes into its website for the web-chat widget: script and server both on
    ``PUBLIC_BASE_URL`` (the page it runs on is the company's, so nothing may be relative)."""
    script, server = public_url(static("webchat/widget.js")), public_url("").rstrip("/")
    return format_html('<script src="{}" data-server="{}" defer></script>', script, server)


def statement_url(language: str) -> str:
    return public_url(f"{reverse('privacy-statement')}?lang={language}")


def contact_snippet(language: str, facts: dict[str, Any] | None = None) -> SafeString:
    """The snippet's HTML in ``language``; ``SnippetMissing`` when the configuration cannot fill it truthfully."""
    facts = facts if facts is not None else programme_facts()
    with translation.override(language):
        missing = _missing(facts)
        if missing:
            raise SnippetMissing(missing)
        controller = facts["controller"]
        number = controller["whatsapp_number"]
        hours = controller["business_hours"]
        purpose = next(p for p in facts["purposes"] if p["code"] == SERVICE_PURPOSE)
        rule = next(r for r in facts["rules"] if r["category"] == Category.MESSAGES)
        closed = [str(WEEKDAY_NAMES[i]) for i, day in enumerate(WEEKDAYS) if day not in hours]
        why = str(purpose["description"].get(language) or purpose["description"].get("en", "")).strip()
        stored = _("When you write to us on WhatsApp, we store your messages and your phone number.")
        kept = _("We keep the messages for %(period)s, counted from: %(clock)s.") % {
            "period": period_words(rule["period_days"]),
            "clock": CLOCK_NAMES.get(rule["clock"], rule["clock"]),
        }
        return format_html(
            '<div lang="{lang}" style="{box}">'
            '<p style="margin:0 0 .6rem;font-weight:600;font-size:17px">{title}</p>'
            '<p style="margin:0 0 .8rem"><a href="https://wa.me/{digits}" rel="noopener" style="{button}">{write}</a>'
            "</p>"
            '<p style="margin:0">{when}</p><ul style="margin:.2rem 0 .4rem;padding-left:1.2rem">{hours}</ul>'
            '<p style="margin:0">{zone}{closed}</p>'
            '<p style="margin:.6rem 0 0">{response}</p>'
            '<p style="{small}">{stored} {why} {kept}</p>'
            '<p style="{small}">{meta}</p>'
            '<p style="{small}"><a href="{statement}" style="color:#0b57d0">{statement_text}</a></p>'
            "</div>",
            lang=language, box=_BOX, button=_BUTTON, small=_SMALL,
            title=_("Contact us on WhatsApp"),
            digits=re.sub(r"\D", "", number),
            write=_("Write to us on WhatsApp: %(number)s") % {"number": number},
            when=_("When we answer:"),
            hours=format_html_join("", "<li>{}</li>", ((line,) for line in hours_in_words(hours))),
            zone=_("Times in the time zone %(zone)s.") % {"zone": facts["controller_time_zone"]},
            closed=(" " + _("Closed: %(days)s.") % {"days": ", ".join(closed)}) if closed else "",
            response=response_words(hours, controller["response_hours"]),
            stored=stored, why=why, kept=kept,
            meta=_(
                "Meta, which runs WhatsApp, processes the metadata of your messages (such as phone numbers and "
                "times) for WhatsApp."
            ),
            statement=statement_url(language),
            statement_text=_("Our privacy statement: what we do with your data, and your rights"),
        )  # fmt: skip
