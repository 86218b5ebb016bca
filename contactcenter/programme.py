"""What the system does, read from its configuration: the one source of the privacy statements, the records of
processing and the contact snippet.

``programme_facts`` gathers the privacy programme (controller, recipients, authorities), the purposes with their
legal bases, the retention rules, the channels in use and the safeguards that run, as plain JSON-able data. A
published statement keeps the facts it was generated from (``PrivacyNotice.sources``), so the preview can say
what changed and the re-consent count can tell which purposes changed since a customer consented.

Nothing here holds personal data of customers: it is configuration.
"""

from typing import Any

from django.conf import settings

from consent.declarations import Category
from consent.jurisdictions import JURISDICTIONS
from consent.models import Purpose
from consent.public_links import subject_rights_url
from contactcenter.models import Controller, Recipient, SupervisoryAuthority
from retention.models import RetentionRule

# The channels a customer can reach us through, as the statement names them.
WHATSAPP = "whatsapp"
WEBCHAT = "webchat"


def _controller() -> dict[str, Any] | None:
    controller = Controller.current()
    if controller is None:
        return None
    encarregado_name, encarregado_email = controller.encarregado
    return {
        "name": controller.name, "address": controller.address, "email": controller.email,
        "phone": controller.phone, "website": controller.website,
        "eu_representative": controller.eu_representative,
        "dpo_name": controller.dpo_name, "dpo_email": controller.dpo_email, "dpo_phone": controller.dpo_phone,
        "encarregado_name": encarregado_name, "encarregado_email": encarregado_email,
        "whatsapp_number": controller.whatsapp_number, "business_hours": controller.business_hours or {},
        "response_hours": controller.response_hours,
    }  # fmt: skip


def _purposes() -> list[dict[str, Any]]:
    return [
        {
            "code": p.code,
            "name": p.name or {},
            "description": p.description or {},
            "legal_bases": p.legal_bases or {},
            "special_category": p.special_category,
            "special_conditions": p.special_conditions or {},
            "legitimate_interest": p.legitimate_interest or {},
            "is_marketing": p.is_marketing,
            "requires_double_opt_in": p.requires_double_opt_in,
        }
        for p in Purpose.objects.filter(active=True).order_by("code")
    ]


def _rules() -> list[dict[str, Any]]:
    order = {category.value: i for i, category in enumerate(Category)}
    rules = [
        {
            "category": r.category,
            "clock": r.clock,
            "period_days": r.period_days,
            "action": r.action,
            "reason": r.legal_reason or {},
        }
        for r in RetentionRule.objects.all()
    ]
    return sorted(rules, key=lambda r: order.get(r["category"], len(order)))


def _recipients() -> list[dict[str, Any]]:
    return [
        {
            "name": r.name,
            "role": r.role,
            "service": r.service if isinstance(r.service, dict) else {},
            "country": r.country,
            "transfer_mechanism": r.transfer_mechanism,
            "lgpd_transfer_mechanism": r.lgpd_transfer_mechanism,
            "transfer_note": r.transfer_note,
            "data_categories": list(r.data_categories or []),
            "last_reviewed": r.last_reviewed.isoformat() if r.last_reviewed else None,
        }
        for r in Recipient.objects.filter(active=True).order_by("name")
    ]


def _authorities() -> dict[str, dict[str, str]]:
    return {
        a.jurisdiction: {"name": a.name, "address": a.address, "website": a.website, "email": a.email}
        for a in SupervisoryAuthority.objects.filter(jurisdiction__in=JURISDICTIONS)
    }


def _channels(purposes: list[dict[str, Any]]) -> list[str]:
    """The channels that run: WhatsApp when a business number is configured, the web chat while its consent
    purpose is active (without it, the widget cannot start a conversation)."""
    channels = []
    if settings.WHATSAPP_PHONE_NUMBER_ID:
        channels.append(WHATSAPP)
    if any(p["code"] == settings.WEBCHAT_CONSENT_PURPOSE for p in purposes):
        channels.append(WEBCHAT)
    return channels


def programme_facts() -> dict[str, Any]:
    """Everything the statement and the records of processing say, as data (JSON-able, ordered, stable)."""
    purposes = _purposes()
    return {
        "controller": _controller(),
        "purposes": purposes,
        "rules": _rules(),
        "recipients": _recipients(),
        "authorities": _authorities(),
        "channels": _channels(purposes),
        "sensitive_scan": bool(settings.SENSITIVE_SCAN_ENABLED),
        "rights_url": subject_rights_url(),
        "controller_time_zone": settings.CONTROLLER_TIME_ZONE,
    }
