"""How an app declares where it keeps personal data (DESIGN decision 3): the declaration type and the vocabulary.

(The declarations themselves are each app's ``personal_data.py``, consent's own included.)

Each app lists, in its own ``personal_data.py``, one ``PersonalData`` per model that holds personal data of a
subject: how a row reaches its subject, its data category (which retention rule applies), how it is exported to
the subject, and what erasure does with it. ``retention`` discovers these modules at start-up, as the admin
discovers ``admin.py``, and exports, erases and purges from them alone: a model that is not declared is a
model the deletion concept does not know, which a test refuses.

This module belongs to ``consent`` (the owner of the subject) so that every app may import it.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext_lazy as _


class Category(StrEnum):
    """The data categories of the deletion concept: each has one retention rule (``retention.RetentionRule``)."""

    IDENTITY = "identity"
    CONTACT_POINTS = "contact_points"
    CONVERSATIONS = "conversations"
    MESSAGES = "messages"
    NOTES = "notes"
    MEDIA = "media"
    CONSENT_EVIDENCE = "consent_evidence"
    SENSITIVE_ALERTS = "sensitive_alerts"
    ACCESS_LOG = "access_log"
    REALTIME_EVENTS = "realtime_events"
    EARLY_STATUSES = "early_statuses"
    BACKGROUND_TASKS = "background_tasks"
    SUBJECT_REQUESTS = "subject_requests"
    LEGAL_HOLDS = "legal_holds"


# What each category is, in words a customer understands (the export's summary and the privacy statement).
CATEGORY_NAMES: dict[str, Any] = {
    Category.IDENTITY: _("Your name as your messenger shows it, your language and the rules that protect you"),
    Category.CONTACT_POINTS: _("Your phone number, e-mail address or web-chat identity"),
    Category.CONVERSATIONS: _("When you wrote to us, and which team answered"),
    Category.MESSAGES: _("The messages you exchanged with us"),
    Category.NOTES: _("Notes our staff wrote about your requests"),
    Category.MEDIA: _("Pictures, documents and voice notes you sent us"),
    Category.CONSENT_EVIDENCE: _("What you agreed to or withdrew, when, and which privacy notice you were shown"),
    Category.SENSITIVE_ALERTS: _("Alerts about sensitive data in your messages, for our data-protection officer"),
    Category.ACCESS_LOG: _("Who of our staff looked at hidden parts of your data, and why"),
    Category.REALTIME_EVENTS: _("Technical records that keep our agents' screens up to date"),
    Category.EARLY_STATUSES: _("Delivery reports of messages, kept until they can be matched"),
    Category.BACKGROUND_TASKS: _("Records of sending your messages and fetching your files"),
    Category.SUBJECT_REQUESTS: _("Your requests about your data, and how we answered them"),
    Category.LEGAL_HOLDS: _("Legal holds that oblige us to keep your data for a while, and why"),
}


class Clock(StrEnum):
    """The moment a retention period starts from."""

    COLLECTED = "collected"
    NOTHING_ELSE_KEPT = "nothing_else_kept"  # identity and contact points: erased with the last of the rest
    CONVERSATION_RESOLVED = "conversation_resolved"
    LAST_CONTACT = "last_contact"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    REQUEST_CLOSED = "request_closed"
    HOLD_ENDED = "hold_ended"  # a legal hold's own record: from its release, or the end of its last day


# How the DPO reads a clock in the admin.
CLOCK_NAMES: dict[str, Any] = {
    Clock.COLLECTED: _("when it was collected"),
    Clock.NOTHING_ELSE_KEPT: _("when nothing else of the person is kept"),
    Clock.CONVERSATION_RESOLVED: _("when the conversation was resolved"),
    Clock.LAST_CONTACT: _("the person's last contact"),
    Clock.CONSENT_WITHDRAWN: _("when consent was withdrawn or ended"),
    Clock.REQUEST_CLOSED: _("when the request was closed"),
    Clock.HOLD_ENDED: _("when the legal hold ended"),
}


class Erasure(StrEnum):
    """What erasing a subject does to a declared row."""

    DELETE = "delete"
    # Kept without anything that identifies the subject (their key is destroyed, their public id resolves to
    # nothing), for a stated legal reason: ``PersonalData.kept_because``.
    KEEP_PSEUDONYMOUS = "keep_pseudonymous"


@dataclass(frozen=True, slots=True)
class PersonalData:
    """One model holding personal data, as the deletion concept sees it.

    ``subject`` is the ORM path from the model to the subject's primary key ("pk" for the subject itself,
    "subject", "conversation__subject", ...). A model no foreign key links to the subject (an id that encodes a
    phone number, a task's arguments) gives ``rows`` instead: the subject's rows, from the subject's primary
    key. ``export`` turns one row into what the subject receives (decrypted, in the shape README's "Export"
    documents); ``None`` exports nothing (keys). ``files`` names the file fields whose files go with the row.
    ``clocks`` maps a retention clock event to the field path giving a row's moment for it, or, for a moment no
    one field holds (the later of a withdrawal and the last contact), to a function of the cutoff (now less the
    rule's period) giving the filter of the rows due. ``history``: the
    model keeps simple-history rows, erased with it (``history_subject`` is their path to the subject where it
    differs from ``subject``).
    """

    model: str  # "app_label.ModelName"
    category: Category
    subject: str = ""
    rows: Callable[[int], QuerySet] | None = None
    export: Callable[[Model], dict[str, Any]] | None = None
    erasure: Erasure = Erasure.DELETE
    kept_because: str = ""
    files: tuple[str, ...] = ()
    clocks: dict[str, str | Callable[[datetime], Q]] = field(default_factory=dict)
    history: bool = False
    history_subject: str | None = None
    # The path to the row's conversation, for legal holds on one conversation ("pk" for the conversation itself).
    conversation: str = ""
    # Which rows the purge may remove at all once due (only finished tasks, only consent no longer in force ...):
    # field lookups, or a function of the rule's cutoff (now less its period) giving a filter, for what no lookup
    # says.
    purgeable: dict[str, Any] | Callable[[datetime], Q] = field(default_factory=dict)
    # For a rule whose action is "anonymise": the values that leave a due row without anything that identifies
    # its person (one UPDATE per batch; rows holding them already are not due again). ``None``: the row means
    # nothing without its person, so anonymising it removes it.
    anonymise: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if bool(self.subject) == (self.rows is not None):
            raise ValueError(f"{self.model}: give either subject (a path) or rows (a function), not both or none")
        if self.anonymise is not None and not self.anonymise:
            raise ValueError(f"{self.model}: anonymise names the values that remove the identifiers, or is None")
        if self.erasure == Erasure.KEEP_PSEUDONYMOUS and not self.kept_because.strip():
            raise ValueError(f"{self.model}: rows kept after erasure need their legal reason (kept_because)")


_roles: ContextVar[dict[int, str] | None] = ContextVar("staff_roles", default=None)


@contextmanager
def staff_roles_remembered() -> Iterator[None]:
    """Within it, each staff member's role is looked up once (an export names thousands of authors)."""
    token = _roles.set({})
    try:
        yield
    finally:
        _roles.reset(token)


def staff_role(user_id: int | None) -> str:
    """Who of our staff did something, as the subject may learn it: the role ("Agent", "DPO"), never the person.

    Takes the user's id (``message.author_id``), so that an export of thousands of messages loads no user row:
    within ``staff_roles_remembered`` each staff member's groups are read once."""
    if user_id is None:
        return "system"
    remembered = _roles.get()
    if remembered is not None and user_id in remembered:
        return remembered[user_id]
    from django.contrib.auth.models import Group

    names = sorted(Group.objects.filter(user__id=user_id).values_list("name", flat=True))
    role = names[0] if names else "staff"
    if remembered is not None:
        remembered[user_id] = role
    return role


def at(value: Any) -> str | None:
    """A moment as exports write it: ISO 8601 with its UTC offset."""
    return value.isoformat() if value is not None else None
