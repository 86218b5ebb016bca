"""The WhatsApp webhook end to end: signed HTTP POSTs of recorded payloads → what is stored.

Every file in conversations/tests/fixtures/whatsapp is replayed; a new file fails
``test_every_fixture_has_an_expectation`` until its outcome is written down here.
"""

import json
import logging

import pytest

from consent import services as consent_services
from consent import vault
from consent.messages import WITHDRAWAL_CONFIRMED
from consent.models import ConsentChannel, ConsentStatus, Subject
from consent.selectors import consent_state, subject_get_by_contact
from conversations.models import (
    Attachment,
    Conversation,
    ConversationEvent,
    Direction,
    EarlyStatus,
    Message,
    MessageStatus,
)
from conversations.services import ingest
from conversations.tests.conftest import FIXTURES_DIR, PHONE_NUMBER_ID, VERIFY_TOKEN, inbound_text, load_fixture
from conversations.tests.factories import MessageFactory
from conversations.tests.recordings import NUMBER_CHANGES, STATUSES
from devtools.fakegraph import inbound_text_value, status_value, webhook_envelope

pytestmark = [pytest.mark.urls("conversations.tests.urls_webhooks_test"), pytest.mark.django_db]

# file → (type, text, profile name, media id)
MESSAGE_FILES = {
    "meta_01_text.json": ("text", "Does it come in another color?", "Sheena Nelson", None),
    "meta_01b_text_message_business_button_context.json": ("text", "Is this still available?", "Sheena Nelson", None),
    "meta_02_image.json": ("image", "Taj Mahal", "Sheena Nelson", "1003383421387256"),
    "meta_03_document.json": ("document", "my receipt", "Sheena Nelson", "622684793477189"),
    "meta_14_unsupported.json": ("unsupported", "", "Sheena Nelson", None),
    "pywa_01_text.json": ("text", "Body Text", "Test Name", None),
    "pywa_02_image.json": ("image", "", "Test Name", "65463453"),
    "pywa_03_document.json": ("document", "caption", "Test Name", "1234567890987654321"),
    "pywa_04_audio.json": ("audio", "", "Test Name", "1234567890987654321"),
    "pywa_04b_voice.json": ("voice", "", "Test Name", "1234567890987654321"),
    "pywa_05_video.json": ("video", "caption", "Test Name", "765756756"),
    "pywa_06_sticker_static.json": ("sticker", "", "Test Name", "1234567890987654321"),
    "pywa_06b_sticker_animated.json": ("sticker", "", "Test Name", "1234567890987654321"),
    "pywa_07_location.json": ("location", "", "Test Name", None),
    "pywa_07b_location_chosen.json": ("location", "", "Test Name", None),
    "pywa_08_contacts.json": ("contacts", "", "Test Name", None),
    "pywa_09_interactive_button_reply.json": ("interactive", "title", "Test Name", None),
    "pywa_10_interactive_list_reply.json": ("interactive", "title", "Test Name", None),
    "pywa_11_quick_reply_button.json": ("button", "title", "Test Name", None),
    "pywa_12_reaction.json": ("reaction", "", "Test Name", None),
    "pywa_12b_reaction_removed.json": ("reaction", "", "Test Name", None),
    "pywa_13_reply_with_context.json": ("text", "replied text", "Test Name", None),
    "pywa_14_unsupported.json": ("unsupported", "", "Test Name", None),
}
# Accepted (200) and nothing stored: value-level errors, and the PHP SDK's placeholder senders
# ("PHONE_NUMBER"), which no phone can have, so retrying them would never help.
NOTHING_STORED_FILES = {
    "meta_21_value_errors_130429.json",
    "netflie_14b_unknown_type_131051.json",
    "netflie_15b_system_user_changed_number.json",
    "netflie_20_batch_two_changes_text.json",
}
# The status a message had before each reported status moves it one step on.
STEP_BEFORE = {
    "sent": MessageStatus.QUEUED,
    "delivered": MessageStatus.SENT,
    "read": MessageStatus.DELIVERED,
    "failed": MessageStatus.SENT,
}
# file → (old wa_id, new wa_id), for the files with numbers a phone can have
NUMBER_FILES = {name: numbers for name, numbers in NUMBER_CHANGES.items() if name not in NOTHING_STORED_FILES}


