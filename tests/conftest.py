"""Fixtures for end-to-end tests: the real ASGI app on a loopback port, a headless Chromium, the fake Graph API,
the people who log in to it."""

import os
import shutil
import socket
import threading
import time

import pytest

from consent.tests.factories import UserFactory
from contactcenter import roles
from conversations.tests.factories import TeamFactory, TeamMembershipFactory

ANNA_PASSWORD = "anna-browser-pass-1"
DORA_PASSWORD = "dora-browser-pass-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db):
    """``contactcenter.asgi:application`` under uvicorn in a thread of this process.

    Same process, so it shares the test database and the channel layer the settings name
    (in-memory by default, Redis pub/sub in CI). Returns the base URL.
    """
    import uvicorn

    from contactcenter.asgi import application as app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws="websockets-sansio")
    )
    thread = threading.Thread(target=server.run, name="asgi-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("the ASGI test server did not start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    from django.db import connections

    for connection in connections.all():
        # The server thread's pooled PostgreSQL connections would keep the test database busy.
        if hasattr(connection, "close_pool"):
            connection.close_pool()


@pytest.fixture(scope="session", autouse=True)
def end_server_thread_sessions(django_db_setup, django_db_blocker):
    """Django's connections are per thread: the in-process server's worker threads (asgiref's executor, the
    webhook pool) keep the session their last task opened, and dropping the test database at the end of the
    run would fail ("accessed by other users"). After the last test, those sessions are ended."""
    yield
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@pytest.fixture
def chromium(monkeypatch):
    if not shutil.which(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"needs Chromium at {CHROMIUM} (apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while the test runs; the test's own
    # (synchronous) database calls beside it are safe. Per test, so no later test inherits either.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def fake_graph(settings, asgi_server):
    from devtools.fakegraph import FakeGraphAPI

    fake = FakeGraphAPI(
        access_token=settings.WHATSAPP_ACCESS_TOKEN,
        webhook_url=f"{asgi_server}/webhooks/whatsapp/",
        app_secret=settings.WHATSAPP_APP_SECRET,
        status_delays=(0.2, 0.4, 0.4),
    ).start()
    settings.WHATSAPP_API_BASE = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def anna(db):
    """Anna, an agent in Customer care (the default team, which assigns new conversations to an agent online)."""
    team = TeamFactory(name="Customer care", slug="care", is_default=True, auto_assign=True)
    return TeamMembershipFactory(team=team, user__username="anna", user__password=ANNA_PASSWORD).user


@pytest.fixture
def dora(db):
    """Dora, the DPO: staff, so the admin (and its alert queue) opens."""
    return UserFactory(username="dora", password=DORA_PASSWORD, role=roles.DPO, is_staff=True)


def log_in(page, url: str, username: str, password: str) -> None:
    """Through the login form ``url`` shows, as a person would."""
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit], input[type=submit]")
