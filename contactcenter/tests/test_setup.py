"""Settings, roles, demo data and deploy checks: what a newcomer and an operator meet first."""

import base64
import json
import logging

import pytest
from django.contrib.auth.models import Group

from contactcenter.logging import RedactPersonalDataFilter
from contactcenter.roles import ROLE_PERMISSIONS
from tests.processes import manage, production_env, run_python

SHOW_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; db = s.DATABASES['default']; "
    "print(json.dumps([db['ENGINE'], db.get('OPTIONS', {}).get('pool') is not None, db['CONN_MAX_AGE'], "
    "s.CHANNEL_LAYERS['default']['BACKEND'], s.TASKS['default']['BACKEND'], s.DEBUG]))"
)


def test_embedded_default_settings():
    result = run_python(SHOW_SETTINGS, DJANGO_SETTINGS_MODULE="contactcenter.settings")
    assert result.returncode == 0, result.stderr
    engine, pooled, _, layer, tasks, debug = json.loads(result.stdout)
    assert engine == "django.db.backends.sqlite3" and not pooled
    assert layer == "channels.layers.InMemoryChannelLayer"
    assert tasks == "django.tasks.backends.immediate.ImmediateBackend"
    assert debug is True


def test_environment_switches_to_postgres_pool_and_redis_pubsub():
    result = run_python(
        SHOW_SETTINGS,
        DJANGO_SETTINGS_MODULE="contactcenter.settings",
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/cc",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    engine, pooled, conn_max_age, layer, _, _ = json.loads(result.stdout)
    assert engine == "django.db.backends.postgresql" and pooled and conn_max_age == 0
    assert layer == "channels_redis.pubsub.RedisPubSubChannelLayer"


def test_production_requires_secrets_and_passes_deploy_checks():
    missing = manage("check", DJANGO_DEBUG="0")
    assert missing.returncode != 0
    for name in ("SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY", "EMAIL_URL"):
        assert name in missing.stderr

    key = manage("generate_master_key", DJANGO_DEBUG="0")
    assert key.returncode == 0, key.stderr
    assert len(base64.urlsafe_b64decode(key.stdout.strip())) == 32

    production = production_env(FIELD_ENCRYPTION_KEY=key.stdout.strip())
    deploy = manage("check", "--deploy", "--fail-level", "WARNING", **production)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert "no issues" in deploy.stdout

    behind_proxy = manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_SECURE_SSL_REDIRECT="0", **production)
    assert behind_proxy.returncode == 0, behind_proxy.stdout + behind_proxy.stderr


