"""Inbound media: fetched from the (fake) Graph API after the webhook commits, stored encrypted."""

import base64
import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

import pytest

from consent import vault
from consent.exceptions import KeyDestroyed
from conversations.models import Attachment, AttachmentStatus, ConversationEvent
from conversations.services.media import attachment_fetch, attachment_read
from conversations.tests.conftest import ACCESS_TOKEN, load_fixture

pytestmark = [pytest.mark.urls("conversations.tests.urls_webhooks_test"), pytest.mark.django_db]

# Not a real JPEG, but bytes no encryption would leave recognisable.
PICTURE = b"\xff\xd8\xff\xe0JFIF" + os.urandom(4096) + b"Lieferschein Nr. 4711"


def image_webhook(media_id: str) -> dict:
    payload = load_fixture("meta_02_image.json")
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"] = media_id
    return payload


@pytest.fixture
def image_arrives(post_webhook, fake_graph, default_team, django_capture_on_commit_callbacks):
    """The customer's picture arrives: the webhook commits, then the download task runs. The media id is one
    the fake Graph API knows, unless a test gives another; ``server_errors``: what it answers first."""

    def arrive(media_id: str | None = None, *, server_errors: Sequence[int] = ()) -> Attachment:
        media_id = media_id or fake_graph.add_media(PICTURE)
        for status in server_errors:
            fake_graph.fail_media_next(status=status)
        with django_capture_on_commit_callbacks(execute=True):  # the download task is queued on commit
            assert post_webhook(image_webhook(media_id)).status_code == 200
        return Attachment.objects.select_related("message__conversation__subject").get()

    return arrive


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "attachments"
    return sorted(root.glob("*")) if root.exists() else []


def test_image_is_fetched_and_stored_encrypted(image_arrives, fake_graph, settings):
    media_id = fake_graph.add_media(PICTURE, mime_type="image/jpeg")

    attachment = image_arrives(media_id)

    assert attachment.status == AttachmentStatus.STORED
    assert attachment.size == len(PICTURE)
    assert attachment.sha256 == hashlib.sha256(PICTURE).hexdigest()
    assert attachment.mime_type == "image/jpeg"
    [on_disk] = stored_files(settings)
    ciphertext = on_disk.read_bytes()
    assert ciphertext != PICTURE
    assert b"Lieferschein" not in ciphertext and base64.b64encode(PICTURE)[:40] not in ciphertext
    assert media_id not in on_disk.name  # the file name tells nothing
    assert attachment_read(attachment=attachment) == PICTURE
    # Both Graph requests carried the token: the media URL, then the bytes.
    gets = [r for r in fake_graph.requests if r.method == "GET"]
    assert [r.path for r in gets] == [f"/{media_id}", f"/media-download/{media_id}"]
    assert {r.headers["Authorization"] for r in gets} == {f"Bearer {ACCESS_TOKEN}"}
    event = ConversationEvent.objects.get(kind="attachment.stored")
    assert event.message_id == attachment.message_id
    assert event.data["attachment_id"] == attachment.pk


def test_erased_subject_attachment_cannot_be_read(image_arrives):
    attachment = image_arrives()
    subject = attachment.message.conversation.subject
    vault.key_destroy(subject=subject)
    attachment = Attachment.objects.select_related("message__conversation__subject").get(pk=attachment.pk)
    with pytest.raises(KeyDestroyed):
        attachment_read(attachment=attachment)


def test_sha256_mismatch_fails_and_stores_nothing(image_arrives, fake_graph, settings):
    media_id = fake_graph.add_media(PICTURE, sha256=hashlib.sha256(b"something else").hexdigest())

    attachment = image_arrives(media_id)

    assert attachment.status == AttachmentStatus.FAILED
    assert attachment.attempts == 1  # a mismatch does not get better by asking again
    assert stored_files(settings) == []
    assert ConversationEvent.objects.filter(kind="attachment.failed").count() == 1


def test_base64_sha256_as_in_webhooks_is_accepted(image_arrives, fake_graph):
    digest = base64.b64encode(hashlib.sha256(PICTURE).digest()).decode()
    attachment = image_arrives(fake_graph.add_media(PICTURE, sha256=digest))
    assert attachment.status == AttachmentStatus.STORED


def test_transient_server_errors_are_retried(image_arrives):
    attachment = image_arrives(server_errors=[500, 500])

    assert attachment.status == AttachmentStatus.STORED
    assert attachment.attempts == 3
    assert attachment_read(attachment=attachment) == PICTURE


def test_persistent_errors_give_up_after_bounded_attempts(image_arrives, fake_graph):
    attachment = image_arrives(server_errors=[503] * 10)

    assert attachment.status == AttachmentStatus.FAILED
    assert attachment.attempts == 3  # OUTBOUND_MAX_ATTEMPTS in these tests
    assert len([r for r in fake_graph.requests if r.method == "GET"]) == 3


def test_expired_media_fails_without_retrying(image_arrives):
    attachment = image_arrives("9999999999")  # unknown: 404
    assert (attachment.status, attachment.attempts) == (AttachmentStatus.FAILED, 1)


def test_a_stored_attachment_is_not_fetched_again(image_arrives, fake_graph):
    attachment = image_arrives()
    requests = len(fake_graph.requests)
    assert attachment_fetch(attachment_id=attachment.pk) == AttachmentStatus.STORED
    assert len(fake_graph.requests) == requests
