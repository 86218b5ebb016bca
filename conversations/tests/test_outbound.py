"""Sending through the WhatsApp Cloud API, against the fake Graph API on a real loopback port."""

import pytest

from consent import services as consent_services
from consent.models import ConsentChannel
from consent.selectors import consent_state
from conversations.exceptions import ConsentMissing, ProcessingRestricted, WindowClosed
from conversations.models import Conversation, ConversationEvent, Message, MessageStatus
from conversations.providers.base import PermanentSendError, RetryableSendError
from conversations.providers.whatsapp.client import WhatsAppSender, retry_after_parse
from conversations.services import ingest, message_deliver, message_reply, message_send_template
from conversations.tests.conftest import (
    ACCESS_TOKEN,
    APP_SECRET,
    PHONE_NUMBER_ID,
    WA_ID,
    customer_wrote,
    inbound_text,
)
from devtools.fakegraph import FakeGraphAPI


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The ``agent`` fixture hashes a password; PBKDF2's production cost is a second per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def conversation(db, fake_graph, default_team) -> Conversation:
    return customer_wrote()


def reply(conversation: Conversation, agent, text: str, capture) -> Message:
    with capture(execute=True):
        message = message_reply(conversation=conversation, actor=agent, text=text)
    message.refresh_from_db()
    return message


def test_agent_reply_is_sent_with_the_exact_cloud_api_body(
    conversation, agent, fake_graph, django_capture_on_commit_callbacks
):
    message = reply(conversation, agent, "Ihre Bestellung ist unterwegs.", django_capture_on_commit_callbacks)

    [send] = fake_graph.sends
    assert send.path == f"/{PHONE_NUMBER_ID}/messages"
    assert send.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert send.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "text",
        "text": {"body": "Ihre Bestellung ist unterwegs.", "preview_url": False},
    }
    assert message.status == MessageStatus.SENT
    assert message.provider_message_id == fake_graph.accepted_ids[0]
    assert message.attempts == 1
    assert message.author == agent
    statuses = ConversationEvent.objects.filter(kind="message.status", message=message).values_list("data", flat=True)
    assert list(statuses) == [{"status": "sent", "error_code": ""}]


def test_server_error_then_success_is_retried(conversation, agent, fake_graph, django_capture_on_commit_callbacks):
    fake_graph.fail_next(1, status=500)
    message = reply(conversation, agent, "Zweiter Versuch", django_capture_on_commit_callbacks)
    assert len(fake_graph.sends) == 2
    assert fake_graph.sends[0].body == fake_graph.sends[1].body
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert message.provider_message_id == fake_graph.accepted_ids[0]