def wamid_of(payload: dict) -> str:
    value = payload["entry"][0]["changes"][0]["value"]
    return (value.get("messages") or value.get("statuses"))[0]["id"]


def counts() -> tuple[int, int, int, int]:
    return (Subject.objects.count(), Conversation.objects.count(), Message.objects.count(), EarlyStatus.objects.count())


def test_every_fixture_has_an_expectation():
    files = {path.name for path in FIXTURES_DIR.glob("*.json")}
    expected = set(MESSAGE_FILES) | set(STATUSES) | set(NUMBER_FILES) | NOTHING_STORED_FILES
    assert files == expected


@pytest.mark.parametrize("name", sorted(MESSAGE_FILES))
def test_replay_message_fixture(name, post_webhook, default_team):
    kind, text, profile_name, media_id = MESSAGE_FILES[name]
    payload = load_fixture(name)

    response = post_webhook(payload)

    assert response.status_code == 200
    [message] = Message.objects.select_related("conversation__subject")
    assert message.direction == Direction.INBOUND
    assert message.type == kind
    assert message.status == MessageStatus.RECEIVED
    assert message.provider_message_id == wamid_of(payload)
    assert message.content.get("text", "") == text
    if text:
        assert text.encode() not in bytes(message.content_enc)  # stored encrypted, never in clear
    conversation = message.conversation
    assert conversation.status == "open" and conversation.team == default_team
    assert conversation.unread_count == 1 and conversation.last_inbound_at == message.provider_timestamp
    assert conversation.subject.display_name == profile_name
    assert ConversationEvent.objects.filter(kind="conversation.opened", conversation=conversation).count() == 1
    assert ConversationEvent.objects.filter(kind="conversation.message", message=message).count() == 1
    attachments = list(Attachment.objects.filter(message=message))
    if media_id:
        assert [(a.provider_media_id, a.status) for a in attachments] == [(media_id, "pending")]
    else:
        assert attachments == []


def test_replayed_content_keeps_structure(post_webhook, default_team):
    assert post_webhook(load_fixture("pywa_10_interactive_list_reply.json")).status_code == 200
    assert post_webhook(load_fixture("pywa_12_reaction.json")).status_code == 200
    listed = Message.objects.get(provider_message_id="wamid.zyzxyz")
    assert listed.content["interactive"] == {
        "type": "list_reply",
        "id": "callback_data",
        "title": "title",
        "description": "description",
    }
    assert listed.reply_to_provider_id == "wamid.xyzxyz"
    reaction = Message.objects.get(provider_message_id="wamid.xyzxyz")
    assert reaction.content == {"reaction": {"message_id": "wamid.yzxyzx=", "emoji": "\U0001f62e"}}


@pytest.mark.parametrize("name", sorted(STATUSES))
def test_replay_status_fixture(name, post_webhook):
    after, code = STATUSES[name]
    payload = load_fixture(name)
    message = MessageFactory(provider_message_id=wamid_of(payload), status=STEP_BEFORE[after])

    response = post_webhook(payload)

    assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == after
    assert message.error_code == code
    assert bool(message.error_title) == bool(code)
    assert message.status_changed_at is not None
    assert ConversationEvent.objects.filter(kind="message.status", message=message).count() == 1


@pytest.mark.parametrize("name", sorted(NUMBER_FILES))
def test_replay_number_change_keeps_one_subject(name, post_webhook, default_team):
    old, new = NUMBER_FILES[name]
    first = ingest(inbound=inbound_text(old, "Hallo", message_id="wamid.before")).message
    subject = first.conversation.subject
    subjects = Subject.objects.count()

    response = post_webhook(load_fixture(name))

    assert response.status_code == 200
    assert Subject.objects.count() == subjects
    assert subject_get_by_contact(kind="whatsapp", value=new) == subject
    assert subject_get_by_contact(kind="whatsapp", value=old) is None
    notice = Message.objects.filter(conversation=first.conversation, type="system").get()
    assert "changed their phone number" in notice.content["text"]
    # Their next message lands in the same conversation.
    again = ingest(inbound=inbound_text(new, "Neue Nummer", message_id="wamid.after")).message
    assert again.conversation_id == first.conversation_id


