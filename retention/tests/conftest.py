"""The erasure and export tests' world: Wilhelmine and Otto through the real services (``scenario``), with a
fake Graph API on loopback serving her picture."""

import pytest

from devtools.fakegraph import FakeGraphAPI
from retention.tests import scenario


@pytest.fixture
def world(settings, tmp_path, django_user_model):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ERASURE_JOURNAL_PATH = tmp_path / "erasure-journal.jsonl"
    settings.OUTBOUND_BACKOFF_SECONDS = 0.001
    fake = FakeGraphAPI(access_token=settings.WHATSAPP_ACCESS_TOKEN, auto_statuses=()).start()
    settings.WHATSAPP_API_BASE = fake.url
    try:
        yield scenario.build(media_id=fake.add_media(scenario.PICTURE), user_model=django_user_model)
    finally:
        fake.stop()