def test_deploy_checks_refuse_in_process_tasks_loopback_links_and_bad_proxy_entries():
    in_process = "django.tasks.backends.immediate.ImmediateBackend"
    immediate = manage("check", "--deploy", **production_env(TASKS_BACKEND=in_process))
    assert immediate.returncode != 0 and "contactcenter.E002" in immediate.stderr, immediate.stderr
    assert "stranger" in immediate.stderr and "db_worker" in immediate.stderr
    dummy = manage("check", "--deploy", **production_env(TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend"))
    assert dummy.returncode != 0 and "contactcenter.E002" in dummy.stderr and "never sends" in dummy.stderr
    for local in ("http://127.0.0.1:8000", "https://localhost", "http://cc.example.org", "https://[::1]:8443",
                  "https://0.0.0.0", "https://app.localhost"):  # fmt: skip
        linked = manage("check", "--deploy", **production_env(PUBLIC_BASE_URL=local))
        assert linked.returncode != 0 and "contactcenter.E005" in linked.stderr, (local, linked.stderr)
        assert "contactcenter.E002" not in linked.stderr
    for printed in ("consolemail://", "filemail:///var/tmp/mail", "dummymail://"):
        unsent = manage("check", "--deploy", **production_env(EMAIL_URL=printed))
        assert unsent.returncode != 0 and "contactcenter.E003" in unsent.stderr, (printed, unsent.stderr)
    # The development defaults are what `make run` serves with: in-process tasks, loopback links, no proxies.
    development = manage("check", "--deploy", DJANGO_DEBUG="1")
    reported = development.stdout + development.stderr
    assert "contactcenter.E002" not in reported and "contactcenter.E005" not in reported
    proxies = manage("check", DJANGO_TRUSTED_PROXIES="10.0.0.0/8,proxy.example.org")
    assert proxies.returncode != 0 and "contactcenter.E004" in proxies.stderr and "proxy.example.org" in proxies.stderr
    assert proxies.stderr.count("contactcenter.E004") == 1  # the network is one


SHOW_MAILERS = (
    "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps(s.MAILERS))"
)


def test_email_url_becomes_the_default_mailer_and_development_writes_files():
    relay = run_python(SHOW_MAILERS, DJANGO_SETTINGS_MODULE="contactcenter.settings",
                       EMAIL_URL="smtp+tls://relay:s3cret%40x@mail.example.org:587")  # fmt: skip
    assert relay.returncode == 0, relay.stderr
    assert json.loads(relay.stdout)["default"] == {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "mail.example.org", "port": 587, "username": "relay", "password": "s3cret@x",
                    "use_tls": True, "use_ssl": False, "timeout": 20},
    }  # fmt: skip
    development = run_python(SHOW_MAILERS, DJANGO_SETTINGS_MODULE="contactcenter.settings", EMAIL_URL="")
    mailer = json.loads(development.stdout)["default"]
    assert mailer["BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert mailer["OPTIONS"]["file_path"].endswith("/var/mail")


@pytest.mark.django_db
def test_roles_exist_with_least_privilege():
    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert granted == set(perms), role
    agent = set(ROLE_PERMISSIONS["Agent"])
    assert "consent.verify_ledger" not in agent and "consent.change_purpose" not in agent
    assert not any(p.endswith("_consentevent") and p.split(".")[1].startswith(("change", "delete")) for r in
                   ROLE_PERMISSIONS.values() for p in r), "nobody may change or delete ledger events"  # fmt: skip


def test_log_filter_masks_personal_data():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "inbound from %s <%s> card 4111 1111 1111 1111 msg #%d",
        ("+49 151 23456789", "erika@example.org", 42), None,
    )  # fmt: skip
    RedactPersonalDataFilter().filter(record)
    message = record.getMessage()
    assert "23456789" not in message and "erika@" not in message and "4111" not in message
    assert "#42" in message


def test_log_filter_masks_the_tokens_of_customers_links():
    line = '127.0.0.1:5000 - "GET /privacy/requests/eyJyIjo1fQ:1w2:abc-DEF_9/?lang=de HTTP/1.1" 200'
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, line, (), None)
    RedactPersonalDataFilter().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /privacy/requests/[token]/?lang=de HTTP/1.1" 200'
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Gone: /privacy/download/%s/",
                               ("eyJlIjozfQ:1w2:sig",), None)  # fmt: skip
    RedactPersonalDataFilter().filter(record)
    assert record.getMessage() == "Gone: /privacy/download/[token]/"


def test_server_access_log_goes_through_the_redacting_filter(settings):
    config = settings.LOGGING
    assert config["handlers"]["console"]["filters"] == ["redact"]
    assert config["filters"]["redact"]["()"] == "contactcenter.logging.RedactPersonalDataFilter"
    for name in ("uvicorn.access", "uvicorn.error", "django.request"):
        assert config["loggers"][name]["handlers"] == ["console"], name
        assert config["loggers"][name]["propagate"] is False, name
    assert config["root"]["handlers"] == ["console"]


def test_djangos_loggers_follow_log_level_and_mail_no_traceback():
    show = (
        "import django, logging; django.setup(); from django.utils.log import AdminEmailHandler; "
        "d = logging.getLogger('django'); print(logging.getLogger('django.tasks').getEffectiveLevel(), "
        "any(isinstance(h, AdminEmailHandler) for h in d.handlers))"
    )
    result = run_python(show, DJANGO_SETTINGS_MODULE="contactcenter.settings", LOG_LEVEL="WARNING", **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(logging.WARNING), "False"]  # no task line at INFO, no e-mailed traceback
