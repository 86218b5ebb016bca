"""Fixtures shared by every app's tests: purposes, published notices, users in each role (from the factories)."""

import os
import uuid

import pytest

from consent.jurisdictions import LANGUAGES
from consent.tests.factories import NoticeFactory, PurposeFactory, SubjectFactory, UserFactory
from contactcenter import roles


@pytest.fixture(autouse=True)
def roles_present(request):
    """Role groups come from a data migration; a flush by an earlier transactional test can remove them.

    Re-running the post-migrate work (content types, permissions, roles) puts back what migrations made.
    """
    marker = request.node.get_closest_marker("django_db")
    wants_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if not wants_db:
        return
    transactional = "transactional_db" in request.fixturenames or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.contrib.auth.models import Group
    from django.core.management.sql import emit_post_migrate_signal

    if not Group.objects.filter(name="Agent").exists():
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")


@pytest.fixture(autouse=True)
def webhook_on_request_thread(settings):
    # Tests inside the ``db`` fixture's transaction must see what the webhook stores: the same
    # thread and connection. The threaded path runs in the scale-out test's real servers.
    settings.WEBHOOK_DB_THREADS = 0


@pytest.fixture(autouse=True)
def fresh_cache():
    """A cache of its own per test (per-address limits, the web chat's rates): no test shares counters with
    another, and none touches the Redis a developer's REDIS_URL names (never cleared: others' keys live there)."""
    from django.core.cache import caches
    from django.test import override_settings

    location = f"test-{uuid.uuid4().hex}"
    with override_settings(
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": location}}
    ):
        yield
        caches["default"].clear()  # this test's own locmem store, nothing else's
    caches.close_all()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 at production strength costs about a second per test user; tests check nothing about it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def marketing(db):
    return PurposeFactory(
        code="marketing", label="Offers", about="Offers on WhatsApp", is_marketing=True, requires_double_opt_in=True
    )


@pytest.fixture
def newsletter(db):
    """A second marketing purpose, single opt-in."""
    return PurposeFactory(code="newsletter", label="Newsletter", about="Monthly news", is_marketing=True)


@pytest.fixture
def service(db):
    return PurposeFactory(code="service", label="Service", about="Answering requests", contract=True)


@pytest.fixture
def marketing_whatsapp(db):
    """The purpose the default ``weekly_offers`` template names (settings.WHATSAPP_TEMPLATES); single opt-in."""
    return PurposeFactory(
        code="marketing-whatsapp", label="Offers on WhatsApp", about="Weekly offers", is_marketing=True
    )


@pytest.fixture
def webchat_purpose(db):
    """The purpose the web-chat widget's consent box grants (settings.WEBCHAT_CONSENT_PURPOSE)."""
    return PurposeFactory(code="webchat-service", label="Web chat", about="Answering your message in the web chat")


@pytest.fixture
def notices(db):
    """Published notices: GDPR in the five languages, LGPD in pt-br and en."""
    published = [("GDPR", language) for language in LANGUAGES] + [("LGPD", "pt-br"), ("LGPD", "en")]
    return {
        (jurisdiction, language): NoticeFactory(jurisdiction=jurisdiction, language=language)
        for jurisdiction, language in published
    }


@pytest.fixture
def subject_de(db):
    return SubjectFactory(value="+49 151 23456789", display_name="Erika Mustermann")


@pytest.fixture
def subject_br(db):
    return SubjectFactory(value="5511987654321", display_name="Maria Silva")


@pytest.fixture
def agent(db):
    return UserFactory(username="agent1", role=roles.AGENT)


@pytest.fixture
def dpo(db):
    return UserFactory(username="dpo1", role=roles.DPO, is_staff=True)


@pytest.fixture
def dpo_client(client, dpo):
    """The test client, logged in as the DPO (staff, so the admin opens)."""
    client.force_login(dpo)
    return client


@pytest.fixture
def nobody(db):
    return UserFactory(username="nobody1")


@pytest.fixture
def require_postgres(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but the tests run on " + connection.vendor)
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://... (CI does)")


def tamper_with_ledger(sql: str, params: list | None = None) -> None:
    """Change the ledger as an attacker with the table owner's rights would: around the trigger."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks queued by this test's inserts block ALTER TABLE; run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE consent_consentevent DISABLE TRIGGER consent_ledger_append_only")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE consent_consentevent ENABLE TRIGGER consent_ledger_append_only")
