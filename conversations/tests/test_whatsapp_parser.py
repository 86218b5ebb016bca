"""The WhatsApp webhook parser and signature check, on Meta's and SDKs' recorded payloads (no database)."""

import copy
from datetime import UTC, datetime

import pytest

from conversations.providers.whatsapp.parser import PayloadError, parse_webhook
from conversations.providers.whatsapp.signature import signature_for, signature_valid
from conversations.tests.conftest import FIXTURES_DIR, load_fixture
from conversations.tests.recordings import NUMBER_CHANGES, STATUSES
from devtools.fakegraph import inbound_text_value, webhook_envelope


def only_message(name: str):
    batch = parse_webhook(load_fixture(name))
    assert len(batch.messages) == 1 and not batch.statuses and not batch.number_changes
    return batch.messages[0]


def test_every_fixture_parses_without_error():
    files = sorted(FIXTURES_DIR.glob("*.json"))
    assert len(files) >= 37  # the recorded set in conversations/tests/fixtures/whatsapp
    for path in files:
        batch = parse_webhook(load_fixture(path.name))
        items = len(batch.messages) + len(batch.statuses) + len(batch.number_changes) + len(batch.error_codes)
        assert items >= 1, path.name  # every recorded payload carries something
        assert batch.skipped == 0, path.name


def test_text_with_profile_name_and_aware_utc_timestamp():
    message = only_message("meta_01_text.json")
    assert message.type == "text"
    assert message.text == "Does it come in another color?"
    assert message.sender == "16505551234"
    assert message.profile_name == "Sheena Nelson"
    assert message.contact_kind == "whatsapp"
    assert message.provider_message_id == "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA="
    assert message.timestamp == datetime(2025, 6, 8, 20, 59, 43, tzinfo=UTC)
    assert message.timestamp.utcoffset().total_seconds() == 0


def test_context_gives_reply_to_and_referred_product():
    message = only_message("meta_01b_text_message_business_button_context.json")
    assert message.reply_to == "wamid.HBgLMTY1MDM4Nzk0MzkVAgARGA9wcm9kdWN0X2lucXVpcnkA"
    assert message.content["referred_product"]["product_retailer_id"] == "di9ozbzfi4"
    assert only_message("pywa_13_reply_with_context.json").reply_to == "wamid.xyzxyz=="


def test_forwarded_context_is_not_a_reply():
    message = only_message("pywa_03_document.json")
    assert message.reply_to == ""
    assert message.content["forwarded"] is True


@pytest.mark.parametrize(
    ("name", "kind", "media_id", "mime", "caption", "filename"),
    [
        ("meta_02_image.json", "image", "1003383421387256", "image/jpeg", "Taj Mahal", ""),
        ("meta_03_document.json", "document", "622684793477189", "application/pdf", "my receipt", "receipt.pdf"),
        ("pywa_02_image.json", "image", "65463453", "image/jpeg", "", ""),
        ("pywa_04_audio.json", "audio", "1234567890987654321", "audio/ogg; codecs=opus", "", ""),
        ("pywa_04b_voice.json", "voice", "1234567890987654321", "audio/ogg; codecs=opus", "", ""),
        ("pywa_05_video.json", "video", "765756756", "video/mp4", "caption", ""),
        ("pywa_06_sticker_static.json", "sticker", "1234567890987654321", "image/webp", "", ""),
        ("pywa_06b_sticker_animated.json", "sticker", "1234567890987654321", "image/webp", "", ""),
    ],
)
def test_media_messages(name, kind, media_id, mime, caption, filename):
    message = only_message(name)
    assert message.type == kind
    assert message.media is not None
    assert (message.media.media_id, message.media.mime_type, message.media.filename) == (media_id, mime, filename)
    assert message.media.sha256
    assert message.text == caption


def test_sticker_keeps_animated_flag():
    assert only_message("pywa_06b_sticker_animated.json").content["media"]["animated"] is True
    assert only_message("pywa_06_sticker_static.json").content["media"]["animated"] is False


def test_location_current_and_chosen():
    current = only_message("pywa_07_location.json")
    assert current.type == "location"
    assert current.content["location"] == {"latitude": 12.25089, "longitude": 43.90539}
    chosen = only_message("pywa_07b_location_chosen.json").content["location"]
    assert chosen["name"] == "Facebook HQ" and chosen["address"].startswith("1 Hacker Way")


def test_contacts_card_keeps_all_contacts():
    message = only_message("pywa_08_contacts.json")
    assert message.type == "contacts"
    assert [c["name"]["formatted_name"] for c in message.content["contacts"]] == [
        "Chandler Bing",
        "Monica",
        "Rachel Green",
    ]


@pytest.mark.parametrize(
    ("name", "reply_type", "description"),
    [
        ("pywa_09_interactive_button_reply.json", "button_reply", None),
        ("pywa_10_interactive_list_reply.json", "list_reply", "description"),
    ],
)
def test_interactive_replies_text_is_title_content_keeps_id(name, reply_type, description):
    message = only_message(name)
    assert message.type == "interactive"
    assert message.text == "title"
    assert message.content["interactive"]["type"] == reply_type
    assert message.content["interactive"]["id"] == "callback_data"
    assert message.content["interactive"].get("description") == description


def test_quick_reply_button():
    message = only_message("pywa_11_quick_reply_button.json")
    assert (message.type, message.text) == ("button", "title")
    assert message.content["button"] == {"payload": "callback_data"}


def test_reaction_and_removed_reaction():
    reaction = only_message("pywa_12_reaction.json")
    assert reaction.type == "reaction"
    assert reaction.content["reaction"] == {"message_id": "wamid.yzxyzx=", "emoji": "\U0001f62e"}
    removed = only_message("pywa_12b_reaction_removed.json")
    assert removed.content["reaction"] == {"message_id": "wamid.yzxyzx="}


