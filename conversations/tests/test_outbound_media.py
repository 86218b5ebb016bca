"""Agents send images and documents over WhatsApp: checked by their bytes, stored encrypted, uploaded to the
(fake) Graph API on a real loopback port, sent by media id; and agents download the files they may see."""

import hashlib
import io
import struct
import zipfile
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from consent import services as consent_services
from conversations import file_types
from conversations.exceptions import FileRefused, NotAllowed, ProcessingRestricted, SensitiveDraft, WindowClosed
from conversations.file_types import file_type_sniff
from conversations.models import Attachment, AttachmentStatus, ConversationEvent, Message, MessageStatus
from conversations.providers.base import MediaRef
from conversations.selectors import event_render
from conversations.services import ingest, message_send_media
from conversations.services.media import attachment_fetch, attachment_read
from conversations.services.outbound_media import filename_clean, message_media_deliver
from conversations.tests.conftest import ACCESS_TOKEN, PHONE_NUMBER_ID, WA_ID, customer_wrote, inbound_text
from conversations.tests.factories import ConversationFactory
from tests.clients import token_client

pytestmark = pytest.mark.urls("conversations.tests.urls_inbox_test")


def png(width: int = 2, height: int = 2, padding: int = 0) -> bytes:
    """A real PNG (a grey square); ``padding`` bytes of an ancillary chunk make it as large as a test needs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    extra = chunk(b"tEXt", b"Comment\x00" + b"x" * padding) if padding else b""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = chunk(b"IHDR", header) + extra + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


PNG = png()
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def ooxml(main_part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<document/>")
    return buffer.getvalue()


def ole(stream: str) -> bytes:
    """A minimal compound file (MS-CFB, 512-byte sectors): the FAT in sector 0, the directory in sector 1 with the
    root entry and one stream named ``stream``."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<III", header, 44, 1, 1, 0)  # one FAT sector; the directory starts at sector 1
    struct.pack_into("<IIIII", header, 56, 4096, 0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    struct.pack_into("<109I", header, 76, 0, *([0xFFFFFFFF] * 108))
    fat = struct.pack("<128I", 0xFFFFFFFD, 0xFFFFFFFE, *([0xFFFFFFFF] * 126))

    def entry(name: str, kind: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        data = bytearray(128)
        data[: len(encoded)] = encoded
        struct.pack_into("<HB", data, 64, len(encoded), kind)
        return bytes(data)

    directory = entry("Root Entry", 5) + entry(stream, 2) + bytes(256)
    return bytes(header) + fat + directory


@pytest.fixture
def conversation(db, fake_graph, support):
    """A WhatsApp customer who just wrote: their conversation is in Support (``agent`` is a member)."""
    return customer_wrote()


def send(conversation, agent, capture, data: bytes = PNG, filename: str = "foto.png", caption: str = "") -> Message:
    with capture(execute=True):
        message = message_send_media(
            conversation=conversation, actor=agent, file=data, filename=filename, caption=caption
        )
    message.refresh_from_db()
    return message


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "attachments"
    return sorted(root.iterdir()) if root.exists() else []


def url(conversation, tail: str = "") -> str:
    return f"/api/v1/conversations/{conversation.pk}/attachments/{tail}"


# --- what a file is, by its bytes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, "image/jpeg"),
        (PDF, "application/pdf"),
        ("Bestellnummer 4711\r\nGröße M, Lieferung: Dienstag\n".encode(), "text/plain"),
        (ooxml("word/document.xml"), file_types.DOCX.mime_type),
        (ooxml("xl/workbook.xml"), file_types.XLSX.mime_type),
        (ooxml("ppt/presentation.xml"), file_types.PPTX.mime_type),
        (ole("WordDocument"), "application/msword"),
        (ole("Workbook"), "application/vnd.ms-excel"),
        (ole("PowerPoint Document"), "application/vnd.ms-powerpoint"),
    ],
)
def test_allowed_types_are_told_by_their_bytes(data, expected):
    assert file_type_sniff(data).mime_type == expected


@pytest.mark.parametrize(
    "data",
    [
        EXE,
        b"<html><script>alert(1)</script></html>\x00",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>\x07',
        ooxml("payload/evil.js"),  # a zip, but no Office document
        ole("Ole10Native"),  # a compound file, but no Word, Excel or PowerPoint file
        b"GIF89a\x01\x00\x01\x00",
        b"\x00\x01 binary",
    ],
)
def test_anything_else_is_not_a_type_whatsapp_takes(data):
    assert file_type_sniff(data) is None


