"""Telling the customer about their request, in their language, through a channel that reaches them.

By e-mail where they gave us an address; on WhatsApp or the web chat while the conversation's customer-care
window is open (they wrote within 24 hours: a message, not a template, may go); on WhatsApp after the window
closed, as the approved utility template ``data_request_update``. Otherwise (a web-chat visitor who left)
nothing goes and the caller learns it (``False``): an extension, which must be told, is then refused. Only
references, dates and categories are sent, with the request's status link (the customer's way to their
answer, ``request_status``) by e-mail only: a chat message is read by agents, so it names the self-service
page, where the customer sees their requests after a code. E-mails go after commit; nothing is logged but
the reference.
"""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from consent.deadlines import deadline_zone
from consent.declarations import CATEGORY_NAMES
from consent.exceptions import DomainError
from consent.history import history_note
from consent.public_links import public_url
from conversations import services as conversation_services
from retention.models import ExtensionGround, RejectionGround, SubjectRequest
from retention.services.request_status import request_status_url

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=24)
TEMPLATE = "data_request_update"  # settings.WHATSAPP_TEMPLATES
# Meta's limit for a template's parameter, less the template's own words around it.
PARAMETER_MAX = 900


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
    """Send ``notice`` about ``request`` to its subject; whether it can go.

    An e-mail goes once the caller's transaction commits (at once outside one): a notice of an extension or a
    rejection that is rolled back is never sent. It carries the status link, the customer's credential for
    their request's page. A message in the chat is stored in the conversation, where agents read it: it
    carries the self-service page's address instead, where the customer sees their requests after a code."""
    subject = request.subject
    if subject is None:
        return False
    language = subject.language
    with translation.override(language):
        text = _text(request, notice, **params)
        subject_line = _("Your data request %(reference)s") % {"reference": request.reference}
        by_email = text
        in_chat = text
        if notice != "erasure_done":  # after an erasure the page has nothing of theirs to show
            by_email += "\n\n" + _(
                "Your request's page, with its state and, once it is ready, your answer: %(link)s"
            ) % {"link": request_status_url(request=request, language=language)}
            in_chat += "\n\n" + _("To see your request and, once it is ready, your answer, open %(link)s and "
                                   "choose “See my requests”.") % {"link": _start_url(language)}  # fmt: skip
    email = subject.contact_points.filter(kind="email").order_by("-pk").first()
    if email is not None:
        address, pk = email.value, request.pk  # read now: an erasure may follow before the commit
        transaction.on_commit(lambda: _email(pk, request.reference, notice, subject_line, by_email, address),
                              robust=True)  # fmt: skip
        return True
    if not subject.contact_points.filter(kind="whatsapp").exists():
        in_chat = text  # a web-chat visitor cannot take a code on the page: no instructions they cannot follow
    conversation = (
        subject.conversations.filter(last_inbound_at__gte=timezone.now() - WINDOW).order_by("-last_inbound_at").first()
    )
    message = None
    if conversation is not None:
        message = conversation_services.message_queue_system_reply(conversation=conversation, text=in_chat)
    message = message or _by_template(request, subject=subject, text=in_chat)
    if message is not None:
        logger.info("subject request %s: %s queued as message %s", request.reference, notice, message.pk)
        if notice == "erasure_done" and not transaction.get_connection().in_atomic_block:
            # The erasure that follows deletes the queued message before a worker could send it: send it now.
            conversation_services.message_deliver(message_id=message.pk)
        return True
    logger.info("subject request %s: %s could not be sent (no e-mail, no open window, no template)",
                request.reference, notice)  # fmt: skip
    return False


def _start_url(language: str) -> str:
    return public_url(f"{reverse('privacy-start')}?lang={language}")


# What a notice's sending records on the request: unrecorded again when the e-mail could not go.
_RECORDED = {"extension": "extension_notified_at", "simplified_reply": "simplified_reply_at"}


def _email(pk: int, reference: str, notice: str, subject_line: str, body: str, address: str) -> None:
    try:
        send_mail(subject_line, body, settings.DEFAULT_FROM_EMAIL, [address])
    except OSError as exc:  # the mail server's refusal (SMTPException is an OSError) may quote the address
        logger.warning("subject request %s: %s e-mail not sent (%s)", reference, notice, type(exc).__name__)
        _unrecord(pk, notice, why=type(exc).__name__)
        return
    logger.info("subject request %s: %s sent by e-mail", reference, notice)


def _unrecord(pk: int, notice: str, *, why: str) -> None:
    """The customer was not told after all: the request says so (and its history why), for the DPO to act on;
    an extension whose notice failed is no notified extension."""
    request = SubjectRequest.objects.filter(pk=pk).first()
    if request is None:
        return
    field = _RECORDED.get(notice)
    if field is not None:
        setattr(request, field, None)
    history_note(request, actor=None, reason=f"the {notice} notice could not be e-mailed ({why})")
    request.save(update_fields=[field] if field else None)


def _by_template(request: SubjectRequest, *, subject, text: str):
    """Outside the 24-hour window, a WhatsApp customer is reached by an approved utility template
    (``TEMPLATE``): the reference and the notice as its parameters, on one line (Meta refuses line breaks in
    a parameter). The message, or None when they never wrote to us on WhatsApp (a conversation that only
    carried a one-time code does not count), there is no such template, or the customer may not be sent
    anything (restricted)."""
    conversation = (
        subject.conversations.filter(channel="whatsapp", last_inbound_at__isnull=False)
        .order_by("-last_inbound_at", "-pk")
        .first()
    )
    if conversation is None:
        return None
    locale = conversation_services.template_locale(TEMPLATE, subject.language)
    if locale is None:
        return None
    one_line = " ".join(text.split())
    if len(one_line) > PARAMETER_MAX:  # the end holds the page's address: shorten the notice before it
        one_line = "…" + one_line[len(one_line) - PARAMETER_MAX + 1 :]
    try:
        return conversation_services.message_send_template(
            conversation=conversation, actor=None, name=TEMPLATE, language=locale,
            parameters=[request.reference, one_line],
        )  # fmt: skip
    except DomainError as exc:
        logger.info("subject request %s: template not sent (%s)", request.reference, type(exc).__name__)
        return None