@pytest.mark.parametrize("name", sorted(NOTHING_STORED_FILES))
def test_replay_fixture_that_stores_nothing(name, post_webhook, caplog):
    with caplog.at_level(logging.INFO):
        response = post_webhook(load_fixture(name))
    assert response.status_code == 200
    assert counts() == (0, 0, 0, 0)
    assert "PHONE_NUMBER" not in caplog.text


def test_value_level_errors_are_logged_by_code(post_webhook, caplog):
    with caplog.at_level(logging.WARNING):
        assert post_webhook(load_fixture("meta_21_value_errors_130429.json")).status_code == 200
    assert "130429" in caplog.text
    assert "too many messages" not in caplog.text


def real_numbers(payload: dict) -> dict:
    """The PHP SDK's placeholders replaced by numbers a phone can have."""
    text = json.dumps(payload)
    for placeholder, number in [
        ('"NEW_PHONE_NUMBER_ID"', '"4915198765432"'),
        ('"PHONE_NUMBER"', '"4915123456789"'),
        ('"WHATSAPP_ID"', '"4915123456789"'),
    ]:
        text = text.replace(placeholder, number)
    return json.loads(text)


def test_batch_of_two_changes_stores_both(post_webhook, default_team):
    payload = real_numbers(load_fixture("netflie_20_batch_two_changes_text.json"))
    payload["entry"][0]["changes"][1]["value"]["messages"][0]["id"] = "wamid.ID2"

    assert post_webhook(payload).status_code == 200

    messages = list(Message.objects.order_by("provider_timestamp"))
    assert [m.content["text"] for m in messages] == ["MESSAGE_BODY", "MESSAGE_BODY2"]
    assert len({m.conversation_id for m in messages}) == 1
    assert messages[0].conversation.unread_count == 2


def test_batch_with_the_same_id_twice_stores_it_once(post_webhook, default_team):
    payload = real_numbers(load_fixture("netflie_20_batch_two_changes_text.json"))
    assert post_webhook(payload).status_code == 200
    assert [m.content["text"] for m in Message.objects.all()] == ["MESSAGE_BODY"]


def test_old_shape_number_change(post_webhook, default_team):
    ingest(inbound=inbound_text("4915123456789", "Hallo", message_id="wamid.before"))
    payload = real_numbers(load_fixture("netflie_15b_system_user_changed_number.json"))
    assert post_webhook(payload).status_code == 200
    assert subject_get_by_contact(kind="whatsapp", value="4915198765432") is not None
    assert Subject.objects.count() == 1


def test_fifty_message_batch_stores_fifty(post_webhook, default_team):
    senders = [f"491511000{i:04d}" for i in range(10)]
    values = [
        inbound_text_value(
            wa_id=senders[i % 10], name=f"Kunde {i % 10}", text=f"Nachricht {i}", phone_number_id=PHONE_NUMBER_ID
        )
        for i in range(50)
    ]
    payload = webhook_envelope(*values[:25])
    payload["entry"].append(webhook_envelope(*values[25:])["entry"][0])

    assert post_webhook(payload).status_code == 200

    assert Message.objects.filter(direction=Direction.INBOUND).count() == 50
    assert Conversation.objects.count() == 10
    assert Subject.objects.count() == 10
    assert sorted(Conversation.objects.values_list("unread_count", flat=True)) == [5] * 10


def test_duplicate_delivery_changes_nothing(post_webhook, default_team):
    payload = load_fixture("meta_01_text.json")
    assert post_webhook(payload).status_code == 200
    before = (counts(), ConversationEvent.objects.count(), Conversation.objects.get().unread_count)

    assert post_webhook(payload).status_code == 200

    assert (counts(), ConversationEvent.objects.count(), Conversation.objects.get().unread_count) == before


def test_duplicate_status_changes_nothing(post_webhook):
    payload = load_fixture("pywa_17_status_delivered.json")
    message = MessageFactory(provider_message_id=wamid_of(payload), status=MessageStatus.SENT)
    assert post_webhook(payload).status_code == 200
    message.refresh_from_db()
    changed_at = message.status_changed_at

    assert post_webhook(payload).status_code == 200

    message.refresh_from_db()
    assert (message.status, message.status_changed_at) == ("delivered", changed_at)
    assert ConversationEvent.objects.filter(kind="message.status").count() == 1


