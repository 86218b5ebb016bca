"""The records of processing activities (GDPR Art. 30(1)(a) to (g)), generated from what the system does.

``records_of_processing`` turns ``programme_facts()`` (the controller, the purposes with their legal bases, the
recipients, the retention rules, the channels in use) and the personal-data registry (the categories of data
actually stored) into one record per active purpose, every text in the language asked for. Nothing is typed
twice: a record changes when the configuration does.

What is missing is said, never hidden: no controller, no e-mail address for the data-protection officer, a
recipient whose service is not written in the language, a category without a retention rule, each reads
"not recorded", so the DPO sees the gap the authority would see.

The records describe processing, never a person: they hold no personal data of customers.
"""

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from consent.declarations import CATEGORY_NAMES, CLOCK_NAMES, Category
from consent.jurisdictions import JURISDICTIONS
from contactcenter import roles
from contactcenter.models import RecipientRole, TransferMechanism
from contactcenter.programme import WEBCHAT, WHATSAPP, programme_facts
from retention import registry
from retention.models import RetentionAction


def not_recorded() -> str:
    return _("not recorded")


def period_words(days: int) -> str:
    """A retention period in words: years or months where the days are exactly that many (365, 30 a piece),
    the days beside them so nothing is rounded; days otherwise."""
    if days == 0:
        return _("no time at all: at that moment")
    if days % 365 == 0:
        years = days // 365
        words = _("one year") if years == 1 else _("%(count)s years") % {"count": years}
    elif days % 30 == 0:
        months = days // 30
        words = _("one month") if months == 1 else _("%(count)s months") % {"count": months}
    else:
        return _("one day") if days == 1 else _("%(count)s days") % {"count": days}
    return _("%(period)s (%(days)s days)") % {"period": words, "days": days}


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or not_recorded()


