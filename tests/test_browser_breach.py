"""The breach register in a real browser, as a German DPO uses it: she records a breach she learnt of
yesterday, the list counts the 72 hours down in her language, the record shows each deadline with its zone,
and the draft notification to the ANPD downloads in Portuguese. A screenshot of the record is saved under
``tests/artifacts/`` (ignored by git) for a reviewer."""

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from contactcenter.models import Breach
from tests.conftest import DORA_PASSWORD, log_in

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_dpo_records_a_breach_and_sees_its_deadlines_count_down(asgi_server, page, dora):
    log_in(page, f"{asgi_server}/admin/login/", "dora", DORA_PASSWORD)
    page.goto(f"{asgi_server}/admin/contactcenter/breach/add/")
    expect(page.locator("h1")).to_contain_text("hinzufügen")  # the admin in her language (the browser's: German)
    # Typed as she reads her clock: in the controller's time zone (Berlin), not the server's UTC.
    aware = timezone.localtime(timezone.now() - timedelta(hours=30), ZoneInfo(settings.CONTROLLER_TIME_ZONE))
    page.get_by_label("Titel").fill("Export an falsche Adresse")
    page.get_by_label("GDPR").check()
    page.get_by_label("LGPD").check()
    page.locator("#id_aware_at_0").fill(aware.strftime("%d.%m.%Y"))
    page.locator("#id_aware_at_1").fill(aware.strftime("%H:%M:%S"))
    page.get_by_label("was geschehen ist").fill("Ein Export mit 40 Nachrichten ging an eine falsche Adresse.")
    page.get_by_label("Kategorien betroffener Personen").fill("Kundinnen und Kunden")
    page.get_by_label("betroffene Personen (ungefähr)").fill("1")
    page.get_by_label("betroffene Datensätze (ungefähr)").fill("40")
    page.get_by_label("Kontakt für die Aufsichtsbehörde").fill("Dora DPO, dpo@shop.example")
    page.get_by_label("wahrscheinliche Folgen").fill("Nachrichten von Fremden gelesen.")
    page.get_by_label("ergriffene oder vorgeschlagene Maßnahmen").fill("Empfänger um Löschung gebeten.")
    page.locator("input[name=_save]").click()

    row = page.locator("#result_list tbody tr").first
    expect(row).to_contain_text("Export an falsche Adresse")
    expect(row).to_contain_text(re.compile(r"Aufsichtsbehörde benachrichtigen \(GDPR\): noch 1\sTag, 17\sStunden"))
    breach = Breach.objects.get()
    assert breach.created_by == dora and breach.jurisdictions == ["GDPR", "LGPD"]
    assert abs((breach.aware_at - (timezone.now() - timedelta(hours=30))).total_seconds()) < 120

    row.locator("th a").click()
    deadlines = page.locator(".field-deadlines")
    expect(deadlines).to_contain_text("America/Sao_Paulo")
    expect(deadlines).to_contain_text("Europe/Berlin")
    expect(deadlines).to_contain_text("unverzüglich")  # GDPR Art. 34: no fixed period
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "breach-register-record.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="LGPD").click()
    draft = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "Autoridade Nacional de Proteção de Dados (ANPD)" in draft and breach.reference in draft
    assert "Prazo desta comunicação" in draft and "Ein Export mit 40 Nachrichten" in draft