def status_payload(wamid: str, status: str, **error) -> dict:
    return webhook_envelope(
        status_value(
            message_id=wamid, status=status, recipient="4915123456789", phone_number_id=PHONE_NUMBER_ID, **error
        )
    )


@pytest.mark.parametrize(
    ("order", "final", "moves"),
    [
        (["delivered", "sent", "read"], "read", 2),
        (["read", "delivered", "sent"], "read", 1),
        (["sent", "read", "delivered"], "read", 2),
        (["sent", "delivered", "read"], "read", 3),
        (["delivered", "failed"], "delivered", 1),
        (["failed", "delivered", "read"], "failed", 1),
    ],
)
def test_out_of_order_statuses_never_move_backwards(order, final, moves, post_webhook):
    message = MessageFactory(provider_message_id="wamid.order", status=MessageStatus.QUEUED)
    for status in order:
        assert post_webhook(status_payload("wamid.order", status)).status_code == 200
    message.refresh_from_db()
    assert message.status == final
    assert ConversationEvent.objects.filter(kind="message.status", message=message).count() == moves


def test_statuses_for_one_message_in_one_batch(post_webhook):
    message = MessageFactory(provider_message_id="wamid.batch", status=MessageStatus.SENT)
    values = [status_payload("wamid.batch", s)["entry"][0]["changes"][0]["value"] for s in ("read", "delivered")]
    assert post_webhook(webhook_envelope(*values)).status_code == 200
    message.refresh_from_db()
    assert message.status == "read"


def _statuses_post(post_webhook, moves: list[tuple[str, str]]):
    """One webhook with a status value per (wamid, status), in that order; returns the queries it made."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    values = [status_payload(wamid, status)["entry"][0]["changes"][0]["value"] for wamid, status in moves]
    with CaptureQueriesContext(connection) as queries:
        assert post_webhook(webhook_envelope(*values)).status_code == 200
    return queries


@pytest.fixture
def known_recipient(db):
    """The customer the status payloads name (``status_payload``): a status for someone we do not know is not
    kept (a message to someone erased since, or another system's customer)."""
    from consent import services as consent_services

    subject, _ = consent_services.subject_get_or_create_by_contact(kind="whatsapp", value="+4915123456789", actor=None)
    return subject


def test_a_batch_of_statuses_moves_every_message_forward_and_keeps_the_unknown(post_webhook, known_recipient):
    messages = [MessageFactory(provider_message_id=f"wamid.many{n}", status=MessageStatus.QUEUED) for n in range(6)]
    moves = [(f"wamid.many{n}", "sent") for n in range(6)] + [(f"wamid.many{n}", "delivered") for n in range(3)]
    moves += [("wamid.many0", "read"), ("wamid.many0", "delivered"), ("wamid.many5", "sent"), ("wamid.nobody", "read")]

    _statuses_post(post_webhook, moves)

    for message in messages:
        message.refresh_from_db()
    assert [m.status for m in messages] == ["read", "delivered", "delivered", "sent", "sent", "sent"]
    moved = {m.pk: ConversationEvent.objects.filter(kind="message.status", message=m).count() for m in messages}
    assert list(moved.values()) == [3, 2, 2, 1, 1, 1]  # one event per move, none for a step back or a repeat
    assert list(EarlyStatus.objects.values_list("provider_message_id", "status")) == [("wamid.nobody", "read")]


def test_statuses_of_one_webhook_cost_the_same_queries_for_4_messages_as_for_36(post_webhook, default_team, agent):
    """Messages as the inbox renders them: a team, an assigned agent, encrypted text, some images."""
    for n in range(40):
        message = MessageFactory(
            conversation__team=default_team, conversation__assigned_agent=agent, provider_message_id=f"wamid.q{n}",
            status=MessageStatus.SENT, content={"text": f"Reply {n}"}, type="image" if n % 3 == 0 else "text",
        )  # fmt: skip
        if message.type == "image":
            Attachment.objects.create(message=message, mime_type="image/jpeg", size=1000)
    few = _statuses_post(post_webhook, [(f"wamid.q{n}", "delivered") for n in range(4)])
    many = _statuses_post(post_webhook, [(f"wamid.q{n}", "delivered") for n in range(4, 40)])
    assert len(many.captured_queries) == len(few.captured_queries)
    assert Message.objects.filter(status="delivered").count() == 40


def test_statuses_for_messages_we_never_sent_cost_the_same_queries_for_4_as_for_36(
    post_webhook, django_capture_on_commit_callbacks, known_recipient
):
    """Another system sending on the same number to one of our customers: its statuses are kept (one insert) and
    looked up again after commit (one query), however many there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def post(wamids: list[str]) -> int:
        values = [status_payload(wamid, "delivered")["entry"][0]["changes"][0]["value"] for wamid in wamids]
        with CaptureQueriesContext(connection) as queries:
            with django_capture_on_commit_callbacks(execute=True) as after_commit:
                assert post_webhook(webhook_envelope(*values)).status_code == 200
        assert after_commit, "the look after commit was registered"
        return len(queries.captured_queries)

    few, many = post([f"wamid.other{n}" for n in range(4)]), post([f"wamid.other{n}" for n in range(4, 40)])
    assert many == few
    assert EarlyStatus.objects.count() == 40


@pytest.mark.postgres
def test_statuses_that_fail_after_the_messages_committed_answer_500_and_the_redelivery_stores_all_once(
    require_postgres, post_webhook
):
    """Messages and statuses are two transactions. When the second fails (here the database refuses any
    update of a message), the POST answers 500, so Meta delivers it again; the redelivery stores the
    customer's message no second time and applies the status."""
    from django.db import connection

    sent = MessageFactory(
        conversation__subject__value="4915123456789", provider_message_id="wamid.two", status=MessageStatus.SENT
    )
    reply = inbound_text_value(
        wa_id="4915123456789", name="Erika", text="Danke!", phone_number_id=PHONE_NUMBER_ID, message_id="wamid.in.two"
    )
    delivered = status_payload("wamid.two", "delivered")["entry"][0]["changes"][0]["value"]
    payload = webhook_envelope(reply, delivered)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER test_refuse BEFORE UPDATE ON conversations_message "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse()"
        )

    assert post_webhook(payload).status_code == 500
    sent.refresh_from_db()
    assert sent.status == "sent"
    assert Message.objects.filter(provider_message_id="wamid.in.two").count() == 1

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER test_refuse ON conversations_message")
    assert post_webhook(payload).status_code == 200
    sent.refresh_from_db()
    assert sent.status == "delivered"
    assert Message.objects.filter(provider_message_id="wamid.in.two").count() == 1


