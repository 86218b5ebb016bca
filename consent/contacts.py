"""Normalisation of contact values, so one person has one contact point per kind."""

from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from consent.exceptions import InvalidContactPoint
from consent.models import ContactKind


@dataclass(frozen=True, slots=True)
class NormalizedContact:
    kind: str
    value: str
    country: str


def normalize_contact(*, kind: str, value: str) -> NormalizedContact:
    return _normalize(kind, value or "")


# Not cached: a cache of recent senders would keep phone numbers and e-mail addresses in every process's
# memory after their subject is erased. Parsing a number costs about 50 µs (phonenumbers).
def _normalize(kind: str, value: str) -> NormalizedContact:
    raw = value.strip()
    if kind == ContactKind.WHATSAPP:
        # WhatsApp sends wa_id as bare digits with the country code ("4915112345678").
        candidate = raw if raw.startswith("+") else "+" + raw.lstrip("0")
        try:
            number = phonenumbers.parse(candidate, None)
        except phonenumbers.NumberParseException as exc:
            raise InvalidContactPoint("not a phone number in international format") from exc
        if not phonenumbers.is_possible_number(number):
            raise InvalidContactPoint("not a possible phone number")
        return NormalizedContact(
            kind=kind,
            value=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
            country=phonenumbers.region_code_for_number(number) or "",
        )
    if kind == ContactKind.EMAIL:
        address = raw.lower()
        try:
            validate_email(address)
        except ValidationError as exc:
            raise InvalidContactPoint("not a valid e-mail address") from exc
        return NormalizedContact(kind=kind, value=address, country="")
    if kind == ContactKind.WEBCHAT:
        # An opaque visitor id issued by the widget.
        if not raw or len(raw) > 128 or not raw.isprintable():
            raise InvalidContactPoint("not a valid web-chat visitor id")
        return NormalizedContact(kind=kind, value=raw, country="")
    raise InvalidContactPoint(f"unknown contact kind {kind!r}")


def contact_index(*, kind: str, value: str) -> str:
    from consent.crypto import blind_index

    return blind_index(value, scope=f"contact:{kind}")


def mask_contact(*, kind: str, value: str) -> str:
    """What staff lists show: enough to tell two contacts apart, not enough to reach anyone."""
    if kind == ContactKind.WHATSAPP:
        return value[:3] + "•" * max(len(value) - 5, 0) + value[-2:]
    if kind == ContactKind.EMAIL and "@" in value:
        local, domain = value.split("@", 1)
        return f"{local[:1]}•••@{domain[:1]}•••"
    return value[:2] + "•••"


def mask_name(name: str) -> str:
    return " ".join(part[:1] + "•••" for part in name.split()) if name else ""
