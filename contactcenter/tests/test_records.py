"""The records of processing activities (GDPR Art. 30(1)), generated from the configuration: every letter with
its facts, what is missing said so, the spreadsheet safe to open, the pages for the DPO alone."""

import csv
import io

import pytest

from consent.declarations import CATEGORY_NAMES
from consent.tests.factories import PurposeFactory, UserFactory
from contactcenter import roles
from contactcenter.models import Controller, Recipient
from contactcenter.records import period_words, records_of_processing, spreadsheet_safe, stored_categories
from retention.models import RetentionRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(settings):
    settings.WHATSAPP_PHONE_NUMBER_ID = "106540352242922"
    settings.SENSITIVE_SCAN_ENABLED = True
    Controller(
        name="Demo Shop GmbH", address="Musterstraße 1\n10115 Berlin", email="hello@shop.example",
        dpo_name="Dana Datenschutz", dpo_email="dpo@shop.example",
    ).save()  # fmt: skip
    PurposeFactory(code="customer-service", label="Answering requests", about="We answer you", contract=True)
    hosting = Recipient(
        name="Cloud Hosting Inc.", role="processor", country="US", transfer_mechanism="dpf",
        service={"en": "hosts our servers", "de": "betreibt unsere Server"}, data_categories=["messages"],
    )  # fmt: skip
    hosting.full_clean()
    hosting.save()
    return hosting


def _record(language: str = "en") -> dict:
    (record,) = records_of_processing(language=language)
    return record


def test_each_letter_of_article_30_holds_its_facts(programme):
    record = _record()
    # (a) the controller and the DPO, with their contact details
    assert "Demo Shop GmbH" in record["a"]["controller"] and "Musterstraße 1, 10115 Berlin" in record["a"]["controller"]
    assert record["a"]["dpo"] == "Dana Datenschutz; dpo@shop.example"
    # (b) the purpose and its legal basis in each jurisdiction: the citation and its label
    assert record["b"]["purpose"] == "Answering requests (en)"
    texts = [basis["text"] for basis in record["b"]["bases"]]
    assert texts == [
        "GDPR: Art. 6(1)(b) GDPR – Performance of a contract",
        "LGPD: Art. 7, V LGPD – Performance of a contract",
    ]
    # (c) the customers on the channels in use; the categories the registry stores, in words
    assert record["c"]["subjects"] == ["Customers who write to us on WhatsApp"]
    assert str(CATEGORY_NAMES["messages"]) in [data["name"] for data in record["c"]["data"]]
    assert [data["category"] for data in record["c"]["data"]] == stored_categories()
    # (d) who receives what, in what role, for what
    recipients = {r["name"]: r for r in record["d"]}
    assert recipients["Cloud Hosting Inc."]["service"] == "hosts our servers"
    assert recipients["Cloud Hosting Inc."]["role"] == "Processor: acts on our instructions"
    assert recipients["Cloud Hosting Inc."]["categories"] == [str(CATEGORY_NAMES["messages"])]
    # (e) a recipient in the US is a transfer, on the Data Privacy Framework; Meta (IE) transfers onward
    transfers = {t["name"]: t for t in record["e"]}
    assert transfers["Cloud Hosting Inc."]["country"] == "US" and not transfers["Cloud Hosting Inc."]["onward"]
    assert "EU-US Data Privacy Framework" in transfers["Cloud Hosting Inc."]["text"]
    assert transfers["Meta Platforms Ireland Ltd."]["onward"]
    # (f) the messages' rule: its period in words, its clock, its action
    limits = {limit["category"]: limit for limit in record["f"]}
    assert (limits["messages"]["period"], limits["messages"]["clock"], limits["messages"]["action"]) == (
        "6 months (180 days)", "when the conversation was resolved", "Delete",
    )  # fmt: skip
    assert limits["consent_evidence"]["period"] == "3 years (1095 days)"
    assert limits["consent_evidence"]["action"].startswith("Anonymise")
    # (g) the measures that run
    measures = " ".join(record["g"])
    for running in ("AES-256-GCM", "hash-chained", "django-simple-history", "Staff access log", "Least privilege",
                    "Sensitive-data guard"):  # fmt: skip
        assert running in measures, running


def test_a_rule_changed_shows_in_the_record(programme):
    RetentionRule.objects.filter(category="messages").update(period_days=365)
    limits = {limit["category"]: limit for limit in _record()["f"]}
    assert limits["messages"]["period"] == "one year (365 days)"
    assert period_words(0) == "no time at all: at that moment"
    assert period_words(7) == "7 days" and period_words(1) == "one day" and period_words(30) == "one month (30 days)"


def test_measures_are_said_only_when_they_run(programme, settings):
    settings.SENSITIVE_SCAN_ENABLED = False
    assert "Sensitive-data guard" not in " ".join(_record()["g"])