@pytest.mark.parametrize(
    ("name", "original"),
    [
        ("meta_14_unsupported.json", "edit"),
        ("pywa_14_unsupported.json", "pool"),
        ("netflie_14b_unknown_type_131051.json", "unknown"),
    ],
)
def test_unsupported_and_unknown_types(name, original):
    message = only_message(name)
    assert message.type == "unsupported"
    assert message.content["unsupported"]["type"] == original
    assert message.content["error_codes"] == ["131051"]


def test_a_type_invented_tomorrow_is_unsupported_not_an_error():
    payload = load_fixture("pywa_01_text.json")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["type"] = "hologram"
    message["hologram"] = {"id": "x"}
    parsed = parse_webhook(payload).messages[0]
    assert parsed.type == "unsupported"
    assert parsed.content["unsupported"]["type"] == "hologram"


@pytest.mark.parametrize("name", sorted(NUMBER_CHANGES))
def test_user_changed_number_becomes_a_number_change(name):
    batch = parse_webhook(load_fixture(name))
    assert batch.messages == []
    [change] = batch.number_changes
    assert (change.old_value, change.new_value) == NUMBER_CHANGES[name]
    assert change.timestamp.tzinfo is not None


def test_old_shape_new_wa_id_is_understood():
    payload = load_fixture("meta_15_system_user_changed_number.json")
    system = payload["entry"][0]["changes"][0]["value"]["messages"][0]["system"]
    system["new_wa_id"] = system.pop("wa_id")
    [change] = parse_webhook(payload).number_changes
    assert change.new_value == "12195555358"


@pytest.mark.parametrize("name", sorted(STATUSES))
def test_statuses(name):
    payload = load_fixture(name)
    [update] = parse_webhook(payload).statuses
    assert (update.status, update.error_code) == STATUSES[name]
    assert bool(update.error_title) == bool(update.error_code)
    # Whom it went to: an early status is found by it (its blind index) when its subject is erased.
    assert update.recipient == payload["entry"][0]["changes"][0]["value"]["statuses"][0]["recipient_id"] != ""


def test_value_level_errors_are_codes_only():
    batch = parse_webhook(load_fixture("meta_21_value_errors_130429.json"))
    assert batch.error_codes == ["130429"]
    assert not batch.messages and not batch.statuses


def test_batch_of_two_changes_keeps_both_messages():
    batch = parse_webhook(load_fixture("netflie_20_batch_two_changes_text.json"))
    assert [m.text for m in batch.messages] == ["MESSAGE_BODY", "MESSAGE_BODY2"]


def test_multi_entry_batch_keeps_order_and_everything():
    values = [inbound_text_value(wa_id="4915100000000", name="A", text=f"m{i}", phone_number_id="1") for i in range(5)]
    payload = webhook_envelope(*values[:2])
    payload["entry"].append(webhook_envelope(*values[2:])["entry"][0])
    statuses = load_fixture("pywa_17_status_delivered.json")["entry"][0]
    payload["entry"].append(statuses)
    batch = parse_webhook(payload)
    assert [m.text for m in batch.messages] == ["m0", "m1", "m2", "m3", "m4"]
    assert [s.status for s in batch.statuses] == ["delivered"]


def test_profile_name_only_when_wa_id_matches():
    payload = load_fixture("netflie_14b_unknown_type_131051.json")  # contacts[].wa_id differs from "from"
    assert parse_webhook(payload).messages[0].profile_name == ""


def test_unknown_status_and_message_without_id_are_skipped_not_errors():
    payload = load_fixture("pywa_17_status_delivered.json")
    status = payload["entry"][0]["changes"][0]["value"]["statuses"][0]
    status["status"] = "deleted"
    assert parse_webhook(payload).skipped == 1
    payload = load_fixture("pywa_01_text.json")
    del payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    assert parse_webhook(payload).skipped == 1


def test_other_fields_are_ignored():
    payload = load_fixture("pywa_01_text.json")
    payload["entry"][0]["changes"][0]["field"] = "message_template_status_update"
    assert parse_webhook(payload).messages == []


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.update(object="page"),
        lambda p: p.pop("object"),
        lambda p: p.update(entry={"id": "1"}),
        lambda p: p.pop("entry"),
        lambda p: p["entry"].append("x"),
        lambda p: p["entry"][0].update(changes="x"),
        lambda p: p["entry"][0]["changes"][0].update(value=[]),
        lambda p: p["entry"][0]["changes"][0]["value"].update(messages={"id": "x"}),
    ],
)
def test_wrong_shapes_raise_payload_error(mutate):
    payload = copy.deepcopy(load_fixture("pywa_01_text.json"))
    mutate(payload)
    with pytest.raises(PayloadError):
        parse_webhook(payload)


@pytest.mark.parametrize("payload", [[], "x", None, 3])
def test_non_object_bodies_raise_payload_error(payload):
    with pytest.raises(PayloadError):
        parse_webhook(payload)


def test_garbage_timestamp_does_not_raise():
    payload = load_fixture("pywa_01_text.json")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "soon"
    assert parse_webhook(payload).messages[0].timestamp.tzinfo is not None


def test_signature():
    body = b'{"object":"whatsapp_business_account"}'
    header = signature_for(body, secret="s3cret")
    assert header.startswith("sha256=") and len(header) == 7 + 64
    assert signature_valid(body, header, secret="s3cret")
    assert not signature_valid(body + b" ", header, secret="s3cret")
    assert not signature_valid(body, header, secret="other")
    assert not signature_valid(body, None, secret="s3cret")
    assert not signature_valid(body, header.removeprefix("sha256="), secret="s3cret")
    assert not signature_valid(body, header, secret="")