def test_a_failure_and_a_later_delivery_in_one_batch_keep_the_failure(post_webhook):
    message = MessageFactory(provider_message_id="wamid.fb", status=MessageStatus.SENT)
    failed = status_payload("wamid.fb", "failed", error_code=131026, error_title="Message undeliverable")
    delivered = status_payload("wamid.fb", "delivered")
    values = [p["entry"][0]["changes"][0]["value"] for p in (failed, delivered)]
    assert post_webhook(webhook_envelope(*values)).status_code == 200
    message.refresh_from_db()
    assert (message.status, message.error_code, message.error_title) == ("failed", "131026", "Message undeliverable")
    [event] = ConversationEvent.objects.filter(kind="message.status", message=message)
    assert event.data == {"status": "failed", "error_code": "131026"}


@pytest.mark.parametrize(
    ("code", "title"),
    [
        (131047, "Re-engagement message"),
        (131026, "Message undeliverable"),
        (130429, "Rate limit hit"),
        (131049, "This message was not delivered to maintain healthy ecosystem engagement."),
        (130472, "User's number is part of an experiment"),
    ],
)
def test_failed_status_stores_code_and_title(code, title, post_webhook):
    message = MessageFactory(provider_message_id="wamid.fail", status=MessageStatus.SENT)
    assert post_webhook(status_payload("wamid.fail", "failed", error_code=code, error_title=title)).status_code == 200
    message.refresh_from_db()
    assert (message.status, message.error_code, message.error_title) == ("failed", str(code), title)
    event = ConversationEvent.objects.get(kind="message.status", message=message)
    assert event.data == {"status": "failed", "error_code": str(code)}


def test_status_before_the_send_finished_is_kept_for_later(post_webhook, known_recipient):
    assert post_webhook(status_payload("wamid.early", "delivered")).status_code == 200
    assert EarlyStatus.objects.filter(provider_message_id="wamid.early", status="delivered").exists()