def test_what_is_missing_is_said(programme, settings):
    settings.WHATSAPP_PHONE_NUMBER_ID = ""
    Controller.objects.all().delete()
    record = _record("de")  # the hosting company wrote no Dutch, Italian or Portuguese service; German it did
    assert record["a"]["controller"] == "nicht erfasst" and record["a"]["dpo"] == "nicht erfasst"
    assert "nicht erfasst" in record["c"]["subjects"][0]
    assert {r["name"]: r["service"] for r in record["d"]}["Cloud Hosting Inc."] == "betreibt unsere Server"
    dutch = {r["name"]: r["service"] for r in _record("nl")["d"]}
    assert dutch["Cloud Hosting Inc."] == "niet vastgelegd in deze taal"
    Controller(name="Demo Shop GmbH", address="Berlin", email="hello@shop.example", dpo_name="Dana").save()
    assert _record()["a"]["dpo"] == "Dana; e-mail address not recorded"


def test_the_record_speaks_german(programme):
    record = _record("de")
    assert record["b"]["bases"][0]["label"] == "Vertragserfüllung"
    limits = {limit["category"]: limit for limit in record["f"]}
    assert limits["messages"]["period"] == "6 Monate (180 Tage)"
    assert limits["messages"]["action"] == "Löschen"


# --- the pages ---------------------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def test_the_spreadsheet_has_a_row_per_activity_and_category(programme, dpo_client):
    PurposeFactory(code="marketing-whatsapp", label="Offers", about="Offers on WhatsApp", is_marketing=True)
    response = dpo_client.get("/dpo/records.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    header, *rows = _csv(response)
    assert header[0] == "Processing activity" and len({len(row) for row in [header, *rows]}) == 1
    assert {h[:3] for h in header[1:]} == {"(a)", "(b)", "(c)", "(d)", "(e)", "(f)", "(g)"}
    assert len(rows) == 2 * len(stored_categories())
    column = {name: i for i, name in enumerate(header)}
    messages = next(
        r for r in rows if r[0] == "Answering requests (en)" and r[column["(c) Category of personal data"]]
        == str(CATEGORY_NAMES["messages"])
    )  # fmt: skip
    assert messages[column["(f) Time limit for erasure"]] == "6 months (180 days)"
    assert "Cloud Hosting Inc." in messages[column["(d) Recipients"]]
    assert "US: The EU-US Data Privacy Framework" in messages[column["(e) Transfers to third countries"]]
    offers = next(r for r in rows if r[0] == "Offers (en)")
    assert "only those who gave their consent" in offers[column["(c) Categories of data subjects"]]


def test_the_spreadsheet_header_in_german_and_cells_safe_from_formulas(programme, dpo_client):
    programme.name = '=HYPERLINK("https://evil.example","click")'
    programme.save()
    header, *rows = _csv(dpo_client.get("/dpo/records.csv?lang=de"))
    assert header[0] == "Verarbeitungstätigkeit" and "(b) Rechtsgrundlage" in header
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    messages = next(row for row in rows if row[header.index("(c) Kategorie personenbezogener Daten")]
                    == "Die Nachrichten, die Sie mit uns ausgetauscht haben")  # fmt: skip
    assert messages[header.index("(d) Empfänger")].startswith("'=HYPERLINK")  # shown as text, never run
    assert spreadsheet_safe("=1+1") == "'=1+1" and spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-2") == "'-2" and spreadsheet_safe("+2") == "'+2" and spreadsheet_safe("ok") == "ok"


def test_the_page_is_the_admins_printable_and_in_the_language_chosen(programme, dpo_client):
    page = dpo_client.get("/dpo/records/?lang=de")
    assert page.status_code == 200
    html = page.content.decode()
    assert "breadcrumbs" in html and "Verzeichnis von Verarbeitungstätigkeiten" in html and "@media print" in html
    assert "6 Monate (180 Tage)" in html and "Cloud Hosting Inc." in html
    for code in ("en", "de", "nl", "it", "pt-br"):
        assert f'href="?lang={code}"' in html
    assert "/dpo/records.csv?lang=de" in html
    listing = dpo_client.get("/admin/contactcenter/recipient/").content.decode()
    assert 'href="/dpo/records/"' in listing and 'href="/dpo/snippet/"' in listing


@pytest.mark.parametrize("path", ["/dpo/records/", "/dpo/records.csv", "/dpo/snippet/"])
def test_only_the_dpo_may_see_them(programme, client, agent, path):
    anonymous = client.get(path)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/admin/login/?next=")
    client.force_login(agent)
    refused = client.get(path)
    assert refused.status_code == 403 and "Demo Shop" not in refused.content.decode()
    client.force_login(UserFactory(username="supervisor1", role=roles.SUPERVISOR, is_staff=True))
    assert client.get(path).status_code == 403
    client.force_login(UserFactory(username="dpo2", role=roles.DPO, is_staff=True))
    assert client.get(path).status_code == 200
