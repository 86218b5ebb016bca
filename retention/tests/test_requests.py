"""Subject requests: the declared moves and every refusal, the clocks of both laws with the extension and its
notice, the LGPD's simplified reply, fulfilment through the services, and the purge waiting for an answer."""

import calendar
import re
import smtplib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from consent import services as consent_services
from consent.exceptions import InvalidTransition
from consent.models import ConsentState, Subject
from consent.tests.factories import SubjectFactory
from conversations.models import Conversation
from retention.models import TRANSITIONS, ErasureReceipt, RequestState, SubjectRequest
from retention.services import purge_expired
from retention.services.requests import (
    ExtensionRefused,
    RequestIncomplete,
    request_extend,
    request_fulfil,
    request_receive,
    request_reject,
    request_verification_start,
    request_verify,
    request_withdraw,
)

pytestmark = pytest.mark.django_db

BERLIN, SAO_PAULO = ZoneInfo("Europe/Berlin"), ZoneInfo("America/Sao_Paulo")


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """A notice by e-mail goes once the transaction commits: run those callbacks as the server would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def journal(settings, tmp_path):
    settings.ERASURE_JOURNAL_PATH = tmp_path / "journal.jsonl"
    settings.MEDIA_ROOT = str(tmp_path / "media")


def by_email(address: str = "wilma@example.org", *, language: str = "de", jurisdiction: str = "GDPR") -> Subject:
    subject, _ = consent_services.subject_get_or_create_by_contact(kind="email", value=address, language=language,
                                                                  actor=None)  # fmt: skip
    Subject.objects.filter(pk=subject.pk).update(jurisdiction=jurisdiction)
    return Subject.objects.get(pk=subject.pk)


def _to(request: SubjectRequest, state: str) -> SubjectRequest:
    """Bring a fresh request into ``state`` through allowed moves."""
    path = {RequestState.RECEIVED: [], RequestState.VERIFYING: ["verifying"], RequestState.VERIFIED: ["verified"],
            RequestState.IN_PROGRESS: ["verified", "in_progress"], RequestState.COMPLETED: ["verified", "completed"],
            RequestState.REJECTED: ["rejected"], RequestState.WITHDRAWN: ["withdrawn"]}[state]  # fmt: skip
    from retention.services.requests import _move

    for step in path:
        request = _move(request, to=step, actor=None, reason="test setup")
    return request


@pytest.mark.parametrize("state", list(TRANSITIONS))
def test_every_move_the_table_does_not_declare_is_refused_and_changes_nothing(state, dpo):
    from retention.services.requests import _move

    for target in RequestState.values:
        request = _to(request_receive(kind="access", channel="email", actor=dpo, subject=SubjectFactory()), state)
        if target in TRANSITIONS[state]:
            assert _move(request, to=target, actor=dpo, reason="allowed").state == target
            continue
        with pytest.raises(InvalidTransition):
            _move(request, to=target, actor=dpo, reason="refused")
        assert SubjectRequest.objects.get(pk=request.pk).state == state


def test_each_move_is_kept_with_who_and_why(dpo):
    request = request_receive(kind="access", channel="phone", actor=dpo, subject=SubjectFactory())
    request = request_verification_start(request=request, actor=dpo, reason="asked for the order number by phone")
    request = request_verify(request=request, actor=dpo, reason="order number matches")
    request = request_withdraw(request=request, actor=dpo, reason="the customer called back: not needed")
    moves = [(h.state, h.history_user_id, h.history_change_reason) for h in request.history.order_by("history_id")]
    assert moves == [("received", dpo.pk, "received through phone"),
                     ("verifying", dpo.pk, "asked for the order number by phone"),
                     ("verified", dpo.pk, "order number matches"),
                     ("withdrawn", dpo.pk, "the customer called back: not needed")]  # fmt: skip
    assert request.closed_at is not None
    with pytest.raises(InvalidTransition):
        request_verify(request=request, actor=dpo, reason="too late")


@pytest.mark.parametrize(("received", "jurisdiction", "due"), [
    (datetime(2027, 1, 31, 10, tzinfo=UTC), "GDPR", datetime(2027, 2, 28, 23, 59, 59, 999999, tzinfo=BERLIN)),
    (datetime(2028, 1, 31, 10, tzinfo=UTC), "GDPR", datetime(2028, 2, 29, 23, 59, 59, 999999, tzinfo=BERLIN)),
    (datetime(2027, 3, 15, 23, 30, tzinfo=UTC), "GDPR", datetime(2027, 4, 16, 23, 59, 59, 999999, tzinfo=BERLIN)),
    (datetime(2027, 1, 25, 12, tzinfo=UTC), "LGPD", datetime(2027, 2, 9, 23, 59, 59, 999999, tzinfo=SAO_PAULO)),
    (datetime(2027, 1, 1, 2, tzinfo=UTC), "LGPD", datetime(2027, 1, 15, 23, 59, 59, 999999, tzinfo=SAO_PAULO)),
])  # fmt: skip
def test_the_due_date_is_the_laws_month_or_fifteen_days_in_the_local_calendar(received, jurisdiction, due, dpo):
    request = request_receive(kind="access", channel="email", actor=dpo, subject=SubjectFactory(),
                              jurisdiction=jurisdiction, now=received)  # fmt: skip
    assert request.due_at == due


def test_a_gdpr_extension_needs_a_ground_tells_the_customer_and_runs_from_receipt(dpo, client, settings, told):
    wilma = by_email(language="de")
    received = timezone.now() - timedelta(days=3)
    request = request_receive(kind="access", channel="email", actor=dpo, subject=wilma, now=received)
    with pytest.raises(ExtensionRefused, match="ground"):
        request_extend(request=request, ground="because", actor=dpo)
    with told():
        request = request_extend(request=request, ground="complexity", actor=dpo)
    assert request.extended_until.date() == _calendar_months_later(received.astimezone(BERLIN).date(), 3)
    assert request.deadline == request.extended_until and request.extension_notified_at is not None
    [notice] = mail.outbox
    assert notice.to == ["wilma@example.org"] and request.reference in notice.body
    assert "komplex" in notice.body  # in her language
    # With the way to her request's page, where the answer will be.
    [link] = re.findall(r"https?://\S+", notice.body)
    assert link.startswith(settings.PUBLIC_BASE_URL.rstrip("/") + "/privacy/requests/")
    page = client.get(link.removeprefix(settings.PUBLIC_BASE_URL.rstrip("/")))
    assert page.status_code == 200 and request.reference in page.content.decode()
    assert link.endswith("?lang=de") and '<html lang="de">' in page.content.decode()  # in her language
    with pytest.raises(ExtensionRefused, match="already"):
        request_extend(request=request, ground="number", actor=dpo)


def _calendar_months_later(day: date, months: int) -> date:
    """The same day ``months`` later, or that month's last day (30 November + 3 months is 28 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def test_no_extension_after_the_first_deadline_under_the_lgpd_or_when_the_customer_cannot_be_told(dpo):
    late = request_receive(kind="access", channel="email", actor=dpo, subject=by_email(),
                           now=timezone.now() - timedelta(days=40))  # fmt: skip
    with pytest.raises(ExtensionRefused, match="first deadline"):
        request_extend(request=late, ground="complexity", actor=dpo)
    lgpd = request_receive(kind="access", channel="email", actor=dpo,
                           subject=by_email("joana@example.com.br", language="pt-br", jurisdiction="LGPD"))  # fmt: skip
    with pytest.raises(ExtensionRefused, match="LGPD"):
        request_extend(request=lgpd, ground="complexity", actor=dpo)
    unreachable = request_receive(kind="access", channel="phone", actor=dpo, subject=SubjectFactory())
    with pytest.raises(ExtensionRefused, match="cannot be told"):
        request_extend(request=unreachable, ground="complexity", actor=dpo)
    assert SubjectRequest.objects.get(pk=unreachable.pk).extended_until is None and len(mail.outbox) == 0


