"""/healthz answers for the database and the channel layer actually configured."""

import os

import pytest
from channels.layers import channel_layers
from django.conf import settings as django_settings


@pytest.fixture
def fresh_layers():
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.django_db
def test_healthy_when_database_and_layer_answer(client, fresh_layers):
    backend = django_settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if os.environ.get("REQUIRE_REDIS") == "1":
        assert backend == "channels_redis.pubsub.RedisPubSubChannelLayer"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


@pytest.mark.django_db
def test_unreachable_channel_layer_gives_503(client, settings, fresh_layers):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},  # nothing listens on port 1
        }
    }
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "channel_layer": "unavailable"}


def test_unreachable_database_gives_503(client, fresh_layers, monkeypatch):
    # No test database at all: the check must report it, not crash.
    from contactcenter import health

    def refuse() -> bool:
        raise OSError("connection refused")

    monkeypatch.setattr(health, "_database_answers", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "unavailable"


def test_the_notice_link_consent_messages_carry_is_the_page_that_serves_it(settings):
    """consent builds the link from a setting (it cannot reverse the project's URLs); they must agree."""
    from urllib.parse import urlsplit

    from django.urls import resolve, reverse

    from consent.public_links import public_url

    link = urlsplit(public_url(settings.PRIVACY_NOTICE_PATH.format(notice_id=42)))
    assert link.path == reverse("privacy-notice", kwargs={"notice_id": 42})
    assert resolve(link.path).url_name == "privacy-notice"
    assert f"{link.scheme}://{link.netloc}" == settings.PUBLIC_BASE_URL.rstrip("/")
