"""An agent sends a picture from the inbox in a real browser: keyboard only, the fake Graph API gets the upload
and the send, the message appears in the thread by the socket."""

import re

import pytest
from playwright.sync_api import expect

from conversations.models import Attachment, Message
from conversations.tests.test_outbound_media import EXE, PNG
from tests.conftest import ANNA_PASSWORD, log_in

WA_ID = "4915123456789"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_agent_attaches_a_picture_and_the_customer_gets_it(asgi_server, fake_graph, page, anna, notices, media_root):
    status, _ = fake_graph.customer_says(WA_ID, "Erika Mustermann", "Können Sie mir ein Foto vom Paket schicken?")
    assert status == 200
    log_in(page, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    expect(page).to_have_url(re.compile(r"/inbox/"))
    page.locator("#conversation-list [data-conversation-id] a").first.click()
    expect(page.locator("#messages")).to_contain_text("Foto vom Paket")
    expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    form = page.locator("#attach-form")
    expect(form).to_be_visible()
    # Folded away under the reply box until wanted: opened from the keyboard.
    expect(page.locator("#attach-caption")).to_be_hidden()
    page.locator("#attach-details summary").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#attach-caption")).to_be_visible()
    # Refused before anything is sent: no file chosen.
    page.locator("#attach-caption").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#attach-error")).not_to_be_empty()
    assert fake_graph.uploads == []

    file_input = page.get_by_label("Datei anhängen")  # the visible, translated label names the input
    # A program named like a picture: the server reads its bytes and refuses; the agent reads why, in German.
    file_input.set_input_files(files=[{"name": "foto.png", "mimeType": "image/png", "buffer": EXE}])
    page.locator("#attach-caption").press("Enter")
    expect(page.locator("#attach-error")).to_contain_text("WhatsApp kann diese Art von Datei nicht übertragen")
    expect(file_input).to_be_focused()
    assert fake_graph.uploads == [] and not Message.objects.filter(direction="out").exists()

    file_input.set_input_files(files=[{"name": "paket.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator("#attach-caption").fill("Ihr Paket vor dem Versand")
    page.locator("#attach-caption").press("Enter")

    assert fake_graph.wait_for(lambda: fake_graph.sends, timeout=10)
    [upload] = fake_graph.uploads
    assert upload.data == PNG and upload.mime_type == "image/png" and upload.filename == "paket.png"
    [sent] = fake_graph.sends
    assert sent.body["to"] == WA_ID and sent.body["type"] == "image"
    assert sent.body["image"] == {"id": upload.media_id, "caption": "Ihr Paket vor dem Versand"}

    outbound = page.locator('#messages [data-direction="out"]').last
    expect(outbound).to_contain_text("Ihr Paket vor dem Versand")  # arrived by the socket's event
    expect(page.locator("#attach-error")).to_be_empty()
    expect(page.locator("#attach-caption")).to_have_value("")
    assert page.locator("#attach-file").evaluate("input => input.files.length") == 0

    message = Message.objects.get(direction="out")
    attachment = Attachment.objects.get(message=message)
    assert attachment.provider_media_id == upload.media_id
    [stored] = list((media_root / "attachments").iterdir())
    assert stored.read_bytes() != PNG  # the ciphertext, not the picture
