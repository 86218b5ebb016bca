"""The generated privacy statement in a real browser, as a German DPO works with it: she shortens how long
messages are kept, the statement page shows the difference (the new period added, the old one removed), she
publishes, and the public Dutch statement says the new period. Screenshots go to ``tests/artifacts/``."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from consent.models import PrivacyNotice
from contactcenter.statements import days_in_words
from retention.models import RetentionRule
from tests.conftest import DORA_PASSWORD, log_in

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dpo_changes_a_period_previews_the_difference_publishes_and_the_statement_shows_it(
    asgi_server, page, dora, settings
):
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # publishes the first version
    settings.DEBUG = False
    first = PrivacyNotice.objects.filter(language="nl", jurisdiction="GDPR").latest("version")
    rule = RetentionRule.objects.get(category="messages")
    with translation.override("de"):
        old_de, new_de = days_in_words(rule.period_days), days_in_words(90)
    with translation.override("nl"):
        new_nl = days_in_words(90)
    assert new_nl not in first.document

    log_in(page, f"{asgi_server}/admin/login/", "dora", DORA_PASSWORD)
    page.goto(f"{asgi_server}/admin/retention/retentionrule/{rule.pk}/change/")
    page.locator("#id_period_days").fill("90")
    page.locator("#id_reason").fill("Kürzere Aufbewahrung beschlossen")
    page.locator("input[name=_save]").click()
    expect(page.locator(".messagelist")).to_be_visible()

    page.goto(f"{asgi_server}/admin/contactcenter/controller/statement/?jurisdiction=GDPR&lang=de")
    expect(page.locator("#diff .added").filter(has_text=new_de).first).to_be_visible()
    expect(page.locator("#diff .removed").filter(has_text=old_de).first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "statement-preview.png"), full_page=True)
    page.locator("form.publish-bar input[type=submit]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()
    expect(page.locator("#unchanged")).to_be_visible()

    page.goto(f"{asgi_server}/privacy/statement/?lang=nl")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.locator("#retention")).to_contain_text(new_nl)
    page.screenshot(path=str(ARTIFACTS / "statement-nl.png"), full_page=True)
    newest = PrivacyNotice.objects.filter(language="nl", jurisdiction="GDPR").latest("version")
    assert newest.version == first.version + 1
    # The earlier version is still there, unchanged.
    page.goto(f"{asgi_server}/privacy/statement/{first.version}/?lang=nl&jurisdiction=GDPR")
    expect(page.locator("#retention")).not_to_contain_text(new_nl)
