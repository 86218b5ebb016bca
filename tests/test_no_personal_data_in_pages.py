"""Issue 15: what staff and strangers see on lists and error pages, and what the real server's access log
prints, holds no personal data.

- Every admin list (each registered model's changelist and, where it has one, its history list) with a customer
  on record whose name, number, e-mail, address and message words are known: none of them appears, in any
  spelling. A DPO opens a subject's own page to see who it is; a list shows masks and ids.
- A 404 for a path made of a customer's number and name, and the API's 404, do not echo the path.
- The ASGI server as ``make run`` starts it (uvicorn's own access logger, configured by our settings): a search
  by name and a customer's link token reach its output only masked.
"""

import html
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from consent.tests.factories import SubjectFactory, UserFactory
from conversations.models import SensitiveAlert
from conversations.tests.factories import ConversationFactory, MessageFactory
from retention.services.requests import request_receive
from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[1]
PHONE = "+49 160 73510428"
NAME = "Zyprianna Quastenberg"
EMAIL = "zyprianna.q@example.org"
ADDRESS = "Quastenweg 17"
WORD = "Zitronenfalterkiste"
TEXT = f"Hallo, ich bin {NAME}, {ADDRESS}, {EMAIL}. Wo ist meine {WORD}?"
FORBIDDEN = ["16073510428", "160 73510428", "7351 0428", "Zyprianna", "Quastenberg", "zyprianna.q", "Quastenweg", WORD]


def _leaks(text: str) -> list[str]:
    spellings = {
        form: word
        for word in FORBIDDEN
        for form in {word, html.escape(word), quote(word), quote_plus(word), json.dumps(word)[1:-1]}
    }
    return sorted({word for form, word in spellings.items() if form.lower() in text.lower()})


def _staff_client(client, user):
    """The one way this module signs staff in."""
    client.force_login(user)
    return client


@pytest.fixture
def customer(db, notices):
    subject = SubjectFactory(value=PHONE, display_name=NAME)
    conversation = ConversationFactory(subject=subject, channel="whatsapp")
    message = MessageFactory(conversation=conversation, direction="in", type="text", status="received",
                             content={"text": TEXT})  # fmt: skip
    alert = SensitiveAlert(subject=subject, conversation=conversation, message=message, label="health",
                           severity="high")  # fmt: skip
    alert.excerpt = "•••• Diagnose"
    alert.save(force_insert=True)
    request_receive(kind="access", channel="chat", actor=None, subject=subject, verified=True,
                    source_message=message)  # fmt: skip
    return subject


def _list_urls() -> list[str]:
    urls = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        history = getattr(model, "history", None)
        if history is not None and hasattr(history, "model"):
            try:
                meta = history.model._meta
                urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
            except NoReverseMatch:
                pass  # the history model has no admin of its own: its rows show on the object's history page
    return urls


def test_no_admin_list_shows_a_customers_personal_data(client, customer):
    boss = UserFactory(username="boss-lists", is_staff=True, is_superuser=True)
    staff = _staff_client(client, boss)
    urls = _list_urls()
    assert len(urls) >= 15  # every app's models, not a handful
    pages = {}
    for url in urls:
        response = staff.get(url, follow=True)  # the alert queue opens on its open alerts
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    assert any("•••" in page or "***" in page for page in pages.values())  # the customer is listed, masked
    assert {url: _leaks(page) for url, page in pages.items() if _leaks(page)} == {}


def test_a_404_does_not_echo_a_path_made_of_personal_data(client, customer):
    for path in (f"/privacy/{quote(PHONE)}/{quote(NAME)}/", f"/api/v1/conversations/{quote(NAME)}/"):
        response = client.get(path)
        assert response.status_code == 404
        assert _leaks(response.content.decode()) == [], path


@pytest.fixture
def served(tmp_path):
    """The app under uvicorn, as ``make run`` starts it, on its own SQLite database; its output captured."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "LOG_LEVEL": "DEBUG", "PYTHONUNBUFFERED": "1"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        env={**env, "LOG_LEVEL": "WARNING"},
        check=True,
        timeout=120,
        capture_output=True,
    )
    port = _free_port()
    output = tmp_path / "server.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "contactcenter.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--ws-per-message-deflate", "false"],
            cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90  # a loaded 2-core machine imports the app slowly
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{base}/healthz", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("the server did not start: " + output.read_text(errors="replace"))
    yield base, output
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=15)


def test_the_servers_access_log_masks_searches_and_link_tokens(served):
    base, output = served
    token = "Kx7vQ2mZp9LwR4tYbN8cJ3hF"
    with httpx.Client(base_url=base, timeout=10) as http:
        http.get("/inbox/", params={"q": NAME})
        http.get("/api/v1/conversations/", params={"q": f"{WORD} {PHONE}"})
        http.get("/admin/consent/subject/", params={"q": EMAIL})
        http.get(f"/privacy/requests/{token}/")
        http.get(f"/privacy/download/{token}/")
    time.sleep(0.5)
    log = output.read_text(errors="replace")
    assert re.search(r'"GET /inbox/\?q=\[query\] HTTP/1\.1" 302', log), log  # uvicorn's access line, masked
    assert "/privacy/requests/[token]/" in log and "/privacy/download/[token]/" in log
    assert token not in log
    assert _leaks(log) == []
