"""Fixtures shared by every app's tests: purposes, published notices, users in each role."""

import os

import pytest
from django.contrib.auth.models import Group

from consent import services
from contactcenter import roles

LANGS = ("en", "de", "nl", "it", "pt-br")


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
def fast_password_hashing(settings):
    # PBKDF2 at production strength costs about a second per test user; tests check nothing about it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def texts(prefix: str) -> dict[str, str]:
    return {lang: f"{prefix} ({lang})" for lang in LANGS}


@pytest.fixture
def marketing(db):
    return services.purpose_create(
        code="marketing",
        name=texts("Offers"),
        description=texts("Offers on WhatsApp"),
        legal_bases={"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"},
        is_marketing=True,
        requires_double_opt_in=True,
        actor=None,
    )


@pytest.fixture
def newsletter(db):
    """A second marketing purpose, single opt-in."""
    return services.purpose_create(
        code="newsletter",
        name=texts("Newsletter"),
        description=texts("Monthly news"),
        legal_bases={"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"},
        is_marketing=True,
        actor=None,
    )


@pytest.fixture
def service(db):
    return services.purpose_create(
        code="service",
        name=texts("Service"),
        description=texts("Answering requests"),
        legal_bases={"GDPR": "gdpr-6-1-b", "LGPD": "lgpd-7-v"},
        actor=None,
    )


@pytest.fixture
def marketing_whatsapp(db):
    """The purpose the default ``weekly_offers`` template names (settings.WHATSAPP_TEMPLATES); single opt-in."""
    return services.purpose_create(
        code="marketing-whatsapp",
        name=texts("Offers on WhatsApp"),
        description=texts("Weekly offers"),
        legal_bases={"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"},
        is_marketing=True,
        actor=None,
    )


@pytest.fixture
def webchat_purpose(db):
    """The purpose the web-chat widget's consent box grants (settings.WEBCHAT_CONSENT_PURPOSE)."""
    return services.purpose_create(
        code="webchat-service",
        name=texts("Web chat"),
        description=texts("Answering your message in the web chat"),
        legal_bases={"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"},
        actor=None,
    )


@pytest.fixture
def notices(db):
    """Published notices: GDPR in the five languages, LGPD in pt-br and en."""
    published = {}
    for jurisdiction, language in [("GDPR", lang) for lang in LANGS] + [("LGPD", "pt-br"), ("LGPD", "en")]:
        notice = services.notice_create(
            language=language,
            jurisdiction=jurisdiction,
            title=f"Notice {language}",
            text=f"Text {language}",
            actor=None,
        )
        published[(jurisdiction, language)] = services.notice_publish(notice=notice, actor=None)
    return published


@pytest.fixture
def subject_de(db):
    return services.subject_create(
        kind="whatsapp", value="+49 151 23456789", display_name="Erika Mustermann", actor=None
    )


@pytest.fixture
def subject_br(db):
    return services.subject_create(kind="whatsapp", value="5511987654321", display_name="Maria Silva", actor=None)


def make_user(django_user_model, username: str, role: str | None, *, staff: bool = False):
    user = django_user_model.objects.create_user(username=username, password="x-test-password-1", is_staff=staff)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def agent(django_user_model):
    return make_user(django_user_model, "agent1", roles.AGENT)


@pytest.fixture
def dpo(django_user_model):
    return make_user(django_user_model, "dpo1", roles.DPO, staff=True)


@pytest.fixture
def dpo_client(client, dpo):
    """The test client, logged in as the DPO (staff, so the admin opens)."""
    client.force_login(dpo)
    return client


@pytest.fixture
def nobody(django_user_model):
    return make_user(django_user_model, "nobody1", None)


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
