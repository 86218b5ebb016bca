"""The DPO's dashboard in a real browser, as a German DPO opens the admin: the breach she learnt of yesterday
counts its 72 hours down, the consent chart is drawn (inline SVG, no script), the subject request and the purge
run are there, above Django's list of apps; on a phone (390 px) the sections stack without running off the
screen. Screenshots at desktop width and at 390 px are saved under ``tests/artifacts/`` (ignored by git)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from consent.services import consent_grant, consent_withdraw
from consent.tests.factories import NoticeFactory, PurposeFactory, SubjectFactory
from contactcenter.models import Breach
from retention.models.rules import PurgeRun
from retention.services.requests import request_receive
from tests.conftest import DORA_PASSWORD, log_in

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dpo_opens_her_dashboard_with_the_chart_and_the_breach_countdown(asgi_server, page, dora):
    Breach.objects.create(
        title="Export an falsche Adresse", jurisdictions=["GDPR"], aware_at=timezone.now() - timedelta(hours=30),
        nature="Ein Export ging an eine falsche Adresse.", subject_categories="Kunden", subjects_count=1,
        records_count=40, contact="Dora DPO", consequences="Gelesen.", measures="Löschung erbeten.",
    )  # fmt: skip
    newsletter = PurposeFactory(code="newsletter", label="Newsletter", about="Monthly news", is_marketing=True)
    NoticeFactory(jurisdiction="GDPR", language="de")
    people = [SubjectFactory(value=f"+49 151 2345670{n}") for n in range(3)]
    for person in people:
        consent_grant(subject=person, purpose=newsletter, channel="web")
    consent_withdraw(subject=people[0], purpose=newsletter, channel="web")
    request = request_receive(kind="access", channel="email", actor=dora, subject=people[1],
                              now=timezone.now() - timedelta(days=40))  # fmt: skip
    PurgeRun.objects.create(outcome="done", counts={"messages": 12, "conversations": 3}, finished_at=timezone.now())

    log_in(page, f"{asgi_server}/admin/login/", "dora", DORA_PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{asgi_server}/admin/")
    dashboard = page.locator("#dpo-dashboard")
    expect(dashboard).to_be_visible()
    breaches = page.locator("#dpo-breaches")
    expect(breaches).to_contain_text(re.compile(r"Aufsichtsbehörde benachrichtigen \(GDPR\): noch 1\sTag, 17\sStunden"))
    expect(breaches).to_contain_text("Europe/Berlin")
    chart = page.locator("#dpo-consent svg")
    expect(chart).to_have_count(1)
    expect(page.locator("#dpo-consent figcaption")).to_have_text("Newsletter (de)")  # the purpose in her language
    granted = page.locator("#dpo-consent rect.dpo-bar-granted")
    expect(granted).to_have_count(1)
    assert granted.get_attribute("data-count") == "3"
    box = granted.bounding_box()
    assert box and box["height"] > 20 and box["width"] > 3  # drawn, and to scale (the tallest bar)
    expect(page.locator("#dpo-consent .visually-hidden table")).to_be_attached()
    expect(page.locator("#dpo-requests")).to_contain_text(request.reference)
    expect(page.locator("#dpo-requests")).to_contain_text("Überfällig")
    expect(page.locator("#dpo-purge")).to_contain_text("15")
    expect(page.locator("#content-main")).to_be_visible()  # Django's list of apps below
    assert "Erika" not in page.content()  # no customer's name on the dashboard
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-desktop.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{asgi_server}/admin/")
    expect(page.locator("#dpo-consent svg")).to_be_visible()
    for section in ("#dpo-breaches", "#dpo-requests", "#dpo-alerts", "#dpo-purge", "#dpo-consent"):
        box = page.locator(section).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1, (section, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off to the side
    page.screenshot(path=str(ARTIFACTS / "dashboard-390.png"), full_page=True)