# --- refusals -------------------------------------------------------------------------------------------


def test_forged_signature_is_refused_and_nothing_stored(post_webhook):
    payload = load_fixture("meta_01_text.json")
    forged = "sha256=" + "0" * 64
    assert post_webhook(payload, signature=forged).status_code == 401
    assert counts() == (0, 0, 0, 0)


def test_signature_with_another_secret_is_refused(post_webhook):
    from conversations.tests.conftest import sign

    body = json.dumps(load_fixture("meta_01_text.json")).encode()
    assert post_webhook(body, signature=sign(body, secret="not-our-secret")).status_code == 401
    assert counts() == (0, 0, 0, 0)


def test_signature_of_another_body_is_refused(post_webhook):
    from conversations.tests.conftest import sign

    body = json.dumps(load_fixture("meta_01_text.json")).encode()
    tampered = body.replace(b"another color", b"another colour")
    assert post_webhook(tampered, signature=sign(body)).status_code == 401
    assert counts() == (0, 0, 0, 0)


def test_missing_signature_is_refused(post_webhook):
    assert post_webhook(load_fixture("meta_01_text.json"), signature=None).status_code == 401
    assert counts() == (0, 0, 0, 0)


def test_malformed_json_is_400_and_logged_without_content(post_webhook, caplog):
    with caplog.at_level(logging.INFO):
        response = post_webhook(b'{"object": "whatsapp_business_account", "entry": [{"from": "4915123456789"')
    assert response.status_code == 400
    assert "4915123456789" not in caplog.text
    assert "malformed JSON" in caplog.text


@pytest.mark.parametrize(
    "payload",
    [
        {"object": "page", "entry": []},
        {"object": "whatsapp_business_account"},
        {"object": "whatsapp_business_account", "entry": {"changes": []}},
        [1, 2],
    ],
)
def test_wrong_shape_is_400(payload, post_webhook, caplog):
    with caplog.at_level(logging.INFO):
        assert post_webhook(payload).status_code == 400
    assert counts() == (0, 0, 0, 0)


def test_wrong_shape_log_names_the_reason_not_the_data(post_webhook, caplog):
    payload = load_fixture("meta_01_text.json")
    payload["object"] = "instagram"
    with caplog.at_level(logging.INFO):
        assert post_webhook(payload).status_code == 400
    assert "object is not whatsapp_business_account" in caplog.text
    assert "Sheena" not in caplog.text and "16505551234" not in caplog.text


def test_oversized_body_is_413(post_webhook, settings):
    payload = load_fixture("meta_01_text.json")
    payload["padding"] = "x" * settings.WEBHOOK_MAX_BYTES
    assert post_webhook(payload).status_code == 413
    assert counts() == (0, 0, 0, 0)


