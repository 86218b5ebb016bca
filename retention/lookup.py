"""Finding the subject a command names: by phone number, e-mail address or public id (exact; blind index)."""

import uuid

from django.core.management.base import CommandError

from consent.exceptions import InvalidContactPoint
from consent.models import Subject
from consent.selectors import subject_get, subject_get_by_contact


def subject_arguments(parser) -> None:
    """The three ways a command names its subject (``subject_from_options`` reads them)."""
    parser.add_argument("--phone", help="the WhatsApp number, +E164")
    parser.add_argument("--email", help="the e-mail address")
    parser.add_argument("--subject", dest="public_id", help="the subject's public id")


def subject_from_options(options: dict) -> Subject:
    """The subject ``subject_arguments`` named; ``CommandError`` with one line when there is none."""
    try:
        return subject_find(phone=options["phone"], email=options["email"], public_id=options["public_id"])
    except SubjectNotFound as exc:
        raise CommandError(str(exc)) from None


class SubjectNotFound(Exception):
    """The one-line message a command prints: what was looked for, never the value."""


def subject_find(*, phone: str | None = None, email: str | None = None, public_id: str | None = None) -> Subject:
    if sum(value is not None for value in (phone, email, public_id)) != 1:
        raise SubjectNotFound("name exactly one of --phone, --email, --subject")
    try:
        if phone is not None:
            found = subject_get_by_contact(kind="whatsapp", value=phone)
        elif email is not None:
            found = subject_get_by_contact(kind="email", value=email)
        else:
            found = subject_get(public_id=str(uuid.UUID(public_id)))
    except (InvalidContactPoint, ValueError):
        raise SubjectNotFound("that is not a valid phone number, e-mail address or public id") from None
    if found is None:
        raise SubjectNotFound("no subject has that contact point or public id")
    return found
