"""Telling the customer about their request, in their language, through a channel that reaches them.

By e-mail where they gave us an address; on WhatsApp or the web chat while the conversation's customer-care
window is open (they wrote within 24 hours: a message, not a template, may go). Otherwise nothing goes and the
caller learns it (``False``): an extension, which must be told, is then refused. Only references, dates and
categories are sent; nothing is logged but the reference.
"""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from consent.deadlines import deadline_zone
from consent.declarations import CATEGORY_NAMES
from conversations import services as conversation_services
from retention.models import ExtensionGround, RejectionGround, SubjectRequest

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)


def _text(request: SubjectRequest, notice: str, ground: str = "") -> str:
    reference = request.reference
    # In the calendar whose days count: São Paulo's last minute is the next day in UTC.
    due = formats.date_format(timezone.localtime(request.deadline, deadline_zone(request.jurisdiction)), "DATE_FORMAT")
    if notice == "simplified_reply":
        from retention import selectors

        held = ", ".join(str(CATEGORY_NAMES[c]) for c in selectors.subject_inventory(subject=request.subject))
        return _(
            "We have received your request %(reference)s and confirmed it is yours. We hold these kinds of data "
            "about you: %(categories)s. You will receive the complete answer by %(due)s."
        ) % {"reference": reference, "categories": held, "due": due}
    if notice == "extension":
        return _("Your request %(reference)s needs more time: %(ground)s. You will receive our answer by %(due)s.") % {
            "reference": reference,
            "ground": str(ExtensionGround(ground).label),
            "due": due,
        }
    if notice == "rejected":
        refused = _("We cannot carry out your request %(reference)s: %(ground)s.") % {
            "reference": reference, "ground": str(RejectionGround(ground).label)
        }  # fmt: skip
        return f"{refused} {_complain(request.jurisdiction)}"
    if notice == "erasure_done":
        return _(
            "We are erasing your data now, as you asked (request %(reference)s). This is the last message you "
            "receive from us about it."
        ) % {"reference": reference}
    if notice == "completed":
        return _("Your request %(reference)s has been carried out.") % {"reference": reference}
    raise ValueError(f"unknown notice {notice!r}")


def _complain(jurisdiction: str) -> str:
    """The right to complain, to the authority of the subject's jurisdiction (the export's summary says the same)."""
    if jurisdiction == "LGPD":
        return _("You may complain to the Autoridade Nacional de Proteção de Dados (ANPD).")
    return _(
        "You may complain to a data-protection supervisory authority, in particular in the EU country where you "
        "live or work."
    )


def request_tell(*, request: SubjectRequest, notice: str, **params: Any) -> bool:
    """Send ``notice`` about ``request`` to its subject; whether it could go."""
    subject = request.subject
    if subject is None:
        return False
    with translation.override(subject.language):
        text = _text(request, notice, **params)
        subject_line = _("Your data request %(reference)s") % {"reference": request.reference}
    email = subject.contact_points.filter(kind="email").order_by("-pk").first()
    if email is not None:
        send_mail(subject_line, text, settings.DEFAULT_FROM_EMAIL, [email.value])
        logger.info("subject request %s: %s sent by e-mail", request.reference, notice)
        return True
    conversation = (
        subject.conversations.filter(last_inbound_at__gte=timezone.now() - WINDOW).order_by("-last_inbound_at").first()
    )
    if conversation is not None and conversation_services.message_queue_system_reply(
        conversation=conversation, text=text
    ):
        logger.info("subject request %s: %s sent in conversation %s", request.reference, notice, conversation.pk)
        return True
    logger.info("subject request %s: %s could not be sent (no e-mail, no open window)", request.reference, notice)
    return False
