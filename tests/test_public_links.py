"""Every absolute link we send customers or print for staff starts with PUBLIC_BASE_URL, wherever the app runs.

A newcomer ran the app on another port and got links to port 8000. These tests run with the links' base at
port 8123 and read what the customer (or the developer) would be handed.
"""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.html import escape

from consent import services as consent_services
from consent.public_links import PublicBaseUrlInvalid, base_url_normalise, public_url, subject_rights_url
from contactcenter.snippet import statement_url, webchat_embed
from conversations.providers.webchat import notice_render, rights_url
from retention.services.request_status import request_status_url
from retention.services.requests import request_extend, request_receive
from tests.processes import ROOT, run_python

BASE = "http://127.0.0.1:8123"
LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("https://cc.example.org", "https://cc.example.org"),
        ("https://cc.example.org/", "https://cc.example.org"),
        ("  http://127.0.0.1:8123// ", "http://127.0.0.1:8123"),
        ("https://example.org/help/", "https://example.org/help"),  # behind a proxy's prefix
    ],
)
def test_the_base_is_kept_without_its_trailing_slash(given, used):
    assert base_url_normalise(given) == used


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("cc.example.org", "scheme"),
        ("ftp://cc.example.org", "scheme"),
        ("https://", "no host"),
        ("https://cc.example.org/?ref=mail", "query"),
        ("https://cc.example.org/#top", "fragment"),
        ("https://cc.example.org?", "query"),
        ("https://user:secret@cc.example.org", "password"),
        ("https://cc.example.org:99999", "port"),
    ],
)
def test_a_base_that_is_no_public_address_is_refused_naming_the_problem(given, says):
    with pytest.raises(PublicBaseUrlInvalid, match=says):
        base_url_normalise(given)


def test_the_server_does_not_start_with_a_malformed_base_and_says_why():
    shown = "import django; django.setup(); from django.conf import settings; print(settings.PUBLIC_BASE_URL)"
    bad = run_python(shown, DJANGO_SETTINGS_MODULE="contactcenter.settings", PUBLIC_BASE_URL="cc.example.org:8123")
    assert bad.returncode != 0
    assert "ImproperlyConfigured" in bad.stderr and "PUBLIC_BASE_URL='cc.example.org:8123'" in bad.stderr
    assert "https://" in bad.stderr  # what to write instead
    good = run_python(shown, DJANGO_SETTINGS_MODULE="contactcenter.settings", PUBLIC_BASE_URL="http://127.0.0.1:8123/")
    assert good.returncode == 0, good.stderr
    assert good.stdout.strip() == BASE
    default = run_python(shown, DJANGO_SETTINGS_MODULE="contactcenter.settings", PUBLIC_BASE_URL="")
    assert default.stdout.strip() == "http://127.0.0.1:8000"  # DEBUG on: where `manage.py runserver` would serve


@override_settings(PUBLIC_BASE_URL=BASE + "/")
def test_public_url_joins_base_and_path_once():
    assert public_url("/privacy/?lang=de") == f"{BASE}/privacy/?lang=de"
    assert public_url("privacy/") == f"{BASE}/privacy/"


@pytest.mark.django_db
@override_settings(PUBLIC_BASE_URL=BASE)
def test_the_double_opt_in_message_and_the_web_chat_notice_link_lead_to_the_base(subject_de, marketing, notices):
    requested = consent_services.consent_request(subject=subject_de, purpose=marketing, channel="whatsapp")
    notice = notices[("GDPR", "de")]
    assert LINK.findall(requested.message) == [f"{BASE}/privacy/notices/{notice.pk}/"]
    assert notice_render(notice, language="de")["url"] == f"{BASE}/privacy/notices/{notice.pk}/"
    # "Your data / your rights" in the widget: the self-service page on the same base.
    assert rights_url(None) == subject_rights_url() == f"{BASE}/privacy/"
    with override_settings(SUBJECT_RIGHTS_URL="mailto:dpo@shop.example"):
        assert rights_url(None) == "mailto:dpo@shop.example"  # a company that takes requests elsewhere


@pytest.mark.django_db
@override_settings(PUBLIC_BASE_URL=BASE)
def test_the_mail_about_a_data_request_links_its_page_on_the_base(dpo, client, django_capture_on_commit_callbacks):
    subject, _ = consent_services.subject_get_or_create_by_contact(
        kind="email", value="wilma@example.org", language="de", actor=None
    )
    request = request_receive(kind="access", channel="email", actor=dpo, subject=subject, now=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        request_extend(request=request, ground="complexity", actor=dpo)
    [sent] = mail.outbox
    [link] = LINK.findall(sent.body)
    assert link.startswith(f"{BASE}/privacy/requests/") and link.endswith("?lang=de")
    assert request_status_url(request=request).startswith(f"{BASE}/privacy/requests/")
    page = client.get(link.removeprefix(BASE))
    assert page.status_code == 200 and request.reference in page.content.decode()


@pytest.mark.django_db
@override_settings(PUBLIC_BASE_URL=BASE, DEBUG=True)
def test_seed_demo_prints_the_sign_in_links_of_the_server_it_seeds(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert f"{BASE}/inbox/" in out and f"{BASE}/admin/" in out
    assert ":8000" not in out


@pytest.mark.django_db
@override_settings(PUBLIC_BASE_URL=BASE)
def test_the_website_snippets_point_at_the_base(dpo_client):
    assert statement_url("nl") == f"{BASE}/privacy/statement/?lang=nl"  # the WhatsApp snippet's statement link
    tag = f'<script src="{BASE}/static/webchat/widget.js" data-server="{BASE}" defer></script>'
    assert webchat_embed() == tag
    page = dpo_client.get("/dpo/snippet/?lang=de").content.decode()
    assert escape(tag) in page and "WEBCHAT_ALLOWED_ORIGINS" in page
    assert "Das Web-Chat-Widget" in page


# Where a host and port may be written down: the settings' development default, documentation, tests.
_ALLOWED = {Path("contactcenter/settings.py")}
_SKIPPED_DIRS = {".venv", "var", "locale", "docs", "tests", "node_modules", ".git", ".ruff_cache", ".pytest_cache"}
_SOURCES = {".py", ".html", ".js", ".txt", ".json", ".css", ".example", ""}


def test_nothing_builds_a_link_from_a_hard_coded_local_address():
    hard_coded = re.compile(r"(127\.0\.0\.1|localhost|\[::1\]):8000")
    found, scanned = [], 0
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in _SKIPPED_DIRS]
        for name in files:
            path = Path(folder, name)
            relative = path.relative_to(ROOT)
            if path.suffix not in _SOURCES or relative in _ALLOWED:
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            scanned += 1
            found += [f"{relative}:{text.count(chr(10), 0, m.start()) + 1}" for m in hard_coded.finditer(text)]
    assert scanned > 100  # the walk did reach the code
    assert found == [], "hard-coded local addresses (use consent.public_links.public_url): " + ", ".join(found)