def test_the_customer_sees_a_clean_name_whose_extension_tells_the_truth():
    assert filename_clean("Rechnung 4711.pdf", file_types.PDF) == "Rechnung 4711.pdf"
    assert filename_clean("C:\\Users\\anna\\Rechnung.exe", file_types.PDF) == "Rechnung.exe.pdf"
    assert filename_clean("../../etc/passwd", file_types.TEXT) == "passwd.txt"
    assert filename_clean("foto.JPEG", file_types.JPEG) == "foto.JPEG"
    assert filename_clean("", file_types.PNG) == "file.png"
    assert filename_clean('a"\r\nb.png', file_types.PNG) == "a_b.png"
    assert len(filename_clean("x" * 500 + ".docx", file_types.DOCX)) == 200


# --- the service: upload, send by media id, stored encrypted ------------------------------------------------------


def test_an_image_is_uploaded_then_sent_by_its_media_id(
    conversation, agent, fake_graph, settings, django_capture_on_commit_callbacks
):
    message = send(conversation, agent, django_capture_on_commit_callbacks, caption="Ihr Paket, wie versprochen")

    [upload] = fake_graph.uploads
    assert upload.data == PNG and upload.mime_type == "image/png" and upload.filename == "foto.png"
    upload_request = next(r for r in fake_graph.requests if r.path.endswith("/media"))
    assert upload_request.path == f"/{PHONE_NUMBER_ID}/media"
    assert upload_request.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert upload_request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    [sent] = fake_graph.sends
    assert sent.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "image",
        "image": {"id": upload.media_id, "caption": "Ihr Paket, wie versprochen"},
    }
    assert message.status == MessageStatus.SENT and message.type == "image" and message.author == agent
    assert message.provider_message_id == fake_graph.accepted_ids[0]
    [attachment] = message.attachments.all()
    assert attachment.provider_media_id == upload.media_id
    assert (attachment.mime_type, attachment.size, attachment.status) == ("image/png", len(PNG), "stored")
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    # On disk: the ciphertext under the subject's key, never the file itself.
    [on_disk] = stored_files(settings)
    assert on_disk.read_bytes() != PNG and b"IHDR" not in on_disk.read_bytes()
    assert attachment_read(attachment=attachment) == PNG
    assert b"Paket" not in bytes(message.content_enc)
    # The inbox hears of it as of any message: the event renders the file with it.
    event = ConversationEvent.objects.select_related("conversation__subject", "message").get(
        kind="conversation.message", message=message
    )
    rendered = event_render(event)["message"]
    assert rendered["type"] == "image" and rendered["text"] == "Ihr Paket, wie versprochen"
    assert rendered["attachments"] == [{"id": attachment.pk, "mime_type": "image/png", "status": "stored",
                                        "size": len(PNG)}]  # fmt: skip


def test_a_document_keeps_a_truthful_filename(conversation, agent, fake_graph, django_capture_on_commit_callbacks):
    message = send(conversation, agent, django_capture_on_commit_callbacks, data=PDF, filename="Rechnung.exe")
    [sent] = fake_graph.sends
    assert sent.body["type"] == "document"
    assert sent.body["document"] == {"id": fake_graph.uploads[0].media_id, "filename": "Rechnung.exe.pdf"}
    assert fake_graph.uploads[0].mime_type == "application/pdf"
    assert message.status == MessageStatus.SENT


def test_answering_an_unassigned_conversation_makes_it_the_senders(
    conversation, agent, django_capture_on_commit_callbacks
):
    assert conversation.assigned_agent_id is None
    send(conversation, agent, django_capture_on_commit_callbacks)
    conversation.refresh_from_db()
    assert conversation.assigned_agent_id == agent.pk


# --- refusals: the rules of a text reply, and the file's own -----------------------------------------------------


def nothing_stored(settings, fake_graph) -> None:
    assert not Message.objects.filter(direction="out").exists()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []
    assert fake_graph.uploads == [] and fake_graph.sends == []


