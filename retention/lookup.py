"""Finding the subject a command names: by phone number, e-mail address or public id (exact; blind index)."""

import uuid

from consent.exceptions import InvalidContactPoint
from consent.models import Subject
from consent.selectors import subject_get, subject_get_by_contact


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
