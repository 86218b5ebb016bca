"""The privacy statement, generated from what the system does (GDPR Art. 13, LGPD Art. 9).

``statement_build`` composes one statement per jurisdiction and language from ``programme_facts()``: the
controller and its DPO or encarregado, the purposes with their legal bases, the channels in use, the
recipients and transfers, the retention rules in words, the rights and how to use ``/privacy/``, the authority.
Every sentence is a msgid of the translation catalogues, so a statement in German is German throughout; the
facts fill in names, numbers and the texts the DPO wrote per language.

Each section names the items of the law it answers (``REQUIREMENTS``); ``statement_missing`` lists what the
programme still lacks for each, and publishing refuses while anything is missing. ``statement_publish``
freezes one version per jurisdiction and language (``consent.PrivacyNotice``: the HTML page as served, its
plain text, the facts, a content hash) that consent events reference from then on.
"""

import difflib
import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext, gettext_lazy

from consent.declarations import CATEGORY_NAMES, Category, Clock
from consent.history import history_note
from consent.jurisdictions import JURISDICTIONS, LANGUAGES, Jurisdiction
from consent.keywords import opt_out_word
from consent.models import ConsentState, PrivacyNotice
from consent.models.ledger import ConsentStatus
from consent.periods import Unit
from consent.rights import REFERENCES, Right
from contactcenter.models import Controller
from contactcenter.programme import WEBCHAT, WHATSAPP, programme_facts
from retention import registry

# --- Translation, recorded ----------------------------------------------------------------------------------
# Every sentence goes through ``_``: the catalogue test renders each statement with a recorder on and checks
# that every msgid used has its own translation in every catalogue (nothing falls back to English).

_used: ContextVar[set[str] | None] = ContextVar("statement_msgids", default=None)


def _(msgid: str) -> str:
    recorder = _used.get()
    if recorder is not None:
        recorder.add(msgid)
    return gettext(msgid)


@contextmanager
def msgids_recorded() -> Iterator[set[str]]:
    """Within it, the msgids the generator translates are collected in the yielded set."""
    found: set[str] = set()
    token = _used.set(found)
    try:
        yield found
    finally:
        _used.reset(token)


# --- What the law asks -------------------------------------------------------------------------------------

GDPR_ITEMS = (
    "13(1)(a)", "13(1)(b)", "13(1)(c)", "13(1)(d)", "13(1)(e)", "13(1)(f)",
    "13(2)(a)", "13(2)(b)", "13(2)(c)", "13(2)(d)", "13(2)(e)", "13(2)(f)",
)  # fmt: skip
LGPD_ITEMS = ("9 I", "9 II", "9 III", "9 IV", "9 V", "9 VI", "9 VII", "41 §1")

# The items each jurisdiction's statement must answer, with what they are (for the DPO: the completeness check).
REQUIREMENTS: dict[str, dict[str, Any]] = {
    "GDPR": {
        "13(1)(a)": gettext_lazy("the identity and contact details of the controller (and its representative)"),
        "13(1)(b)": gettext_lazy("the contact details of the data-protection officer"),
        "13(1)(c)": gettext_lazy("the purposes and their legal basis"),
        "13(1)(d)": gettext_lazy("the legitimate interests pursued, where they are the basis"),
        "13(1)(e)": gettext_lazy("the recipients or categories of recipients"),
        "13(1)(f)": gettext_lazy("transfers to third countries and their safeguards"),
        "13(2)(a)": gettext_lazy("how long the data are stored"),
        "13(2)(b)": gettext_lazy(
            "the rights of access, rectification, erasure, restriction, objection and portability"
        ),
        "13(2)(c)": gettext_lazy("the right to withdraw consent at any time"),
        "13(2)(d)": gettext_lazy("the right to lodge a complaint with a supervisory authority"),
        "13(2)(e)": gettext_lazy("whether providing the data is required, and the consequences of not providing them"),
        "13(2)(f)": gettext_lazy("automated decision-making, including profiling"),
    },
    "LGPD": {
        "9 I": gettext_lazy("the specific purpose of the processing"),
        "9 II": gettext_lazy("the form and duration of the processing"),
        "9 III": gettext_lazy("the identification of the controller"),
        "9 IV": gettext_lazy("the controller's contact information"),
        "9 V": gettext_lazy("the shared use of data and its purpose"),
        "9 VI": gettext_lazy("the responsibilities of the agents that carry out the processing"),
        "9 VII": gettext_lazy("the data subject's rights, with the rights of Art. 18"),
        "41 §1": gettext_lazy("the identity and contact of the encarregado"),
    },
}


# A recipient and its transfer basis are reviewed at least this often (the statement names them as true).
REVIEW_EVERY = timedelta(days=366)


