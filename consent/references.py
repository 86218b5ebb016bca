"""References staff give for what they record (a ticket, a call, a request): kept readable for years, so a
reference is a number, never a description.

A consent event's evidence is part of the hash-chained ledger and stays, readable, after its subject is erased;
an erasure receipt stays too. A free-text field there ("call with Mrs Zauberstab about her order") would keep
a name for as long as the proof is kept. So a reference is a short identifier: at most three words and 40
characters, with at least one digit ("call #1234", "TICKET-4711", "request 7"), and no run of nine or more
digits (a phone number). A name with a number added can still pass: the check stops the description, not a
determined misuse, and the help text says what belongs here.

A subject request's own reference ("R-7K3F-9Q2M", random Crockford base32, see ``retention.models.requests``)
is one too, digits or not: about one in twenty is drawn without a digit ("R-KXWB-TMPQ").
"""

import re

REFERENCE_MAX = 40
_WORD = r"[\w#/.:+-]+"
_SHAPE = re.compile(rf"{_WORD}(?: {_WORD}){{0,2}}")
_PHONE_LIKE = re.compile(r"\d{9,}")
_REQUEST_REFERENCE = re.compile(r"(?:request )?R-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")

REFERENCE_RULE = (
    "a reference is a ticket, call or request number (at most 3 words and 40 characters, with a digit, such as "
    "'call #1234'), never a description or a name: it is kept for years"
)


def reference_problem(value: str) -> str:
    """Why ``value`` is not a reference, or "" when it is one."""
    if _REQUEST_REFERENCE.fullmatch(value):
        return ""
    if len(value) > REFERENCE_MAX or not _SHAPE.fullmatch(value) or not any(c.isdigit() for c in value):
        return REFERENCE_RULE
    if _PHONE_LIKE.search(value.replace(" ", "")):
        return "a reference must not look like a phone number"
    return ""
