"""The Content-Security-Policy in a real browser: the main pages work under it with no violation and no console
error (a blocked script or stylesheet shows up as both)."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import ANNA_PASSWORD, DORA_PASSWORD, log_in

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push({directive: event.violatedDirective, blocked: event.blockedURI,
                               source: event.sourceFile, line: event.lineNumber});
});
"""


@pytest.fixture
def watched(page):
    """The page, recording its CSP violations (``window.__cspViolations``) and its console errors and warnings."""
    console: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.console_messages = console
    return page


def _assert_clean(page, where: str) -> None:
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"{where}: {violations}"
    problems = [line for line in page.console_messages if not line.startswith(("log:", "info:", "debug:"))]
    assert problems == [], f"{where}: {problems}"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_inbox_works_under_the_policy(asgi_server, watched, anna):
    log_in(watched, f"{asgi_server}/inbox/login/", "anna", ANNA_PASSWORD)
    expect(watched).to_have_url(re.compile(r"/inbox/"))
    expect(watched.locator("#connection")).to_have_attribute("data-state", "live")  # its script and socket ran
    _assert_clean(watched, "/inbox/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_admin_privacy_page_and_api_docs_work_under_the_policy(asgi_server, watched, dora):
    watched.goto(f"{asgi_server}/privacy/")
    expect(watched.locator("form").first).to_be_visible()
    _assert_clean(watched, "/privacy/")

    log_in(watched, f"{asgi_server}/admin/login/", "dora", DORA_PASSWORD)
    expect(watched).to_have_url(re.compile(r"/admin/$"))
    # The dashboard's own stylesheet (nonce) applied: the admin's default body font is not the only rule.
    assert watched.evaluate("document.styleSheets.length") > 1
    _assert_clean(watched, "/admin/")

    watched.goto(f"{asgi_server}/api/docs/")
    expect(watched.locator(".swagger-ui .info .title")).to_contain_text("Contact Center API")
    _assert_clean(watched, "/api/docs/")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_widgets_demo_page_works_under_the_policy(asgi_server, watched):
    watched.goto(f"{asgi_server}/webchat/demo/")
    watched.wait_for_load_state("networkidle")
    _assert_clean(watched, "/webchat/demo/")