def test_body_over_djangos_upload_limit_is_413_not_400(post_webhook, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000  # below our own limit: Django's check trips first
    payload = load_fixture("meta_01_text.json")
    payload["padding"] = "x" * 3000
    assert post_webhook(payload).status_code == 413


def test_a_body_just_under_the_limit_is_accepted(post_webhook, settings, default_team):
    payload = load_fixture("meta_01_text.json")
    size = len(json.dumps(payload).encode())
    payload["padding"] = "x" * (settings.WEBHOOK_MAX_BYTES - size - len(', "padding": ""'))
    assert len(json.dumps(payload).encode()) == settings.WEBHOOK_MAX_BYTES
    assert post_webhook(payload).status_code == 200
    assert Message.objects.count() == 1


def test_other_methods_are_refused(client, whatsapp_settings):
    assert client.put("/webhooks/whatsapp/").status_code == 405


# --- the verification handshake ----------------------------------------------------------------------------


def test_handshake_echoes_the_challenge(client, whatsapp_settings):
    response = client.get(
        "/webhooks/whatsapp/",
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


@pytest.mark.parametrize(
    "params",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
        {"hub.challenge": "1"},
    ],
)
def test_handshake_refused(params, client, whatsapp_settings):
    assert client.get("/webhooks/whatsapp/", params).status_code == 403


def test_handshake_refused_when_no_verify_token_is_configured(client, whatsapp_settings):
    whatsapp_settings.WHATSAPP_VERIFY_TOKEN = ""
    params = {"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}
    assert client.get("/webhooks/whatsapp/", params).status_code == 403


# --- failures roll everything back ---------------------------------------------------------------------------


def test_a_failing_message_rolls_back_the_whole_batch_and_answers_500(post_webhook, default_team, caplog):
    # A customer whose erasure is under way: the key is destroyed, the rows not yet deleted.
    erased = ingest(inbound=inbound_text("4915100000001", "Hallo", message_id="wamid.old")).message
    vault.key_destroy(subject=erased.conversation.subject)
    before = counts()
    values = [
        inbound_text_value(wa_id="4915100000002", name="Neu", text="Erste", phone_number_id=PHONE_NUMBER_ID),
        inbound_text_value(wa_id="4915100000001", name="Alt", text="Zweite", phone_number_id=PHONE_NUMBER_ID),
    ]

    with caplog.at_level(logging.INFO):
        response = post_webhook(webhook_envelope(*values))

    assert response.status_code == 500  # Meta delivers the batch again later
    assert counts() == before  # the first message, fine on its own, was rolled back too
    assert "KeyDestroyed" in caplog.text
    assert "4915100000002" not in caplog.text and "Erste" not in caplog.text


def test_after_a_failure_the_redelivery_stores_everything(post_webhook, default_team, monkeypatch):
    import conversations.webhooks

    def broken(**kwargs):
        raise ConnectionError("database went away")  # an infrastructure failure mid-batch

    payload = load_fixture("meta_01_text.json")
    monkeypatch.setattr(conversations.webhooks, "ingest_many", broken)
    assert post_webhook(payload).status_code == 500
    assert counts() == (0, 0, 0, 0)
    monkeypatch.undo()

    assert post_webhook(payload).status_code == 200
    assert Message.objects.count() == 1


# --- consent keywords ------------------------------------------------------------------------------------------


def test_stop_withdraws_marketing_and_confirms_in_the_customers_language(
    post_webhook, subject_de, newsletter, notices, default_team, fake_graph, django_capture_on_commit_callbacks
):
    consent_services.consent_grant(subject=subject_de, purpose=newsletter, channel=ConsentChannel.WHATSAPP)
    assert consent_state(subject=subject_de, purpose=newsletter) == ConsentStatus.GRANTED
    payload = webhook_envelope(
        inbound_text_value(wa_id="4915123456789", name="Erika", text="STOP", phone_number_id=PHONE_NUMBER_ID)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(payload).status_code == 200

    assert consent_state(subject=subject_de, purpose=newsletter) == ConsentStatus.WITHDRAWN
    expected = WITHDRAWAL_CONFIRMED["de"].format(purpose=newsletter.localized("name", "de"))
    reply = Message.objects.get(direction=Direction.OUTBOUND)
    assert reply.content["text"] == expected
    assert reply.conversation.subject == subject_de
    # ...and it went out to the customer through the Graph API.
    [send] = fake_graph.sends
    assert send.body["to"] == "4915123456789"
    assert send.body["text"]["body"] == expected
    reply.refresh_from_db()
    assert reply.status == MessageStatus.SENT


# --- the newcomer's loop: play_customer posts a signed webhook to a running app ---------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_play_customer_command_reaches_the_running_app(live_server, whatsapp_settings):
    from django.core.management import call_command

    call_command(
        "play_customer",
        "Hallo, wo ist meine Bestellung?",
        "--from",
        "4915123456789",
        "--name",
        "Demo Kundin",
        "--url",
        f"{live_server.url}/webhooks/whatsapp/",
    )
    message = Message.objects.select_related("conversation__subject").get()
    assert message.content["text"] == "Hallo, wo ist meine Bestellung?"
    assert message.conversation.subject.display_name == "Demo Kundin"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_play_customer_fails_loudly_when_the_app_does_not_accept(live_server, whatsapp_settings):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="answered 404"):
        call_command("play_customer", "Hallo", "--from", "4915123456789", "--url", f"{live_server.url}/nowhere/")
    with pytest.raises(CommandError, match="digits only"):
        call_command(
            "play_customer", "Hallo", "--from", "not-a-number", "--url", f"{live_server.url}/webhooks/whatsapp/"
        )
    assert Message.objects.count() == 0