class RefusingMailServer(BaseEmailBackend):
    """A mail server that refuses every recipient, quoting the address as real servers do."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"no such mailbox") for m in email_messages})


def test_an_extension_whose_email_the_server_refuses_is_not_recorded_as_told(dpo, settings, told, caplog):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.RefusingMailServer"}}
    request = request_receive(kind="access", channel="email", actor=dpo, subject=by_email(),
                              now=timezone.now() - timedelta(days=3))  # fmt: skip
    with told():
        request_extend(request=request, ground="complexity", actor=dpo)
    request = SubjectRequest.objects.get(pk=request.pk)
    assert request.extended_until is not None and request.extension_notified_at is None  # the DPO sees: not told
    assert request.history.first().history_change_reason == (
        "the extension notice could not be e-mailed (SMTPRecipientsRefused)"
    )
    assert "wilma@example.org" not in caplog.text


def test_a_web_chat_visitor_is_not_sent_to_a_page_they_cannot_use(dpo, agent):
    from conversations.models import Message
    from conversations.tests.factories import ConversationFactory

    conversation = ConversationFactory(channel="webchat")  # the window is open: they wrote five minutes ago
    request = request_receive(kind="access", channel="chat", actor=agent, subject=conversation.subject,
                              verified=True)  # fmt: skip
    request_reject(request=request, ground="excessive", actor=dpo)
    [notice] = Message.objects.filter(conversation=conversation, direction="out")
    assert request.reference in notice.content["text"] and "/privacy/" not in notice.content["text"]


def test_a_message_erased_before_its_worker_came_is_gone_not_an_error():
    from conversations.services import message_deliver

    assert message_deliver(message_id=987654321) == "gone"


def test_a_whatsapp_customer_whose_window_closed_is_told_of_the_extension_by_an_approved_template(dpo, agent, settings):
    from conversations import services
    from conversations.exceptions import NotAllowed
    from conversations.models import Message
    from conversations.providers.base import InboundMessage
    from conversations.selectors import template_list

    written = timezone.now() - timedelta(days=3)  # her 24-hour window closed two days ago
    inbound = InboundMessage(provider="whatsapp", provider_message_id="wamid.ext-1", contact_kind="whatsapp",
                             sender="4915111122299", timestamp=written, type="text",
                             text="Kopie meiner Daten bitte")  # fmt: skip
    conversation = services.ingest(inbound=inbound).message.conversation
    Conversation.objects.filter(pk=conversation.pk).update(last_inbound_at=written)
    subject = conversation.subject
    # Later, a code from the self-service page: kept in a conversation of its own, where she never wrote.
    Conversation.objects.create(subject=subject, contact_point=conversation.contact_point, channel="whatsapp",
                                status="resolved", resolved_at=timezone.now())  # fmt: skip
    request = request_receive(kind="access", channel="chat", actor=agent, subject=subject, verified=True, now=written)
    request = request_extend(request=request, ground="number", actor=dpo)
    assert request.extension_notified_at is not None and mail.outbox == []
    [notice] = Message.objects.filter(conversation=conversation, type="template")
    template = notice.content["template"]
    assert (notice.template_name, template["name"], template["language"]) == ("data_request_update",) * 2 + ("de",)
    reference, text = template["parameters"]
    assert reference == request.reference and "\n" not in text and "Anfragen" in text  # her language, one line
    # Agents read the chat: it names the self-service page, never the status link (her request's credential).
    assert f"{settings.PUBLIC_BASE_URL.rstrip('/')}/privacy/?lang=de" in text and "/privacy/requests/" not in text
    assert "Meine Anfragen ansehen" in text
    # Agents cannot send it: the template carries the system's own notices.
    assert "data_request_update" not in {t["name"] for t in template_list()}
    with pytest.raises(NotAllowed, match="system"):
        services.message_send_template(conversation=conversation, actor=agent, name="data_request_update",
                                       language="de", parameters=["R-1", "x"])  # fmt: skip


def test_under_the_lgpd_the_simplified_reply_goes_out_once_verified_with_the_categories_held(dpo, told):
    joana = by_email("joana@example.com.br", language="pt-br", jurisdiction="LGPD")
    request = request_receive(kind="access", channel="email", actor=dpo, subject=joana)
    assert mail.outbox == [] and request.simplified_reply_at is None
    with told():
        request = request_verify(request=request, actor=dpo, reason="code confirmed by e-mail")
    [reply] = mail.outbox
    assert request.simplified_reply_at is not None and request.reference in reply.body
    assert "e-mail" in reply.body and "Recebemos" in reply.body  # her contact points, in Portuguese


@pytest.mark.parametrize("reference", ["R-7K3F-9Q2M", "R-KXWB-TMPQ"])  # one reference in twenty has no digit
def test_an_erasure_request_tells_the_customer_first_then_erases_and_stays_as_pseudonymous_proof(dpo, reference, told):
    wilma = by_email()
    request = request_receive(kind="erasure", channel="email", actor=dpo, subject=wilma, verified=True)
    SubjectRequest.objects.filter(pk=request.pk).update(reference=reference)
    request.refresh_from_db()
    with told():
        request = request_fulfil(request=request, actor=dpo)
    [told] = mail.outbox
    assert told.to == ["wilma@example.org"] and request.reference in told.body
    assert not Subject.objects.filter(pk=wilma.pk).exists()
    assert request.state == "completed" and request.subject_id is None and request.subject_public_id == wilma.public_id
    [receipt] = ErasureReceipt.objects.all()
    assert (receipt.reason, receipt.reference, receipt.trigger) == ("subject_request", f"request {request.reference}",
                                                                    "request")  # fmt: skip
    assert receipt.kept.get("subject_requests", "").startswith("1 kept without identifiers")


def test_an_unverified_request_is_not_fulfilled_and_nobody_is_erased(dpo):
    request = request_receive(kind="erasure", channel="email", actor=dpo, subject=by_email())
    with pytest.raises(RequestIncomplete, match="verified"):
        request_fulfil(request=request, actor=dpo)
    assert Subject.objects.count() == 1 and ErasureReceipt.objects.count() == 0


def test_a_withdrawal_request_withdraws_the_consents_and_a_restriction_restricts(dpo, newsletter, notices):
    subject = by_email()
    consent_services.consent_grant(subject=subject, purpose=newsletter, channel="web")
    request = request_receive(kind="withdrawal", channel="email", actor=dpo, subject=subject, verified=True)
    request_fulfil(request=request, actor=dpo)
    assert ConsentState.objects.get(subject=subject, purpose=newsletter).status == "withdrawn"
    restriction = request_receive(kind="restriction", channel="email", actor=dpo, subject=subject, verified=True)
    restriction = request_fulfil(request=restriction, actor=dpo, restriction_ground="accuracy")
    assert Subject.objects.get(pk=subject.pk).restriction == "accuracy" and restriction.state == "completed"


def test_a_rejection_states_the_ground_and_the_right_to_complain(dpo, told):
    request = request_receive(kind="access", channel="email", actor=dpo, subject=by_email(language="en"))
    with told():
        request = request_reject(request=request, ground="excessive", actor=dpo)
    [notice] = mail.outbox
    assert request.state == "rejected" and "excessive" in notice.body and "complain" in notice.body


def test_a_notice_whose_transaction_rolls_back_is_never_sent(dpo, told):
    from django.db import transaction

    request = request_receive(kind="access", channel="email", actor=dpo, subject=by_email(language="en"))
    with told(), pytest.raises(RuntimeError):
        with transaction.atomic():
            request_reject(request=request, ground="excessive", actor=dpo)
            raise RuntimeError("the caller fails after the rejection")
    assert mail.outbox == [] and SubjectRequest.objects.get(pk=request.pk).state == "received"


def test_the_purge_keeps_a_subject_with_an_open_request_and_goes_on_once_it_is_answered(dpo):
    from retention.tests.test_purge import resolved_conversation

    conversation = resolved_conversation(days_ago=400)
    request = request_receive(kind="withdrawal", channel="email", actor=dpo, subject=conversation.subject,
                              verified=True)  # fmt: skip
    run = purge_expired()
    assert Conversation.objects.filter(pk=conversation.pk).exists() and run.held_back.get("messages") == 1
    assert Subject.objects.filter(pk=conversation.subject_id).exists() and run.subjects_erased == 0
    request_fulfil(request=request, actor=dpo)
    purge_expired()
    assert not Conversation.objects.filter(pk=conversation.pk).exists()


def test_the_dpo_queue_puts_the_open_requests_first_by_deadline_and_marks_the_overdue(client, dpo):
    client.force_login(dpo)
    now = timezone.now()
    overdue = request_receive(kind="access", channel="email", actor=dpo, subject=SubjectFactory(),
                              now=now - timedelta(days=40))  # fmt: skip
    soon = request_receive(kind="erasure", channel="phone", actor=dpo, subject=SubjectFactory(),
                           now=now - timedelta(days=29))  # fmt: skip
    later = request_receive(kind="access", channel="email", actor=dpo, subject=SubjectFactory(), now=now)
    done = request_withdraw(request=request_receive(kind="access", channel="email", actor=dpo,
                                                    subject=SubjectFactory(), now=now - timedelta(days=50)),
                            actor=dpo, reason="not needed any more")  # fmt: skip
    page = client.get("/admin/retention/subjectrequest/").content.decode()
    positions = [page.index(r.reference) for r in (overdue, soon, later, done)]
    assert positions == sorted(positions)
    assert page.count("overdue</strong>") == 1 and page.count("due within 3 days</strong>") == 1
    assert "waiting for verification" in page
    only_overdue = client.get("/admin/retention/subjectrequest/?deadline=overdue").content.decode()
    assert overdue.reference in only_overdue and soon.reference not in only_overdue


def test_the_queue_actions_call_the_services_and_report_refusals(client, dpo):
    client.force_login(dpo)
    request = request_receive(kind="access", channel="email", actor=dpo, subject=by_email(language="en"))
    url = "/admin/retention/subjectrequest/"
    client.post(url, {"action": "verify", "_selected_action": [request.pk]})
    request.refresh_from_db()
    assert request.state == "verified" and request.history.first().history_user == dpo
    refused = client.post(url, {"action": "extend_complexity", "_selected_action": [request.pk]}, follow=True)
    assert request.reference in refused.content.decode()  # told: extended, or why not
    change = client.post(f"{url}{request.pk}/change/", {"state": "completed"})
    assert change.status_code == 403 and SubjectRequest.objects.get(pk=request.pk).state == "verified"


def test_staff_record_a_phone_request_in_the_admin(client, dpo):
    client.force_login(dpo)
    subject = SubjectFactory()
    added = client.post("/admin/retention/subjectrequest/add/", {"kind": "access", "channel": "phone",
                        "subject_public_id": str(subject.public_id), "purposes": "[]"})  # fmt: skip
    assert added.status_code == 302
    [request] = SubjectRequest.objects.all()
    assert (request.subject, request.state, request.channel, request.created_by) == (subject, "received", "phone", dpo)


def test_the_reminder_mails_the_dpos_the_overdue_and_nearly_due_ones_without_naming_anyone(dpo):
    from django.core.management import call_command

    dpo.email = "dpo@example.org"
    dpo.save()
    subject = SubjectFactory(display_name="Erika Mustermann")
    overdue = request_receive(kind="access", channel="email", actor=dpo, subject=subject,
                              now=timezone.now() - timedelta(days=35))  # fmt: skip
    request_receive(kind="access", channel="email", actor=dpo, subject=SubjectFactory(), now=timezone.now())
    call_command("remind_subject_requests")
    [reminder] = mail.outbox
    assert reminder.to == ["dpo@example.org"] and overdue.reference in reminder.body
    assert reminder.body.count("\n") == 0 and "Erika" not in reminder.body + reminder.subject
    assert "1 overdue, 0 due soon" in reminder.subject


def test_an_objection_stops_a_legitimate_interest_send_and_marketing(dpo, settings, agent, newsletter, notices):
    from consent.tests.factories import PurposeFactory
    from conversations import services
    from conversations.exceptions import ObjectionStands
    from conversations.providers.base import InboundMessage

    surveys = PurposeFactory(code="surveys", label="Surveys", about="How did we do?",
                             legal_bases={"GDPR": "gdpr-6-1-f", "LGPD": "lgpd-7-ix"},
                             balancing_note="Short surveys after a conversation; one a month at most.")  # fmt: skip
    settings.WHATSAPP_TEMPLATES = {
        **settings.WHATSAPP_TEMPLATES,
        "satisfaction_survey": {
            "category": "UTILITY",
            "purpose": "surveys",
            "languages": ["de"],
            "preview": {"de": "Wie war es? {0}"},
        },
    }
    inbound = InboundMessage(provider="whatsapp", provider_message_id="wamid.obj-1", contact_kind="whatsapp",
                             sender="4915111122233", timestamp=timezone.now(), type="text", text="Hallo")  # fmt: skip
    conversation = services.ingest(inbound=inbound).message.conversation
    subject = conversation.subject
    consent_services.consent_grant(subject=subject, purpose=newsletter, channel="whatsapp")
    send = dict(conversation=conversation, actor=agent, name="satisfaction_survey", language="de", parameters=["1"])
    assert services.message_send_template(**send).type == "template"  # before: legitimate interest allows it

    request = request_receive(kind="objection", channel="chat", actor=agent, subject=subject, verified=True)
    request = request_fulfil(request=request, actor=dpo)

    assert request.state == "completed" and surveys.pk
    with pytest.raises(ObjectionStands):
        services.message_send_template(**send)
    assert ConsentState.objects.get(subject=subject, purpose=newsletter).status == "withdrawn"  # marketing too
    assert services.message_send_template(**{**send, "name": "conversation_followup", "parameters": ["Paket"]})


def test_a_rectification_corrects_the_name_with_the_request_in_its_history(dpo):
    from retention.services.requests import request_rectify

    subject = by_email(language="de")
    request = request_receive(kind="rectification", channel="email", actor=dpo, subject=subject, verified=True)
    with pytest.raises(RequestIncomplete, match="corrections"):
        request_fulfil(request=request, actor=dpo)
    request = request_rectify(request=request, actor=dpo, display_name="Wilma Zauberstab-Neu", language="en")
    subject = Subject.objects.get(pk=subject.pk)
    assert (subject.display_name, subject.language, request.state) == ("Wilma Zauberstab-Neu", "en", "completed")
    assert subject.history.first().history_change_reason == f"rectified: request {request.reference}"


def test_a_rectification_corrects_the_contact_points_all_or_nothing_and_tells_the_corrected_address(dpo, told):
    from consent.models import ContactPoint
    from consent.selectors import subject_get_by_contact
    from retention.services.requests import request_rectify

    subject = by_email("wilma@exampel.org")  # the typo she asks us to correct
    by_email("otto@example.org", language="en")  # someone else's address
    request = request_receive(kind="rectification", channel="email", actor=dpo, subject=subject, verified=True)
    with pytest.raises(RequestIncomplete, match="another subject"):
        request_rectify(request=request, actor=dpo, display_name="Wilma Neu", contacts={"email": "otto@example.org"})
    with pytest.raises(RequestIncomplete, match="whatsapp"):
        request_rectify(request=request, actor=dpo, contacts={"whatsapp": "not a number"})
    subject.refresh_from_db()
    request.refresh_from_db()
    assert subject.display_name != "Wilma Neu" and request.state == "verified"  # nothing changed

    with told():
        corrected = {"email": " Wilma@Example.org ", "whatsapp": "+49 151 2345 6789"}
        request = request_rectify(request=request, actor=dpo, contacts=corrected)
    assert request.state == "completed"
    assert subject_get_by_contact(kind="email", value="wilma@example.org") == subject
    assert subject_get_by_contact(kind="email", value="wilma@exampel.org") is None
    assert subject_get_by_contact(kind="whatsapp", value="+4915123456789") == subject  # added: she had none
    email = ContactPoint.objects.get(subject=subject, kind="email")
    reasons = [h.history_change_reason for h in email.history.order_by("history_id")]
    assert reasons[-1] == f"rectified: request {request.reference}" and len(reasons) == 2  # the old value is kept
    assert request.recipients_informed == []  # Art. 19: Meta never had her wrong data, the number is new
    [told] = mail.outbox
    assert told.to == ["wilma@example.org"] and request.reference in told.body  # at the corrected address


def test_the_dpo_rectifies_in_the_admin_without_seeing_what_we_hold(dpo, client):
    subject = by_email("wilma@exampel.org")
    consent_services.subject_update(subject=subject, display_name="Wilma Zauberstab", actor=None, reason="seed")
    request = request_receive(kind="rectification", channel="email", actor=dpo, subject=subject, verified=True)
    client.force_login(dpo)
    change = client.get(f"/admin/retention/subjectrequest/{request.pk}/change/").content.decode()
    address = f"/admin/retention/subjectrequest/{request.pk}/rectify/"
    assert address in change
    form = client.get(address)
    assert form.status_code == 200 and 'name="email"' in form.content.decode()
    empty = client.post(address, {"display_name": "", "language": "", "email": "", "whatsapp": ""})
    assert empty.status_code == 400 and "at least one correction" in empty.content.decode()
    by_email("otto@example.org", language="en")
    taken = client.post(address, {"display_name": "", "language": "", "email": "otto@example.org", "whatsapp": ""},
                        HTTP_ACCEPT_LANGUAGE="de")  # fmt: skip
    assert taken.status_code == 400 and "gehört einer anderen Kundin" in taken.content.decode()
    assert "otto@example.org" not in taken.content.decode().split('name="email"')[0]  # not echoed in the message
    invalid = client.post(address, {"display_name": "", "language": "", "email": "", "whatsapp": "kein Telefon"},
                          HTTP_ACCEPT_LANGUAGE="pt-BR")  # fmt: skip
    assert invalid.status_code == 400 and "não é um número de WhatsApp com o código do país" in invalid.content.decode()
    done = client.post(address, {"display_name": "Wilma Zauberstab-Neu", "language": "", "email": "wilma@example.org",
                                 "whatsapp": ""})  # fmt: skip
    assert done.status_code == 302
    subject = Subject.objects.get(pk=subject.pk)
    assert subject.display_name == "Wilma Zauberstab-Neu" and subject.language == "de"
    assert SubjectRequest.objects.get(pk=request.pk).state == "completed"
    again = client.post(address, {"display_name": "X", "language": "", "email": "", "whatsapp": ""})
    assert again.status_code == 400 and "cannot be rectified now" in again.content.decode()
    other = request_receive(kind="access", channel="email", actor=dpo, subject=subject)
    assert client.get(f"/admin/retention/subjectrequest/{other.pk}/rectify/").status_code == 404