def _joined(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def _controller(controller: dict[str, Any] | None) -> dict[str, str]:
    """(a): who is responsible, and how to reach them and the data-protection officer."""
    if controller is None:
        return {"controller": not_recorded(), "dpo": not_recorded(), "eu_representative": "", "encarregado": ""}
    address = ", ".join(line.strip() for line in (controller["address"] or "").splitlines() if line.strip())
    reach = (
        address or _("postal address not recorded"),
        controller["email"] or _("e-mail address not recorded"),
        controller["phone"],
        controller["website"],
    )
    dpo = (controller["dpo_email"] or _("e-mail address not recorded"), controller["dpo_phone"])
    named_apart = (controller["encarregado_name"], controller["encarregado_email"]) != (
        controller["dpo_name"],
        controller["dpo_email"],
    )
    return {
        "controller": _joined(controller["name"] or not_recorded(), *reach),
        "dpo": _joined(controller["dpo_name"] or not_recorded(), *dpo),
        "eu_representative": " ".join((controller["eu_representative"] or "").split()),
        # LGPD Art. 41: named only where it is someone else than the data-protection officer.
        "encarregado": _joined(controller["encarregado_name"], controller["encarregado_email"]) if named_apart else "",
    }


def _bases(purpose: dict[str, Any], language: str) -> list[dict[str, str]]:
    """(b): the legal basis in each jurisdiction, with the condition for special-category data where it has one."""
    found = []
    for code, jurisdiction in sorted(JURISDICTIONS.items()):
        basis = jurisdiction.basis(purpose["legal_bases"].get(code, ""))
        entry = {
            "jurisdiction": code,
            "citation": basis.citation if basis else "",
            "label": str(basis.label) if basis else not_recorded(),
            "special": "",
            "interest": "",
        }
        if purpose["special_category"]:
            condition = jurisdiction.special_condition(purpose["special_conditions"].get(code, ""))
            entry["special"] = f"{condition.citation} – {condition.label}" if condition else not_recorded()
        if basis is not None and basis.is_legitimate_interest:
            entry["interest"] = str(purpose["legitimate_interest"].get(language, "")).strip() or not_recorded()
        entry["text"] = f"{code}: " + " – ".join(p for p in (entry["citation"], entry["label"]) if p)
        found.append(entry)
    return found


def _subjects(purpose: dict[str, Any], channels: list[str]) -> list[str]:
    """(c): whom the activity concerns: the customers who reach us on the channels that run."""
    described = {
        WHATSAPP: _("Customers who write to us on WhatsApp"),
        WEBCHAT: _("Customers who write to us in the web chat on our website"),
    }
    found = [described[channel] for channel in channels if channel in described]
    if not found:
        return [_("Customers who contact us: no channel is in use (not recorded)")]
    bases = [
        JURISDICTIONS[code].basis(basis) for code, basis in purpose["legal_bases"].items() if code in JURISDICTIONS
    ]
    if bases and all(basis is not None and basis.is_consent for basis in bases):
        found.append(_("of them, only those who gave their consent to this purpose"))
    return found


def stored_categories() -> list[str]:
    """The data categories the registry declares, in the deletion concept's order."""
    declared = {str(d.category) for d in registry.declarations()}
    return [category.value for category in Category if category.value in declared]


def _recipients(facts: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """(d): who receives the data, in what role, for what; and (e) where that is a transfer."""
    eea = JURISDICTIONS["GDPR"].countries
    found = []
    for recipient in facts["recipients"]:
        categories = [c for c in recipient["data_categories"] if c in CATEGORY_NAMES]
        service = str(recipient["service"].get(language, "")).strip()
        mechanism = recipient["transfer_mechanism"]
        transfer = recipient["country"] not in eea or mechanism != TransferMechanism.NONE
        found.append(
            {
                "name": recipient["name"],
                "role": _label(RecipientRole, recipient["role"]),
                "service": service or _("not recorded in this language"),
                "category_codes": categories,
                "categories": [str(CATEGORY_NAMES[c]) for c in categories] or [not_recorded()],
                "country": recipient["country"],
                # The GDPR's view (the controller's regime): outside the EEA is a transfer; a recipient inside
                # it with a mechanism named transfers onward (its note says where).
                "transfer": transfer,
                "onward": transfer and recipient["country"] in eea,
                "mechanism": _label(TransferMechanism, mechanism),
                "note": recipient["transfer_note"],
            }
        )
    return found


def _transfer_text(recipient: dict[str, Any]) -> str:
    if recipient["onward"]:
        where = _("%(name)s (%(country)s), onward transfers") % recipient
    else:
        where = _("%(name)s, to %(country)s") % recipient
    return _joined(f"{where}: {recipient['mechanism']}", recipient["note"])


def _time_limits(categories: list[str], rules: list[dict[str, Any]], language: str) -> list[dict[str, str]]:
    """(f): when each category is erased: the period in words, the moment it counts from, what happens then."""
    by_category = {rule["category"]: rule for rule in rules}
    found = []
    for category in categories:
        rule = by_category.get(category)
        entry = {"category": category, "name": str(CATEGORY_NAMES[category])}
        if rule is None:
            entry.update(period=not_recorded(), clock=not_recorded(), action=not_recorded(), reason="")
        else:
            reason = rule["reason"] if isinstance(rule["reason"], dict) else {}
            entry.update(
                period=period_words(rule["period_days"]),
                clock=str(CLOCK_NAMES[rule["clock"]]) if rule["clock"] in CLOCK_NAMES else not_recorded(),
                action=_label(RetentionAction, rule["action"]),
                reason=str(reason.get(language, "")).strip() or _("not recorded in this language"),
            )
        entry["text"] = _("%(period)s, counted from: %(clock)s; then: %(action)s") % entry
        found.append(entry)
    return found


def security_measures(facts: dict[str, Any]) -> list[str]:
    """(g): the technical and organisational measures that run in this configuration, each said only if true."""
    from django.contrib.auth.models import Group

    measures = []
    if settings.FIELD_ENCRYPTION_KEY:
        measures.append(
            _(
                "Encryption at rest: names, contact details, message texts, notes and files are stored encrypted "
                "(AES-256-GCM), each person's under their own key; those keys are stored only wrapped by a master "
                "key kept outside the database. Look-ups use keyed hashes instead of the plain values. Erasing a "
                "person destroys their key first."
            )
        )
    ledger = _(
        "Consent ledger: every consent given or withdrawn is appended to a hash-chained ledger that can be "
        "neither changed nor deleted, and whose integrity can be verified at any time."
    )
    if connection.vendor == "postgresql":
        ledger += " " + _("A database trigger refuses any change to it as well.")
    measures.append(ledger)
    if apps.is_installed("simple_history"):
        measures.append(
            _(
                "Audit history: every change to the data and the configuration is kept with who made it and when "
                "(django-simple-history)."
            )
        )
    measures.append(
        _(
            "Staff access log: data hidden by default (a card number, say) is shown to staff only with a stated "
            "reason, and every such access is written to an append-only log the data-protection officer reads."
        )
    )
    if Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).count() == len(roles.ROLE_PERMISSIONS):
        measures.append(
            _(
                "Least privilege: staff work in roles (agent, supervisor, data-protection officer, administrator) "
                "that grant only what each task needs; agents have no access to the administration."
            )
        )
    if facts["sensitive_scan"]:
        measures.append(
            _(
                "Sensitive-data guard: every message is scanned before it is stored for card numbers, bank "
                "accounts, identity numbers and health details; findings are kept without their values, and a "
                "conversation with special-category data is shown only to its agent, their team's supervisors and "
                "the data-protection officer."
            )
        )
    return measures


def records_of_processing(facts: dict[str, Any] | None = None, language: str = "en") -> list[dict[str, Any]]:
    """One record per active purpose, with the Art. 30(1) letters ``a`` … ``g``, every text in ``language``."""
    facts = facts if facts is not None else programme_facts()
    categories = stored_categories()
    with translation.override(language):
        controller = _controller(facts["controller"])
        recipients = _recipients(facts, language)
        transfers = [dict(r, text=_transfer_text(r)) for r in recipients if r["transfer"]]
        time_limits = _time_limits(categories, facts["rules"], language)
        measures = security_measures(facts)
        data = [{"category": c, "name": str(CATEGORY_NAMES[c])} for c in categories]
        records = []
        for purpose in facts["purposes"]:
            name = str(purpose["name"].get(language) or purpose["name"].get("en") or purpose["code"])
            description = str(purpose["description"].get(language, "")).strip()
            records.append(
                {
                    "code": purpose["code"],
                    "name": name,
                    "a": controller,
                    "b": {
                        "purpose": name,
                        "description": description or _("not recorded in this language"),
                        "bases": _bases(purpose, language),
                    },
                    "c": {"subjects": [str(s) for s in _subjects(purpose, facts["channels"])], "data": data},
                    "d": recipients,
                    "e": transfers,
                    "f": time_limits,
                    "g": measures,
                }
            )
    return records


# Spreadsheet programs run a cell that starts with one of these as a formula (CSV injection): such a cell is
# written with a quote in front, which shows as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def records_table(records: list[dict[str, Any]], language: str = "en") -> list[list[str]]:
    """The records as rows for a spreadsheet: the header, then one row per activity and category of data,
    with a column for every Art. 30(1) letter; every cell safe to open in a spreadsheet program."""
    with translation.override(language):
        header = [
            _("Processing activity"),
            f"(a) {_('Controller')}",
            f"(a) {_('Data-protection officer')}",
            f"(a) {_('Encarregado (LGPD)')}",
            f"(a) {_('Representative in the EU')}",
            f"(b) {_('Purpose')}",
            f"(b) {_('Legal basis')}",
            f"(c) {_('Categories of data subjects')}",
            f"(c) {_('Category of personal data')}",
            f"(d) {_('Recipients')}",
            f"(e) {_('Transfers to third countries')}",
            f"(f) {_('Time limit for erasure')}",
            f"(f) {_('Counted from')}",
            f"(f) {_('Then')}",
            f"(g) {_('Technical and organisational security measures')}",
        ]
        none = _("none")
        rows = [header]
        for record in records:
            limits = {entry["category"]: entry for entry in record["f"]}
            bases = "\n".join(
                _joined(b["text"], b["special"], b["interest"] and _("interest: %(interest)s") % b)
                for b in record["b"]["bases"]
            )
            for data in record["c"]["data"]:
                category = data["category"]
                # A recipient whose categories are not recorded may receive any: it is named on every row.
                receiving = [r for r in record["d"] if category in r["category_codes"] or not r["category_codes"]]
                limit = limits[category]
                rows.append(
                    [
                        record["name"],
                        record["a"]["controller"],
                        record["a"]["dpo"],
                        record["a"]["encarregado"],
                        record["a"]["eu_representative"],
                        _joined(record["b"]["purpose"], record["b"]["description"]),
                        bases,
                        "; ".join(record["c"]["subjects"]),
                        data["name"],
                        "\n".join(f"{r['name']} ({r['role']}): {r['service']}" for r in receiving) or none,
                        "\n".join(_transfer_text(r) for r in receiving if r["transfer"]) or none,
                        limit["period"],
                        limit["clock"],
                        limit["action"],
                        "\n".join(record["g"]),
                    ]
                )
    return [[spreadsheet_safe(str(cell)) for cell in row] for row in rows]