def item_slug(jurisdiction: str, item: str) -> str:
    """``GDPR 13(1)(a)`` as an HTML attribute value: ``GDPR-13-1-a``."""
    return f"{jurisdiction}-" + "-".join(re.findall(r"[0-9A-Za-z§]+", item)).replace("§", "p")


@dataclass(frozen=True)
class Missing:
    """One required item the programme cannot fill yet, for the DPO (in the language of the request)."""

    jurisdiction: str
    item: str
    what: str
    language: str = ""

    def __str__(self) -> str:
        where = f" ({self.language})" if self.language else ""
        return f"{self.jurisdiction} {self.item}{where}: {self.what}"


# --- Words ---------------------------------------------------------------------------------------------------


def _country(code: str) -> str:
    names = {
        "IE": _("Ireland"), "US": _("the United States"),
        "DE": _("Germany"), "NL": _("the Netherlands"),
        "IT": _("Italy"), "BR": _("Brazil"),
        "FR": _("France"), "BE": _("Belgium"), "ES": _("Spain"), "LU": _("Luxembourg"),
        "GB": _("the United Kingdom"), "CH": _("Switzerland"),
        "SE": _("Sweden"), "DK": _("Denmark"), "PL": _("Poland"),
    }  # fmt: skip
    return names.get(code, code)


def _law(code: str) -> str:
    """The law's name in the reader's language (``Jurisdiction.law`` is the developers' English)."""
    names = {
        "GDPR": _("Regulation (EU) 2016/679 (General Data Protection Regulation, GDPR)"),
        "LGPD": _("Brazil's General Data Protection Law (Law No. 13,709/2018, LGPD)"),
    }
    return names.get(code, JURISDICTIONS[code].law)


