"""What the inbox tells the agent under a customer's message that reads like a data-protection request.

The message's render carries the suggestion (``selectors.message_request_suggestion``: a kind, and whether the
message named a law but no right); the inbox page turns it into a notice with one button, in the agent's
language (the page's, ``LocaleMiddleware``), from these texts. The page hands them to its script as JSON
(``json_script``), so a message arriving live reads the same as one drawn with the page. ``%(reference)s`` and
``%(due)s`` are filled in by the script with the recorded request's reference and due date.
"""

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from consent.rights import Right

# Per kind: the notice, the button that records it, and the kind's name in the picker of a generic request.
_KINDS: dict[Right, tuple[Any, Any, Any]] = {
    Right.ACCESS: (
        _("This looks like a request for a copy of their data. Record it as a request?"),
        _("Record access request"),
        _("Access to their data (a copy)"),
    ),
    Right.PORTABILITY: (
        _("This looks like a request for their data in a machine-readable form. Record it as a request?"),
        _("Record portability request"),
        _("Portability of their data"),
    ),
    Right.ERASURE: (
        _("This looks like a request to erase their data. Record it as a request?"),
        _("Record erasure request"),
        _("Erasure of their data"),
    ),
    Right.RECTIFICATION: (
        _("This looks like a request to correct their data. Record it as a request?"),
        _("Record rectification request"),
        _("Rectification of their data"),
    ),
    Right.RESTRICTION: (
        _("This looks like a request to restrict the processing of their data. Record it as a request?"),
        _("Record restriction request"),
        _("Restriction of the processing of their data"),
    ),
    Right.OBJECTION: (
        _("This looks like an objection to the processing of their data. Record it as a request?"),
        _("Record objection"),
        _("Objection to the processing of their data"),
    ),
    Right.WITHDRAWAL: (
        _("This looks like a withdrawal of their consent. Record it as a request?"),
        _("Record consent withdrawal"),
        _("Withdrawal of their consent"),
    ),
}


def request_suggestion_texts() -> dict[str, Any]:
    """The notice's texts in the active language, with that language's code (for the notice's ``lang`` and the
    due date's format)."""
    return {
        "language": get_language(),
        "label": str(_("Possible data-protection request")),
        "kinds": {
            right.value: {"notice": str(notice), "button": str(button), "name": str(name)}
            for right, (notice, button, name) in _KINDS.items()
        },
        "generic": str(
            _(
                "This looks like a data-protection request that names no particular right. Choose the kind (ask "
                "the customer if unsure) and record it?"
            )
        ),
        "choose": str(_("Kind of request")),
        "record": str(_("Record request")),
        "recording": str(_("Recording…")),
        "recorded": str(_("Recorded as %(reference)s, due %(due)s.")),
        "already": str(_("Already recorded as %(reference)s, due %(due)s.")),
        "failed": str(_("The request was not recorded: %(error)s")),
    }