def test_outside_the_window_nothing_is_stored_or_sent(db, fake_graph, support, agent, settings):
    conversation = customer_wrote(hours_ago=25)
    with pytest.raises(WindowClosed):
        message_send_media(conversation=conversation, actor=agent, file=PNG, filename="foto.png")
    nothing_stored(settings, fake_graph)


def test_a_restricted_customer_gets_no_file(conversation, agent, fake_graph, settings):
    consent_services.subject_restrict(
        subject=conversation.subject, ground="accuracy", actor=None, reason="customer contests their address"
    )
    with pytest.raises(ProcessingRestricted):
        message_send_media(conversation=conversation, actor=agent, file=PNG, filename="foto.png")
    nothing_stored(settings, fake_graph)


def test_a_file_queued_before_the_restriction_is_not_uploaded(
    conversation, agent, fake_graph, django_capture_on_commit_callbacks
):
    message = message_send_media(conversation=conversation, actor=agent, file=PNG, filename="foto.png")  # queued
    consent_services.subject_restrict(subject=conversation.subject, ground="accuracy", actor=None, reason="contested")
    assert message_media_deliver(message_id=message.pk) == MessageStatus.FAILED
    message.refresh_from_db()
    assert (message.status, message.error_code) == (MessageStatus.FAILED, "restricted")
    assert fake_graph.uploads == [] and fake_graph.sends == []


def test_a_caption_asking_for_card_numbers_needs_confirmation(conversation, agent, fake_graph, settings):
    with pytest.raises(SensitiveDraft):
        message_send_media(
            conversation=conversation, actor=agent, file=PNG, filename="foto.png",
            caption="Bitte senden Sie uns Ihre vollständige Kreditkartennummer",
        )  # fmt: skip
    nothing_stored(settings, fake_graph)


def test_web_chat_gets_no_files(db, support, agent, fake_graph, settings):
    conversation = ConversationFactory(team=support, channel="webchat")
    with pytest.raises(NotAllowed) as refused:
        message_send_media(conversation=conversation, actor=agent, file=PNG, filename="foto.png")
    assert refused.value.code == "channel_not_supported"
    nothing_stored(settings, fake_graph)


@pytest.mark.parametrize(
    ("data", "code", "status"),
    [
        (b"", "file_empty", 400),
        (EXE, "file_type_not_allowed", 415),
        (png(padding=5 * 1024 * 1024), "file_too_large", 413),  # images: at most 5 MB
    ],
)
def test_files_whatsapp_would_not_carry_are_refused(conversation, agent, fake_graph, settings, data, code, status):
    with pytest.raises(FileRefused) as refused:
        message_send_media(conversation=conversation, actor=agent, file=data, filename="foto.png")
    assert (refused.value.code, refused.value.http_status) == (code, status)
    nothing_stored(settings, fake_graph)


# --- the background upload and send: once, or failed with the reason ---------------------------------------------


def test_an_upload_that_fails_once_is_retried_and_the_file_sent_once(
    conversation, agent, fake_graph, django_capture_on_commit_callbacks
):
    fake_graph.fail_upload_next(1, status=503, code=2)
    message = send(conversation, agent, django_capture_on_commit_callbacks)
    assert len([r for r in fake_graph.requests if r.path.endswith("/media")]) == 2
    assert len(fake_graph.uploads) == 1 and len(fake_graph.sends) == 1
    assert message.status == MessageStatus.SENT


def test_a_send_that_fails_once_is_retried_without_uploading_again(
    conversation, agent, fake_graph, django_capture_on_commit_callbacks
):
    fake_graph.fail_next(1, status=500)
    message = send(conversation, agent, django_capture_on_commit_callbacks)
    assert len(fake_graph.uploads) == 1
    assert len(fake_graph.sends) == 2 and fake_graph.sends[0].body == fake_graph.sends[1].body
    assert message.status == MessageStatus.SENT and message.attempts == 2
    # A second run of the task (a worker retrying it) neither uploads nor sends again.
    assert message_media_deliver(message_id=message.pk) == MessageStatus.SENT
    assert len(fake_graph.uploads) == 1 and len(fake_graph.sends) == 2