def days_in_words(days: int) -> str:
    if days % 365 == 0:
        years = days // 365
        return _("one year") if years == 1 else _("%(count)s years") % {"count": years}
    if days == 1:
        return _("one day")
    if days >= 60 and days % 30 == 0:
        return _("%(count)s days (about %(months)s months)") % {"count": days, "months": days // 30}
    return _("%(count)s days") % {"count": days}


def _period_in_words(period: Any) -> str:
    if period.unit is Unit.CALENDAR_MONTHS:
        return _("one month") if period.amount == 1 else _("%(count)s months") % {"count": period.amount}
    if period.unit is Unit.CALENDAR_DAYS:
        return days_in_words(period.amount)
    return str(period)  # no answer period counts in hours or business days


def _clock_words(clock: str) -> str:
    words = {
        Clock.COLLECTED: _("after we received it"),
        Clock.CONVERSATION_RESOLVED: _("after your conversation with us was resolved"),
        Clock.LAST_CONTACT: _("after your last contact with us"),
        Clock.CONSENT_WITHDRAWN: _("after you withdrew your consent or it ended"),
        Clock.REQUEST_CLOSED: _("after your request was closed"),
        Clock.HOLD_ENDED: _("after the legal hold ended"),
    }
    return words.get(clock, clock)


def _text(values: dict[str, str] | None, language: str) -> str:
    return str((values or {}).get(language, "")).strip()


# The GDPR's abbreviation in the reader's language, for the citations the tables write in English.
_GDPR_ABBREVIATION = {"de": "DSGVO", "nl": "AVG", "pt-br": "RGPD"}


def _cite(citation: str) -> str:
    """``Art. 15 GDPR`` as the reader's language abbreviates the regulation (``Art. 15 DSGVO``)."""
    short = _GDPR_ABBREVIATION.get(translation.get_language() or "")
    return citation.replace("GDPR", short) if short else citation


def _basis_words(jurisdiction: Jurisdiction, code: str) -> str:
    basis = jurisdiction.basis(code)
    return f"{_cite(basis.citation)} ({basis.label})" if basis else ""


# --- The statement ---------------------------------------------------------------------------------------------


@dataclass
class Section:
    key: str
    heading: str
    items: tuple[str, ...] = ()
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    attr: str = ""  # the items as the HTML's data-items: "GDPR-13-1-a GDPR-13-1-b"


@dataclass
class Statement:
    jurisdiction: str
    language: str
    title: str
    intro: str
    sections: list[Section]

    def text(self) -> str:
        """The plain text: what the preview compares, and the notice's ``text``."""
        lines = [self.title, "", self.intro]
        for section in self.sections:
            lines += ["", f"## {section.heading}", *section.paragraphs, *(f"- {b}" for b in section.bullets)]
            lines += section.after
        return "\n".join(lines).strip() + "\n"

    def covered(self) -> set[str]:
        return {item for section in self.sections for item in section.items}


def _stored_categories() -> list[str]:
    """The categories some declared model holds (the registry), in the deletion concept's order."""
    declared = {d.category for d in registry.declarations()}
    return [c.value for c in Category if c in declared]


def _controller_lines(c: dict[str, Any]) -> list[str]:
    lines = [c["name"], *[line for line in c["address"].splitlines() if line.strip()]]
    lines.append(_("E-mail: %(email)s") % {"email": c["email"]})
    if c["phone"]:
        lines.append(_("Telephone: %(phone)s") % {"phone": c["phone"]})
    if c["website"]:
        lines.append(_("Website: %(url)s") % {"url": c["website"]})
    return lines


def _sections(facts: dict[str, Any], jurisdiction: Jurisdiction, language: str) -> list[Section]:
    code = jurisdiction.code
    gdpr = code == "GDPR"
    c = facts["controller"] or {}
    sections: list[Section] = []

    # Who is responsible
    controller = Section("controller", _("Who is responsible"), ("13(1)(a)",) if gdpr else ("9 III", "9 IV"))
    controller.paragraphs.append(
        _("The controller responsible for processing your personal data is:")
        if gdpr
        else _("The controller (controlador) responsible for processing your personal data is:")
    )
    controller.bullets += _controller_lines(c) if c else []
    if gdpr and c.get("eu_representative"):
        controller.after.append(
            _("Our representative in the European Union (Art. 27 GDPR): %(representative)s")
            % {"representative": " ".join(c["eu_representative"].split())}
        )
    sections.append(controller)

    if gdpr:
        dpo = Section("dpo", _("Our data-protection officer"), ("13(1)(b)",))
        dpo.paragraphs.append(_("You can reach our data-protection officer directly:"))
        if c:
            dpo.bullets += [c["dpo_name"], _("E-mail: %(email)s") % {"email": c["dpo_email"]}]
            if c["dpo_phone"]:
                dpo.bullets.append(_("Telephone: %(phone)s") % {"phone": c["dpo_phone"]})
    else:
        dpo = Section("dpo", _("Our data-protection officer (encarregado)"), ("41 §1", "9 IV"))
        dpo.paragraphs.append(
            _("Our encarregado (Art. 41 LGPD) receives your requests and complaints and answers them:")
        )
        if c:
            dpo.bullets += [c["encarregado_name"], _("E-mail: %(email)s") % {"email": c["encarregado_email"]}]
    sections.append(dpo)

    # Purposes and legal bases
    purposes = Section(
        "purposes",
        _("Why we process your data, and on what legal basis"),
        ("13(1)(c)", "13(1)(d)") if gdpr else ("9 I",),
    )
    purposes.paragraphs.append(_("We process your personal data for these purposes only:"))
    any_interest = False
    for p in facts["purposes"]:
        line = _("%(purpose)s: %(description)s Legal basis: %(basis)s.") % {
            "purpose": _text(p["name"], language), "description": _text(p["description"], language),
            "basis": _basis_words(jurisdiction, p["legal_bases"].get(code, "")),
        }  # fmt: skip
        basis = jurisdiction.basis(p["legal_bases"].get(code, ""))
        if basis is not None and basis.is_legitimate_interest:
            any_interest = True
            line += " " + _("Our legitimate interest: %(interest)s") % {
                "interest": _text(p["legitimate_interest"], language)
            }
        if p["special_category"]:
            condition = jurisdiction.special_condition(p["special_conditions"].get(code, ""))
            if condition is not None:
                line += " " + _("For sensitive data: %(condition)s.") % {
                    "condition": f"{_cite(condition.citation)} ({condition.label})"
                }
        purposes.bullets.append(line)
    if gdpr and not any_interest:
        purposes.after.append(_("None of these purposes relies on legitimate interests (Art. 6(1)(f) GDPR)."))
    sections.append(purposes)

    # What we process and how
    processing = Section("processing", _("What we process, and how"), () if gdpr else ("9 II",))
    channels = facts["channels"]
    if WHATSAPP in channels:
        processing.paragraphs.append(
            _(
                "When you write to us on WhatsApp, we receive your phone number, the name your WhatsApp profile "
                "shows and your messages with their attachments. Meta, which runs WhatsApp, processes the "
                "messages' metadata (who wrote to whom and when), possibly in the United States. We use the "
                "WhatsApp Business Platform: it gives us no access to your address book."
            )
        )
    if WEBCHAT in channels:
        processing.paragraphs.append(
            _(
                "When you chat with us on our website, we receive your messages and a random identifier of your "
                "browser that lets you continue the conversation; we ask for your consent before the chat starts."
            )
        )
    processing.paragraphs.append(
        _(
            "Our agents read and answer your messages in our contact centre. We store names and messages "
            "encrypted, with a key of your own, and record every time our staff reveal hidden parts of your data."
        )
    )
    if facts["sensitive_scan"]:
        processing.paragraphs.append(
            _(
                "Our system checks incoming messages automatically for sensitive data (for example health data, "
                "card or account numbers). It hides what it finds from agents who need not see it and alerts our "
                "data-protection officer, who may review the conversation to protect you."
            )
        )
    processing.paragraphs.append(_("We keep these kinds of data about you:"))
    processing.bullets += [str(CATEGORY_NAMES[category]) for category in _stored_categories()]
    sections.append(processing)

    # Recipients
    recipients = Section("recipients", _("Who receives your data"), ("13(1)(e)",) if gdpr else ("9 V",))
    if facts["recipients"]:
        recipients.paragraphs.append(_("We share your data only with these service providers and recipients:"))
        roles = {
            "processor": _("processes data on our behalf and on our instructions"),
            "controller": _("an independent controller"),
            "joint": _("a joint controller with us"),
        }
        for r in facts["recipients"]:
            received = "; ".join(str(CATEGORY_NAMES[c]) for c in r["data_categories"] if c in CATEGORY_NAMES)
            recipients.bullets.append(
                _("%(name)s (%(country)s), %(role)s: %(service)s")
                % {
                    "name": r["name"],
                    "country": _country(r["country"]),
                    "role": roles.get(r["role"], r["role"]),
                    "service": _text(r["service"], language),
                }
                + (" " + _("They receive: %(categories)s.") % {"categories": received} if received else "")
            )
    else:
        recipients.paragraphs.append(_("We share your data with no one outside our company."))
    sections.append(recipients)

    # Transfers: each regime judged by its own instruments (the EU's DPF or SCCs are no basis under the LGPD).
    if gdpr:
        # Processed outside the EEA, or passed on from inside to outside (an onward transfer, such as Meta's).
        abroad = [
            (r, r["transfer_mechanism"]) for r in facts["recipients"]
            if r["country"] not in jurisdiction.countries or r["transfer_mechanism"] != "none"
        ]  # fmt: skip
        mechanisms = {
            "adequacy": _("an adequacy decision"),
            "dpf": _("the EU-US Data Privacy Framework (Commission Implementing Decision (EU) 2023/1795)"),
            "scc": _("standard contractual clauses (Commission Implementing Decision (EU) 2021/914)"),
            "bcr": _("binding corporate rules"),
        }
    else:
        abroad = [
            (r, r["lgpd_transfer_mechanism"]) for r in facts["recipients"] if r["country"] not in jurisdiction.countries
        ]
        mechanisms = {
            "adequacy": _("a country the ANPD recognises as adequate (Art. 33, I LGPD)"),
            "scc": _("the ANPD's standard contractual clauses (Art. 33, II, b LGPD; Resolution CD/ANPD 19/2024)"),
            "bcr": _("global corporate rules (Art. 33, II, c LGPD)"),
            "consent": _("your specific and highlighted consent to the transfer (Art. 33, VIII LGPD)"),
        }
    transfers = Section(
        "transfers", _("Transfers outside the European Economic Area") if gdpr else _("International transfers"),
        ("13(1)(f)",) if gdpr else ("9 V",),
    )  # fmt: skip
    if abroad:
        transfers.paragraphs.append(
            _(
                "Some recipients process data outside the European Economic Area or pass them on there, with these "
                "safeguards:"
            )
            if gdpr
            else _("Some recipients process data outside Brazil (Art. 33 LGPD), with these safeguards:")
        )
        for r, mechanism in abroad:
            transfers.bullets.append(
                _("%(name)s, %(country)s: %(mechanism)s")
                % {"name": r["name"], "country": _country(r["country"]), "mechanism": mechanisms.get(mechanism, "")}
            )
        transfers.after.append(_("You can ask our data-protection officer for a copy of these safeguards."))
    else:
        transfers.paragraphs.append(
            _("Your data are not transferred outside the European Economic Area.")
            if gdpr
            else _("Your data are not transferred outside Brazil.")
        )
    sections.append(transfers)

    # Retention
    retention = Section("retention", _("How long we keep your data"), ("13(2)(a)",) if gdpr else ("9 II",))
    retention.paragraphs.append(_("Every kind of data has a rule, and our system deletes what is due every day:"))
    for rule in facts["rules"]:
        name = str(CATEGORY_NAMES.get(rule["category"], rule["category"]))
        if rule["clock"] == Clock.NOTHING_ELSE_KEPT:
            line = _("%(category)s: as long as we keep anything else about you, then deleted.") % {"category": name}
        else:
            action = (
                _("then deleted")
                if rule["action"] == "delete"
                else _("then kept only without anything that identifies you")
            )
            line = _("%(category)s: %(period)s %(clock)s, %(action)s.") % {
                "category": name, "period": days_in_words(rule["period_days"]),
                "clock": _clock_words(rule["clock"]), "action": action,
            }  # fmt: skip
        reason = _text(rule["reason"], language)
        retention.bullets.append(f"{line} {reason}".strip())
    sections.append(retention)

    # Rights
    rights = Section("rights", _("Your rights"), ("13(2)(b)",) if gdpr else ("9 VII",))
    names = [
        (Right.ACCESS, _("access to your data and a copy of it")),
        (Right.RECTIFICATION, _("correction of wrong or incomplete data")),
        (Right.ERASURE, _("erasure of your data")),
        (Right.RESTRICTION, _("restriction of processing") if gdpr else _("blocking of unnecessary or excessive data")),
        (Right.OBJECTION, _("objection to processing")),
        (Right.PORTABILITY, _("your data in a machine-readable form (portability)")),
    ]
    rights.paragraphs.append(_("You have the right to:"))
    if not gdpr:
        rights.bullets.append(_("confirmation that we process your data (Art. 18 I LGPD)"))
    rights.bullets += [f"{label} ({_cite(REFERENCES[right][code])})" for right, label in names]
    if not gdpr:
        rights.bullets += [
            _("information about the public and private bodies with which we share your data (Art. 18 VII LGPD)"),
            _(
                "information about the possibility of not giving your consent and what follows from refusing it "
                "(Art. 18 VIII LGPD)"
            ),
            _(
                "a review of decisions taken solely on automated processing that affect your interests (Art. 20 "
                "LGPD); we take no such decisions"
            ),
        ]
    rights_url = facts["rights_url"]
    if rights_url.endswith("/privacy/"):
        rights_url += f"?lang={language}"
    rights.after.append(
        _("To use them, open %(url)s: confirm your number or e-mail address with a one-time code and choose what "
          "you want. You can also write to our data-protection officer.") % {"url": rights_url}
    )  # fmt: skip
    answer = _period_in_words(jurisdiction.request_answer)
    if jurisdiction.request_extension is None:
        rights.after.append(_("We answer within %(period)s of receiving your request.") % {"period": answer})
    else:
        rights.after.append(
            _("We answer within %(period)s of receiving your request; where the law allows, we may extend this by "
              "%(extension)s and tell you why.")
            % {"period": answer, "extension": _period_in_words(jurisdiction.request_extension)}
        )  # fmt: skip
    sections.append(rights)

    # Withdrawal
    word = opt_out_word(language)
    withdrawal = Section("withdrawal", _("Withdrawing your consent"), ("13(2)(c)",) if gdpr else ("9 VII",))
    withdrawal.paragraphs.append(
        _("Where we process your data with your consent, you can withdraw it at any time, as easily as you gave "
          "it: reply %(words)s in the chat, or use %(url)s. The withdrawal does not affect what we did before it "
          "(%(citation)s).") % {
            "words": word if word == "STOP" else f"{word} / STOP", "url": rights_url,
            "citation": _cite(REFERENCES[Right.WITHDRAWAL][code]),
        }
    )  # fmt: skip
    sections.append(withdrawal)

    # Complaint
    authority = facts["authorities"].get(code)
    complaint = Section("complaint", _("Your right to complain"), ("13(2)(d)",) if gdpr else ("9 VII",))
    complaint.paragraphs.append(
        _("You can lodge a complaint with a supervisory authority, in particular in the country where you live "
          "or work. The authority for our establishment is:")
        if gdpr
        else _("You can petition the national data-protection authority about our processing (Art. 18 §1 LGPD):")
    )  # fmt: skip
    if authority:
        complaint.bullets.append(authority["name"])
        complaint.bullets += [line for line in authority["address"].splitlines() if line.strip()]
        complaint.bullets.append(_("Website: %(url)s") % {"url": authority["website"]})
        if authority["email"]:
            complaint.bullets.append(_("E-mail: %(email)s") % {"email": authority["email"]})
    sections.append(complaint)

    # Whether you must provide data
    obligation = Section("obligation", _("Do you have to give us your data?"), ("13(2)(e)",) if gdpr else ("9 VII",))
    obligation.paragraphs.append(
        _("No law or contract obliges you to write to us. If you do, we need your number or chat identity and "
          "your messages to answer you: without them we cannot help you in the chat.")
    )  # fmt: skip
    consent_purposes = [
        _text(p["name"], language) for p in facts["purposes"]
        if (b := jurisdiction.basis(p["legal_bases"].get(code, ""))) is not None and b.is_consent
    ]  # fmt: skip
    if consent_purposes:
        obligation.paragraphs.append(
            _("Your consent is voluntary. If you do not give it, we simply do not process your data for that "
              "purpose (%(purposes)s); nothing else changes for you.") % {"purposes": "; ".join(consent_purposes)}
        )  # fmt: skip
    sections.append(obligation)

    if gdpr:
        automated = Section("automated", _("Automated decisions"), ("13(2)(f)",))
        automated.paragraphs.append(
            _("We make no decisions about you based solely on automated processing, including profiling, that "
              "have legal effects for you or similarly affect you (Art. 22 GDPR).")
        )  # fmt: skip
        if facts["sensitive_scan"]:
            automated.paragraphs.append(
                _("The automatic check for sensitive data described above decides nothing about you: it protects "
                  "your data and informs our staff.")
            )  # fmt: skip
        sections.append(automated)
    else:
        agents = Section("agents", _("Who is responsible for what"), ("9 VI",))
        agents.paragraphs.append(
            _("%(controller)s decides why and how your data are processed and answers for it as controller. Our "
              "service providers (operadores) process data only on our instructions and must protect them as "
              "we do. Our encarregado is your contact for everything about your data.") % {
                "controller": c.get("name", "")
            }
        )  # fmt: skip
        sections.append(agents)

    changes = Section("changes", _("Changes to this statement"))
    changes.paragraphs.append(
        _("We publish every change as a new version; earlier versions stay available. If we change a purpose "
          "for which you gave your consent, we tell you and you may withdraw it.")
    )  # fmt: skip
    sections.append(changes)
    return sections


def statement_build(facts: dict[str, Any], jurisdiction: str, language: str) -> Statement:
    regime = JURISDICTIONS[jurisdiction]
    with translation.override(language):
        controller = (facts["controller"] or {}).get("name", "")
        return Statement(
            jurisdiction=jurisdiction,
            language=language,
            title=_("Privacy statement"),
            intro=_(
                "This statement explains how %(controller)s processes your personal data when you contact us, "
                "under %(law)s. It is generated from the configuration of our contact centre, so it says what "
                "our systems actually do."
            )
            % {"controller": controller, "law": _law(jurisdiction)},
            sections=[
                replace(section, attr=" ".join(item_slug(jurisdiction, item) for item in section.items))
                for section in _sections(facts, regime, language)
            ],
        )


# --- Completeness -------------------------------------------------------------------------------------------


def statement_missing(facts: dict[str, Any]) -> list[Missing]:
    """Each required item the programme leaves empty, per jurisdiction (and language where a text is missing)."""
    missing: list[Missing] = []
    c = facts["controller"]
    for code in JURISDICTIONS:
        regime = JURISDICTIONS[code]
        gdpr = code == "GDPR"

        def need(item: str, what: str, language: str = "", code: str = code) -> None:
            missing.append(Missing(code, item, what, language))

        who = ("13(1)(a)",) if gdpr else ("9 III", "9 IV")
        if c is None:
            for item in who:
                need(item, gettext("no controller is entered (Privacy programme → Controller)"))
        else:
            for key, label in (
                ("name", gettext("name")),
                ("address", gettext("postal address")),
                ("email", gettext("e-mail address")),
            ):
                if not str(c.get(key, "")).strip():
                    need(who[0], gettext("the controller's %(field)s is empty") % {"field": label})
            if gdpr and not c.get("dpo_email"):
                need("13(1)(b)", gettext("the data-protection officer's e-mail address is empty"))
            if not gdpr and not c.get("encarregado_email"):
                need("41 §1", gettext("the encarregado's e-mail address is empty"))
        if gdpr and c is None:
            need("13(1)(b)", gettext("no data-protection officer is entered"))
        if not gdpr and c is None:
            need("41 §1", gettext("no encarregado is entered"))
        purpose_item = "13(1)(c)" if gdpr else "9 I"
        if not facts["purposes"]:
            need(purpose_item, gettext("no active purpose"))
        for p in facts["purposes"]:
            basis = regime.basis(p["legal_bases"].get(code, ""))
            if basis is None:
                need(purpose_item, gettext("purpose “%(code)s” has no legal basis") % {"code": p["code"]})
            if p["special_category"] and regime.special_condition(p["special_conditions"].get(code, "")) is None:
                need(
                    purpose_item,
                    gettext("purpose “%(code)s” processes special-category data: its condition is missing")
                    % {"code": p["code"]},
                )
            for language in LANGUAGES:
                for key, label in (
                    ("name", gettext("purpose “%(code)s”: the name is missing")),
                    ("description", gettext("purpose “%(code)s”: the description is missing")),
                ):
                    if not _text(p[key], language):
                        need(purpose_item, label % {"code": p["code"]}, language)
                if basis is not None and basis.is_legitimate_interest and not _text(p["legitimate_interest"], language):
                    need(
                        "13(1)(d)" if gdpr else "9 I",
                        gettext("purpose “%(code)s” rests on legitimate interests: the interest pursued is missing")
                        % {"code": p["code"]},
                        language,
                    )
        recipient_item = "13(1)(e)" if gdpr else "9 V"
        if WHATSAPP in facts["channels"] and not facts["recipients"]:
            need(recipient_item, gettext("WhatsApp is in use, but no recipient is entered for it (Meta)"))
        for r in facts["recipients"]:
            for language in LANGUAGES:
                if not _text(r["service"], language):
                    need(
                        recipient_item,
                        gettext("recipient “%(name)s”: what they do for us is missing") % {"name": r["name"]},
                        language,
                    )
            if not gdpr and r["country"] not in regime.countries and r["lgpd_transfer_mechanism"] in ("", "none"):
                need(
                    "9 V",
                    gettext("recipient “%(name)s” processes data outside Brazil: record what the transfer rests on "
                            "under the LGPD (Art. 33)") % {"name": r["name"]},
                )  # fmt: skip
            if r["last_reviewed"] is not None and date.fromisoformat(r["last_reviewed"]) < date.today() - REVIEW_EVERY:
                need(
                    "13(1)(f)" if gdpr else "9 V",
                    gettext("recipient “%(name)s” was last reviewed more than a year ago: review it again")
                    % {"name": r["name"]},
                )
            if r["last_reviewed"] is None:
                need(
                    "13(1)(f)" if gdpr else "9 V",
                    gettext(
                        "recipient “%(name)s” was never reviewed: check it and its transfer basis, then set "
                        "“last reviewed”"
                    )
                    % {"name": r["name"]},
                )
        retention_item = "13(2)(a)" if gdpr else "9 II"
        ruled = {rule["category"] for rule in facts["rules"]}
        for category in _stored_categories():
            if category not in ruled:
                need(
                    retention_item,
                    gettext("data category “%(category)s” has no retention rule") % {"category": category},
                )
        for rule in facts["rules"]:
            for language in LANGUAGES:
                if not _text(rule["reason"], language):
                    need(
                        retention_item,
                        gettext("retention rule “%(category)s”: the reason for the customer is missing")
                        % {"category": rule["category"]},
                        language,
                    )
        if code not in facts["authorities"]:
            need("13(2)(d)" if gdpr else "9 VII", gettext("no supervisory authority is entered for this jurisdiction"))
    return missing


# --- Publishing -----------------------------------------------------------------------------------------------


def statement_url(version: int, jurisdiction: str, language: str) -> str:
    return f"/privacy/statement/{version}/?jurisdiction={jurisdiction}&lang={language}"


def _render(statement: Statement, *, version: int, published: datetime) -> str:
    local = published.astimezone(ZoneInfo(_time_zone()))
    with translation.override(statement.language):
        return render_to_string(
            "privacy/statement.html",
            {
                "statement": statement, "version": version,
                "published": formats.date_format(local.date(), "DATE_FORMAT"),
                "law": _law(statement.jurisdiction),
                "labels": {
                    "version": _("Version %(version)s, published on %(date)s") % {
                        "version": version, "date": formats.date_format(local.date(), "DATE_FORMAT")},
                    "languages": _("This statement in other languages"),
                    "current": _("The current version of this statement"),
                },
                "others": [
                    (label, statement_url(version, statement.jurisdiction, lang))
                    for lang, label in (
                        ("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands"), ("it", "Italiano"),
                        ("pt-br", "Português (Brasil)"),
                    )
                    if lang != statement.language
                ],
                "current_url": f"/privacy/statement/?jurisdiction={statement.jurisdiction}&lang={statement.language}",
                "slug": item_slug,
            },
        )  # fmt: skip


def _time_zone() -> str:
    return settings.CONTROLLER_TIME_ZONE


@dataclass(frozen=True)
class Draft:
    """What publishing now would publish, beside what is published: for the preview."""

    jurisdiction: str
    language: str
    text: str
    published: PrivacyNotice | None

    def diff(self, context: int = 1) -> list[tuple[str, str]]:
        """(kind, line), kind "added", "removed", "same" or "gap" (unchanged lines left out): the published text
        against the new one, each change with ``context`` unchanged lines around it."""
        before = self.published.text.splitlines() if self.published else []
        lines = [
            ({"+ ": "added", "- ": "removed"}.get(line[:2], "same"), line[2:])
            for line in difflib.ndiff(before, self.text.splitlines())
            if not line.startswith("? ")
        ]
        near = {
            i + offset
            for i, (kind, _line) in enumerate(lines)
            if kind != "same"
            for offset in range(-context, context + 1)
        }
        out: list[tuple[str, str]] = []
        for i, line in enumerate(lines):
            if i in near:
                out.append(line)
            elif not out or out[-1][0] != "gap":
                out.append(("gap", "…"))
        return out

    @property
    def changed(self) -> bool:
        return self.published is None or self.published.text != self.text


def _latest(jurisdiction: str, language: str) -> PrivacyNotice | None:
    return (
        PrivacyNotice.objects.filter(jurisdiction=jurisdiction, language=language, published_at__isnull=False)
        .order_by("-version")
        .first()
    )


def statement_drafts(facts: dict[str, Any] | None = None) -> list[Draft]:
    facts = facts if facts is not None else programme_facts()
    return [
        Draft(code, language, statement_build(facts, code, language).text(), _latest(code, language))
        for code in JURISDICTIONS
        for language in LANGUAGES
    ]


def _purpose_fingerprint(p: dict[str, Any], facts: dict[str, Any]) -> dict[str, Any]:
    """What a customer was told about a purpose they consented to: its purpose (LGPD Art. 9 I), the form and
    duration of the processing (II: the retention rules), the controller (III) and the shared use (V: the
    recipients). A change in any of them is to be told, and consent asked again (LGPD Art. 8 §6)."""
    keys = ("name", "description", "legal_bases", "special_category", "special_conditions", "legitimate_interest")
    controller = facts.get("controller") or {}
    return {
        "purpose": {key: p.get(key) for key in keys},
        "rules": [
            {k: r.get(k) for k in ("category", "clock", "period_days", "action")} for r in facts.get("rules", [])
        ],
        "controller": {k: controller.get(k) for k in ("name", "address", "email")},
        "recipients": [
            {k: r.get(k) for k in ("name", "country", "service", "transfer_mechanism", "lgpd_transfer_mechanism")}
            for r in facts.get("recipients", [])
        ],
    }


@dataclass(frozen=True)
class Reconsent:
    purpose: str
    name: str
    customers: int


def reconsent_needed(facts: dict[str, Any] | None = None) -> list[Reconsent]:
    """Per consent purpose, how many customers' consent in force was given under a version that described the
    purpose otherwise (or a hand-written notice, whose description cannot be compared) than ``facts`` do."""
    facts = facts if facts is not None else programme_facts()
    current = {p["code"]: p for p in facts["purposes"]}
    rows = (
        ConsentState.objects.filter(status=ConsentStatus.GRANTED, purpose__code__in=current)
        .values("purpose__code", "notice_id")
        .annotate(customers=Count("id"))
    )
    sources = dict(
        PrivacyNotice.objects.filter(id__in={row["notice_id"] for row in rows if row["notice_id"]}).values_list(
            "id", "sources"
        )
    )
    counts: dict[str, int] = {}
    for row in rows:
        code = row["purpose__code"]
        then = sources.get(row["notice_id"]) or {}
        seen = {p["code"]: p for p in then.get("purposes", [])}.get(code)
        if seen is None or _purpose_fingerprint(seen, then) != _purpose_fingerprint(current[code], facts):
            counts[code] = counts.get(code, 0) + row["customers"]
    language = translation.get_language() if translation.get_language() in LANGUAGES else "en"
    return [Reconsent(code, _text(current[code]["name"], language), n) for code, n in sorted(counts.items()) if n]


class StatementUnchanged(Exception):
    """Publishing now would repeat the versions in force word for word."""


class StatementIncomplete(Exception):
    def __init__(self, missing: list[Missing]) -> None:
        self.missing = missing
        super().__init__("; ".join(str(m) for m in missing))


@transaction.atomic
def statement_publish(*, actor: Any, facts: dict[str, Any] | None = None) -> list[PrivacyNotice]:
    """Publish the generated statement for every jurisdiction and language as one new version (the same number
    for all of them). Refuses (``StatementIncomplete``, naming every item) while anything required is missing."""
    facts = facts if facts is not None else programme_facts()
    missing = statement_missing(facts)
    if missing:
        raise StatementIncomplete(missing)
    # One number for the whole release: the controller's row (there is one, or nothing was complete) is the
    # lock that keeps two publishers from taking the same number, even while no notice exists yet.
    Controller.objects.select_for_update().filter(pk=1).first()
    if not any(d.changed for d in statement_drafts(facts)):
        raise StatementUnchanged
    version = (PrivacyNotice.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    published_at = timezone.now()
    notices = []
    for code in JURISDICTIONS:
        for language in LANGUAGES:
            statement = statement_build(facts, code, language)
            notice = PrivacyNotice(
                language=language, jurisdiction=code, version=version, title=statement.title,
                text=statement.text(), sources=facts,
                document=_render(statement, version=version, published=published_at),
            )  # fmt: skip
            notice.full_clean(exclude=["content_hash"])
            history_note(notice, actor=actor, reason="generated statement created")
            notice.save()
            notice.published_at = published_at
            history_note(notice, actor=actor, reason="published")
            notice.save(update_fields=["published_at", "content_hash"])
            notices.append(notice)
    return notices


def facts_digest(facts: dict[str, Any]) -> str:
    """A short fingerprint of the facts, so that a publish can refuse what the DPO did not preview."""
    return hashlib.sha256(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()[:16]


def statement_preview(jurisdiction: str, language: str, facts: dict[str, Any] | None = None) -> str:
    """The page publishing now would produce (version and date as they would be)."""
    facts = facts if facts is not None else programme_facts()
    version = (PrivacyNotice.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    return _render(statement_build(facts, jurisdiction, language), version=version, published=timezone.now())


__all__: list[str] = [
    "REQUIREMENTS", "Draft", "Missing", "Reconsent", "Statement", "StatementIncomplete",
    "StatementUnchanged",
    "facts_digest", "item_slug",
    "msgids_recorded", "reconsent_needed", "statement_build", "statement_drafts", "statement_missing",
    "statement_preview", "statement_publish", "statement_url",
]  # fmt: skip