@pytest.mark.parametrize(("status", "code"), [(400, 130429), (400, 131056), (400, 80007), (503, 2), (429, 4)])
def test_throttling_codes_are_retried(
    status, code, conversation, agent, fake_graph, django_capture_on_commit_callbacks
):
    fake_graph.fail_next(2, status=status, code=code)
    message = reply(conversation, agent, "Gedrosselt", django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.SENT
    assert message.attempts == 3


def test_429_retry_after_is_honoured(conversation, agent, fake_graph, whatsapp_settings):
    whatsapp_settings.OUTBOUND_BACKOFF_MAX_SECONDS = 60
    fake_graph.fail_next(1, status=429, code=130429, message="Rate limit hit", retry_after="7")
    message = message_reply(conversation=conversation, actor=agent, text="Bitte warten")  # queued, not yet sent
    slept: list[float] = []

    assert message_deliver(message_id=message.pk, sleep=slept.append) == MessageStatus.SENT

    assert slept == [7.0]  # Meta's Retry-After, not our 0.001 s backoff
    assert len(fake_graph.sends) == 2


def test_retries_are_bounded_and_then_fail(conversation, agent, fake_graph, django_capture_on_commit_callbacks):
    fake_graph.fail_next(10, status=500)
    message = reply(conversation, agent, "Nie", django_capture_on_commit_callbacks)
    assert len(fake_graph.sends) == 3  # OUTBOUND_MAX_ATTEMPTS in these tests
    assert message.status == MessageStatus.FAILED
    assert message.error_code == "1"


@pytest.mark.parametrize(
    ("status", "code", "title"),
    [
        (400, 131047, "Re-engagement message"),
        (400, 131026, "Message undeliverable"),
        (400, 100, "(#100) Invalid parameter"),
    ],
)
def test_permanent_errors_fail_at_once_with_the_code_shown(
    status, code, title, conversation, agent, fake_graph, django_capture_on_commit_callbacks
):
    fake_graph.fail_next(1, status=status, code=code, message=title)
    message = reply(conversation, agent, "Zu spät", django_capture_on_commit_callbacks)
    assert len(fake_graph.sends) == 1
    assert (message.status, message.error_code, message.error_title) == ("failed", str(code), title)
    from conversations.selectors import message_render

    rendered = message_render(message)
    assert (rendered["status"], rendered["error_code"], rendered["error_title"]) == ("failed", str(code), title)


def test_wrong_access_token_fails_permanently(
    conversation, agent, fake_graph, whatsapp_settings, django_capture_on_commit_callbacks
):
    whatsapp_settings.WHATSAPP_ACCESS_TOKEN = "revoked"
    message = reply(conversation, agent, "Hallo", django_capture_on_commit_callbacks)
    assert (message.status, message.error_code) == ("failed", "190")
    assert fake_graph.sends[0].headers["Authorization"] == "Bearer revoked"


def test_unreachable_api_is_retried_then_failed(conversation, agent, fake_graph, whatsapp_settings):
    fake_graph.stop()  # the port is closed now: connection refused
    message = message_reply(conversation=conversation, actor=agent, text="Hallo")
    slept: list[float] = []
    assert message_deliver(message_id=message.pk, sleep=slept.append) == MessageStatus.FAILED
    message.refresh_from_db()
    assert message.error_code == "connection"
    assert message.attempts == 3
    assert len(slept) == 2


def test_sender_maps_errors_directly(conversation, agent, fake_graph):
    message = message_reply(conversation=conversation, actor=agent, text="direkt")
    message = Message.objects.select_related("conversation__subject", "conversation__contact_point").get(pk=message.pk)
    fake_graph.fail_next(1, status=429, code=130429, retry_after="2")
    with pytest.raises(RetryableSendError) as retryable:
        WhatsAppSender().send(message=message)
    assert (retryable.value.code, retryable.value.retry_after) == ("130429", 2.0)
    fake_graph.fail_next(1, status=400, code=131047, message="Re-engagement message")
    with pytest.raises(PermanentSendError) as permanent:
        WhatsAppSender().send(message=message)
    assert permanent.value.code == "131047"
    assert WhatsAppSender().send(message=message) == fake_graph.accepted_ids[-1]


def test_retry_after_forms():
    assert retry_after_parse("3") == 3.0
    assert retry_after_parse(None) is None
    assert retry_after_parse("soon") is None
    assert retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: at once


# --- the 24-hour window and templates ------------------------------------------------------------------------


def test_free_text_outside_the_window_is_refused(db, fake_graph, default_team, agent):
    conversation = customer_wrote(hours_ago=25)
    with pytest.raises(WindowClosed):
        message_reply(conversation=conversation, actor=agent, text="Noch da?")
    assert fake_graph.sends == []
    assert not Message.objects.filter(direction="out").exists()


def test_template_outside_the_window_is_sent(db, fake_graph, default_team, agent, django_capture_on_commit_callbacks):
    conversation = customer_wrote(hours_ago=48)
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send_template(
            conversation=conversation, actor=agent, name="conversation_followup", language="de", parameters=["Paket 7"]
        )
    [send] = fake_graph.sends
    assert send.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "template",
        "template": {
            "name": "conversation_followup",
            "language": {"code": "de"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": "Paket 7"}]}],
        },
    }
    message.refresh_from_db()
    assert (message.type, message.status) == ("template", MessageStatus.SENT)
    assert message.content["text"] == "Hallo, es gibt Neuigkeiten zu Ihrer Anfrage: Paket 7"


def test_marketing_template_refused_without_consent(db, fake_graph, default_team, agent, marketing_whatsapp):
    conversation = customer_wrote(hours_ago=48)
    with pytest.raises(ConsentMissing):
        message_send_template(
            conversation=conversation, actor=agent, name="weekly_offers", language="de", parameters=["-20 %"]
        )
    assert fake_graph.sends == []


def test_marketing_template_sent_with_granted_consent(
    db, fake_graph, default_team, agent, marketing_whatsapp, notices, django_capture_on_commit_callbacks
):
    conversation = customer_wrote(hours_ago=48)
    consent_services.consent_grant(
        subject=conversation.subject, purpose=marketing_whatsapp, channel=ConsentChannel.WHATSAPP
    )
    with django_capture_on_commit_callbacks(execute=True):
        message_send_template(
            conversation=conversation, actor=agent, name="weekly_offers", language="de", parameters=["-20 %"]
        )
    [send] = fake_graph.sends
    assert send.body["template"]["name"] == "weekly_offers"
    assert send.body["template"]["components"][0]["parameters"] == [{"type": "text", "text": "-20 %"}]


def test_marketing_template_refused_after_stop(
    db, fake_graph, default_team, agent, marketing_whatsapp, notices, django_capture_on_commit_callbacks
):
    conversation = customer_wrote(hours_ago=48)
    subject = conversation.subject
    consent_services.consent_grant(subject=subject, purpose=marketing_whatsapp, channel=ConsentChannel.WHATSAPP)
    consent_services.consent_withdraw_marketing(subject=subject, channel=ConsentChannel.WHATSAPP)
    with pytest.raises(ConsentMissing):
        message_send_template(
            conversation=conversation, actor=agent, name="weekly_offers", language="de", parameters=["x"]
        )
    assert fake_graph.sends == []


# --- the whole loop over real HTTP: the fake posts signed status webhooks to the running app ----------------------


@pytest.mark.urls("conversations.tests.urls_webhooks_test")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_statuses_posted_back_move_the_message_to_delivered_and_read(live_server, whatsapp_settings, agent):
    fake = FakeGraphAPI(
        access_token=ACCESS_TOKEN,
        phone_number_id=PHONE_NUMBER_ID,
        webhook_url=f"{live_server.url}/webhooks/whatsapp/",
        app_secret=APP_SECRET,
        status_delays=(0.3, 0.3, 0.3),
    ).start()
    whatsapp_settings.WHATSAPP_API_BASE = fake.url
    try:
        status, _ = fake.customer_says(WA_ID, "Erika", "Hallo, wo ist meine Bestellung?")
        assert status == 200
        conversation = Conversation.objects.get()
        assert conversation.window_open

        message = message_reply(conversation=conversation, actor=agent, text="Ist unterwegs!")  # commits, then sends

        def status_is(expected: str) -> bool:
            return Message.objects.get(pk=message.pk).status == expected

        assert fake.wait_for(lambda: status_is("read"), timeout=15)
        message.refresh_from_db()
        assert message.provider_message_id == fake.accepted_ids[0]
        moves = ConversationEvent.objects.filter(kind="message.status", message=message).order_by("pk")
        assert [event.data["status"] for event in moves] == ["sent", "delivered", "read"]
        assert fake.wait_for(lambda: len(fake.webhook_responses) == 4)
        assert fake.webhook_responses == [200, 200, 200, 200]  # the inbound message, then sent/delivered/read
    finally:
        fake.stop()


# --- restriction of processing (GDPR Art. 18, LGPD Art. 18 IV): stored, never sent to ---------------------------


def restrict(conversation: Conversation, dpo=None) -> None:
    consent_services.subject_restrict(
        subject=conversation.subject, ground="accuracy", actor=dpo, reason="customer contests their address"
    )
    conversation.subject.refresh_from_db()


def test_nothing_is_sent_to_a_restricted_customer(
    db, fake_graph, default_team, agent, marketing_whatsapp, notices, django_capture_on_commit_callbacks
):
    conversation = customer_wrote()
    consent_services.consent_grant(
        subject=conversation.subject, purpose=marketing_whatsapp, channel=ConsentChannel.WHATSAPP
    )
    restrict(conversation)

    with pytest.raises(ProcessingRestricted, match="restricted"):
        message_reply(conversation=conversation, actor=agent, text="Ihre Bestellung ist unterwegs.")
    for name in ("conversation_followup", "weekly_offers"):  # utility and (consented) marketing templates alike
        with pytest.raises(ProcessingRestricted):
            message_send_template(conversation=conversation, actor=agent, name=name, language="de", parameters=["x"])

    # The customer's own messages are still stored; automatic answers (the STOP confirmation) are not sent,
    # but the withdrawal itself is recorded.
    with django_capture_on_commit_callbacks(execute=True):
        result = ingest(inbound=inbound_text(WA_ID, "STOP", message_id="wamid.stop-restricted"))
    assert result.created and result.replies == ()
    assert consent_state(subject=conversation.subject, purpose=marketing_whatsapp) == "withdrawn"
    assert fake_graph.sends == []
    assert not Message.objects.filter(direction="out").exists()


def test_a_message_queued_before_the_restriction_is_not_sent(
    db, fake_graph, default_team, agent, django_capture_on_commit_callbacks
):
    conversation = customer_wrote()
    message = message_reply(conversation=conversation, actor=agent, text="Gleich kommt die Antwort")  # queued
    restrict(conversation)
    assert message_deliver(message_id=message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, "restricted")
    assert fake_graph.sends == []


def test_lifting_needs_the_customer_informed_and_then_sending_works_again(
    db, fake_graph, default_team, agent, django_capture_on_commit_callbacks
):
    from consent.exceptions import InvalidTransition

    conversation = customer_wrote()
    restrict(conversation)
    subject = conversation.subject
    with pytest.raises(InvalidTransition, match="informed"):
        consent_services.subject_restriction_lift(
            subject=subject, actor=None, reason="address verified", customer_informed=False
        )
    consent_services.subject_restriction_lift(
        subject=subject, actor=None, reason="address verified", customer_informed=True
    )
    subject.refresh_from_db()
    assert subject.restriction == "" and subject.restricted_at is None
    reasons = list(subject.history.order_by("history_id").values_list("restriction", "history_change_reason"))
    assert reasons[-2:] == [("accuracy", "customer contests their address"), ("", "address verified")]

    message = reply(conversation, agent, "Adresse bestätigt, danke!", django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.SENT and len(fake_graph.sends) == 1
