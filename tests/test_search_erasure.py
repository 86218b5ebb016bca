"""The search index's tokens are personal data: an erasure and the messages' retention take them along."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations import selectors, services
from conversations.models import Conversation, Message, SearchToken
from conversations.tests.conftest import inbound_text
from conversations.tests.factories import TeamFactory
from retention.services import purge_expired, subject_erase

HER, HIM = "4915123456789", "31612345678"


@pytest.fixture
def written(notices, settings, tmp_path):
    TeamFactory(name="Support", is_default=True, auto_assign=False)
    settings.ERASURE_JOURNAL_PATH = tmp_path / "journal.jsonl"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    her = services.ingest(
        inbound=inbound_text(HER, "Das Fahrrad ist kaputt", message_id="wamid.1", name="Jürgen Müller")
    )
    him = services.ingest(inbound=inbound_text(HIM, "Mein Fahrrad auch", message_id="wamid.2", name="Piet Bakker"))
    return her.message.conversation, him.message.conversation


def found(user, q: str) -> set[int]:
    return {c.pk for c in selectors.conversation_page(user=user, q=q).rows}


def test_an_erasure_takes_her_name_and_word_tokens_and_leaves_his(written, dpo):
    hers, his = written
    assert found(dpo, "fahrrad") == {hers.pk, his.pk}
    subject_erase(subject=hers.subject, actor=dpo, reason="subject_request")
    assert not SearchToken.objects.filter(subject_id=hers.subject_id).exists()
    assert not SearchToken.objects.filter(conversation_id=hers.pk).exists()
    assert found(dpo, "fahrrad") == {his.pk} and found(dpo, "muller") == set()
    assert found(dpo, "bakker") == {his.pk}


def test_the_messages_retention_takes_their_tokens_and_keeps_the_name(written, dpo):
    hers, his = written
    long_ago = timezone.now() - timedelta(days=400)
    Conversation.objects.filter(pk=hers.pk).update(status="resolved", resolved_at=long_ago)
    Message.objects.filter(conversation=hers).update(created_at=long_ago)
    SearchToken.objects.filter(conversation=hers).update(created_at=long_ago)
    purge_expired(categories=["messages"])
    assert not Message.objects.filter(conversation=hers).exists()
    assert not SearchToken.objects.filter(conversation=hers).exists()
    assert found(dpo, "fahrrad") == {his.pk}
    # Her name is part of her identity, not of the purged messages: she is still found by it.
    assert found(dpo, "muller") == {hers.pk}
