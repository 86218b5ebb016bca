"""Browser hardening: the Content-Security-Policy on our pages, no inline code in them, and the production
settings (secure cookies, HSTS, frame protection, a clean ``check --deploy``)."""

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command

from consent.tests.factories import UserFactory
from contactcenter import roles
from conversations.tests.factories import TeamFactory, TeamMembershipFactory

BASE_DIR = Path(django_settings.BASE_DIR)
PASSWORD = "a long enough password 7"


class _InlineCode(HTMLParser):
    """Script elements with code in the page (not JSON data blocks) and event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.handlers += [f"<{tag} {name}>" for name in attributes if name.startswith("on")]
        if tag == "script" and not attributes.get("src") and attributes.get("type") != "application/json":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def _inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.scripts + parser.handlers


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part}


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses otherwise (public passwords)
    call_command("seed_demo", stdout=open(os.devnull, "w"))
    settings.DEBUG = False


@pytest.fixture
def agent(db):
    team = TeamFactory(name="Care", slug="care-csp", is_default=True)
    return TeamMembershipFactory(team=team, user__username="csp-agent", user__password=PASSWORD).user


@pytest.fixture
def dpo(db):
    return UserFactory(username="csp-dpo", password=PASSWORD, role=roles.DPO, is_staff=True)


def _pages(client, agent, dpo) -> dict[str, object]:
    pages = {
        "/privacy/": client.get("/privacy/"),
        "/privacy/statement/?lang=en": client.get("/privacy/statement/?lang=en"),
    }
    client.force_login(agent)
    pages["/inbox/"] = client.get("/inbox/")
    client.force_login(dpo)
    for path in ("/admin/", "/api/docs/", "/dpo/records/", "/dpo/snippet/", "/admin/consent/consentevent/"):
        pages[path] = client.get(path)
    return pages


@pytest.mark.django_db
def test_every_main_page_carries_the_policy_and_no_inline_code(client, demo, agent, dpo):
    for path, response in _pages(client, agent, dpo).items():
        assert response.status_code == 200, path
        policy = _policy(response)
        assert policy["default-src"] == ["'self'"], path
        assert policy["script-src"] == ["'self'"], path  # no nonce, no 'unsafe-inline': only our files run
        assert policy["img-src"] == ["'self'", "data:"]
        assert policy["connect-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["base-uri"] == ["'none'"] and policy["object-src"] == ["'none'"]
        assert "'unsafe-inline'" not in policy["style-src"], path
        assert _inline_code(response.content.decode()) == [], path


@pytest.mark.django_db
def test_a_pages_own_style_block_is_allowed_by_its_nonce_alone(client, dpo):
    client.force_login(dpo)
    response = client.get("/admin/")
    nonces = re.findall(r'<style nonce="([^"]+)">', response.content.decode())
    assert nonces and all(nonce == nonces[0] for nonce in nonces)
    assert f"'nonce-{nonces[0]}'" in _policy(response)["style-src"]
    assert f"'nonce-{nonces[0]}'" not in _policy(client.get("/admin/"))["style-src"]  # a fresh one per response


@pytest.mark.django_db
def test_the_api_docs_load_their_code_from_our_own_static_files(client, dpo):
    client.force_login(dpo)
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources and all(src.startswith("/") and not src.startswith("//") for src in sources)
    script = client.get("/api/docs/?script")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")


def test_the_statement_stylesheet_hash_in_the_policy_is_the_templates():
    """The published statements are stored without a nonce: the policy allows their stylesheet by its hash."""
    template = (BASE_DIR / "templates/privacy/statement.html").read_text()
    css = re.search(r"<style>(.*?)</style>", template, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in django_settings.SECURE_CSP["style-src"]


def _production_env(tmp_path: Path) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    environment.update(
        DJANGO_SETTINGS_MODULE="contactcenter.settings",
        DJANGO_DEBUG="0",
        DEVTOOLS="0",
        SECRET_KEY=base64.urlsafe_b64encode(os.urandom(48)).decode(),
        DJANGO_ALLOWED_HOSTS="cc.example.org",
        FIELD_ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(32)).decode(),
        EMAIL_URL="smtp+tls://contactcenter:secret@mail.example.org:587",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        PUBLIC_BASE_URL="https://cc.example.org",
        ERASURE_JOURNAL_PATH=str(tmp_path / "journal" / "erasure-journal.jsonl"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db' / 'db.sqlite3'}",
        REDIS_URL="",
    )
    (tmp_path / "db").mkdir()
    return environment


def test_check_deploy_is_clean_with_a_production_environment(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=_production_env(tmp_path), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client()
login = client.get("/admin/login/", secure=True, HTTP_HOST="cc.example.org")
csrf = login.cookies["csrftoken"]
print(json.dumps({
    "session_secure": settings.SESSION_COOKIE_SECURE, "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csrf_secure": bool(csrf["secure"]), "hsts": login.get("Strict-Transport-Security"),
    "frame": login.get("X-Frame-Options"), "nosniff": login.get("X-Content-Type-Options"),
    "referrer": login.get("Referrer-Policy"), "csp": login.get("Content-Security-Policy"),
    "plain": client.get("/admin/login/", HTTP_HOST="cc.example.org").status_code,
    "plain_location": client.get("/admin/login/", HTTP_HOST="cc.example.org").get("Location"),
    "healthz": client.get("/healthz", HTTP_HOST="cc.example.org").status_code,
}))
"""


def test_with_debug_off_cookies_are_secure_hsts_is_sent_and_framing_is_denied(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], cwd=BASE_DIR, env=_production_env(tmp_path),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["session_secure"] and seen["session_httponly"] and seen["csrf_secure"]
    assert seen["hsts"] == "max-age=31536000; includeSubDomains"  # no preload unless the operator opts in
    assert seen["frame"] == "DENY" and seen["nosniff"] == "nosniff" and seen["referrer"] == "same-origin"
    assert "frame-ancestors 'none'" in seen["csp"]
    assert seen["plain"] == 301 and seen["plain_location"] == "https://cc.example.org/admin/login/"
    assert seen["healthz"] != 301  # load balancers probe over plain HTTP