def test_a_refused_upload_fails_the_message_with_the_reason(
    conversation, agent, fake_graph, django_capture_on_commit_callbacks
):
    fake_graph.fail_upload_next(1, status=400, code=131053, message="(#131053) Media upload error")
    message = send(conversation, agent, django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.FAILED
    assert message.error_code == "131053"
    assert message.error_title == "upload of the file refused: (#131053) Media upload error"
    assert fake_graph.uploads == [] and fake_graph.sends == []


def test_uploads_failing_every_time_fail_the_message_after_the_last_attempt(
    conversation, agent, fake_graph, whatsapp_settings, django_capture_on_commit_callbacks
):
    fake_graph.fail_upload_next(whatsapp_settings.OUTBOUND_MAX_ATTEMPTS, status=500)
    message = send(conversation, agent, django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.FAILED and message.error_code == "1"
    assert message.error_title.startswith("upload of the file failed after 3 attempts")
    assert fake_graph.sends == []


def test_the_fake_refuses_a_message_naming_an_unknown_media_id(fake_graph):
    import httpx

    response = httpx.post(
        f"{fake_graph.url}/v23.0/{PHONE_NUMBER_ID}/messages",
        json={"messaging_product": "whatsapp", "to": WA_ID, "type": "image", "image": {"id": "404404"}},
        headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == 131009
    unauthorised = httpx.post(
        f"{fake_graph.url}/{PHONE_NUMBER_ID}/media", files={"file": ("a.png", PNG, "image/png")},
        data={"messaging_product": "whatsapp", "type": "image/png"},
    )  # fmt: skip
    assert unauthorised.status_code == 401
    no_type = httpx.post(
        f"{fake_graph.url}/{PHONE_NUMBER_ID}/media", files={"file": ("a.png", PNG, "image/png")},
        data={"messaging_product": "whatsapp"}, headers={"Authorization": f"Bearer {ACCESS_TOKEN}"},
    )  # fmt: skip
    assert no_type.status_code == 400 and "type" in no_type.json()["error"]["message"]
    assert fake_graph.uploads == []


# --- the API: POST .../attachments/ ------------------------------------------------------------------------------


def test_api_sends_a_file_and_answers_the_message(conversation, agent, fake_graph, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("foto.png", PNG, content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        response = token_client(agent).post(url(conversation), {"file": upload, "caption": "Ihr Paket"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["type"] == "image" and body["direction"] == "out" and body["text"] == "Ihr Paket"
    assert body["content"] == {"media": {"mime_type": "image/png", "filename": "foto.png"}}
    [attachment] = body["attachments"]
    assert attachment["mime_type"] == "image/png" and attachment["size"] == len(PNG)
    assert fake_graph.uploads[0].data == PNG and fake_graph.sends[0].body["image"]["caption"] == "Ihr Paket"
    assert Message.objects.get(pk=body["id"]).status == MessageStatus.SENT


def test_api_refuses_a_lying_content_type_and_stores_nothing(conversation, agent, fake_graph, settings):
    upload = SimpleUploadedFile("foto.png", EXE, content_type="image/png")
    response = token_client(agent).post(url(conversation), {"file": upload})
    assert response.status_code == 415 and response.json()["error"] == "file_type_not_allowed"
    nothing_stored(settings, fake_graph)


def test_api_refusals_name_their_code(conversation, agent, fake_graph, settings):
    api = token_client(agent)
    empty = api.post(url(conversation), {"file": SimpleUploadedFile("leer.pdf", b"")})
    assert empty.status_code == 400 and empty.json()["error"] == "file_empty"
    missing = api.post(url(conversation), {"caption": "ohne Datei"})
    assert missing.status_code == 400 and "file" in missing.json()["fields"]
    too_long = api.post(url(conversation), {"file": SimpleUploadedFile("a.png", PNG), "caption": "x" * 1025})
    assert too_long.status_code == 400 and too_long.json()["error"] == "caption_too_long"
    as_json = api.post(url(conversation), {"caption": "x"}, format="json")
    assert as_json.status_code == 415
    # A body larger than any file WhatsApp carries is refused by its length, before it is parsed.
    huge = api.post(url(conversation), {"file": SimpleUploadedFile("a.png", PNG)}, CONTENT_LENGTH=str(101 * 2**20))
    assert huge.status_code == 413 and huge.json()["error"] == "file_too_large"
    nothing_stored(settings, fake_graph)


def test_api_window_closed_is_409(db, fake_graph, support, agent, settings):
    conversation = customer_wrote(hours_ago=25)
    response = token_client(agent).post(url(conversation), {"file": SimpleUploadedFile("a.png", PNG)})
    assert response.status_code == 409 and response.json()["error"] == "window_closed"
    nothing_stored(settings, fake_graph)


def test_api_conversations_out_of_sight_are_404(conversation, outsider, fake_graph, settings):
    response = token_client(outsider).post(url(conversation), {"file": SimpleUploadedFile("a.png", PNG)})
    assert response.status_code == 404
    nothing_stored(settings, fake_graph)


# --- the API: GET .../attachments/<id>/ ---------------------------------------------------------------------------


def test_an_agent_downloads_the_file_they_sent(conversation, agent, teammate, django_capture_on_commit_callbacks):
    message = send(conversation, agent, django_capture_on_commit_callbacks, data=PDF, filename="Rechnung.pdf")
    attachment = message.attachments.get()
    for user in (agent, teammate):
        response = token_client(user).get(url(conversation, f"{attachment.pk}/"))
        assert response.status_code == 200
        assert b"".join(response.streaming_content if response.streaming else [response.content]) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="Rechnung.pdf"'
        assert response["Cache-Control"] == "no-store, private"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_a_customers_image_is_shown_inline(db, fake_graph, support, agent, django_capture_on_commit_callbacks):
    media_id = fake_graph.add_media(PNG, mime_type="image/png")
    inbound = inbound_text(
        WA_ID, "", message_id="wamid.photo", type="image", media=MediaRef(media_id=media_id, mime_type="image/png")
    )
    with django_capture_on_commit_callbacks(execute=True):
        conversation = ingest(inbound=inbound).message.conversation
    attachment = Attachment.objects.get(message__conversation=conversation)
    assert attachment.status == AttachmentStatus.STORED
    response = token_client(agent).get(url(conversation, f"{attachment.pk}/"), HTTP_ACCEPT="image/avif,image/*")
    assert response.status_code == 200 and response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline; filename=")


def test_downloads_honour_the_conversations_visibility(
    conversation, agent, outsider, support, django_capture_on_commit_callbacks
):
    message = send(conversation, agent, django_capture_on_commit_callbacks)
    attachment = message.attachments.get()
    assert token_client(outsider).get(url(conversation, f"{attachment.pk}/")).status_code == 404
    assert APIClient().get(url(conversation, f"{attachment.pk}/")).status_code == 401
    # Another conversation's file through a conversation one may see: not found either.
    other = customer_wrote(wa_id="4915199999999")
    assert token_client(agent).get(url(other, f"{attachment.pk}/")).status_code == 404


def test_a_file_not_stored_yet_is_not_found(db, fake_graph, support, agent):
    fake_graph.fail_media_next(10, status=500)
    media = MediaRef(media_id="123", mime_type="image/jpeg")
    conversation = ingest(inbound=inbound_text(WA_ID, "", message_id="wamid.p", type="image", media=media)).message
    attachment = Attachment.objects.get()
    assert attachment.status == AttachmentStatus.PENDING
    response = token_client(agent).get(url(conversation.conversation, f"{attachment.pk}/"))
    assert response.status_code == 404
    attachment_fetch(attachment_id=attachment.pk, sleep=lambda _: None)
    assert token_client(agent).get(url(conversation.conversation, f"{attachment.pk}/")).status_code == 404


@pytest.mark.urls("contactcenter.urls")
def test_the_schema_documents_both_endpoints(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    send_op = schema["paths"]["/api/v1/conversations/{conversation_id}/attachments/"]["post"]
    assert "multipart/form-data" in send_op["requestBody"]["content"]
    assert {"201", "409", "413", "415"} <= set(send_op["responses"])
    download = schema["paths"]["/api/v1/conversations/{conversation_id}/attachments/{attachment_id}/"]["get"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]
    assert {"404", "410"} <= set(download["responses"])


def test_window_is_checked_on_the_conversation_as_stored(db, fake_graph, support, agent):
    """The factory's window (five minutes ago) is open: the send is refused only when it has closed."""
    open_one = ConversationFactory(team=support, channel="whatsapp", inbound_ago=timedelta(hours=23))
    closed = ConversationFactory(team=support, channel="whatsapp", inbound_ago=timedelta(hours=25))
    assert message_send_media(conversation=open_one, actor=agent, file=PNG, filename="a.png").status == "queued"
    with pytest.raises(WindowClosed):
        message_send_media(conversation=closed, actor=agent, file=PNG, filename="a.png")
