"""The "contact us on WhatsApp" snippet: the wa.me link, the hours in the reader's language, the response time
it may promise, what is stored and for how long, Meta's part, the privacy statement; or what is missing."""

import re
from html.parser import HTMLParser

import pytest

from consent.tests.factories import CONTRACT, PurposeFactory
from contactcenter.models import Controller
from contactcenter.snippet import SnippetMissing, contact_snippet, response_words

pytestmark = pytest.mark.django_db

NAME = {
    "en": "Answering your requests", "de": "Beantwortung Ihrer Anfragen", "nl": "Beantwoording van uw vragen",
    "it": "Risposta alle sue richieste", "pt-br": "Atendimento às suas solicitações",
}  # fmt: skip
DESCRIPTION = {
    "en": "We process your messages to answer the questions you send us and to handle your orders.",
    "de": "Wir verarbeiten Ihre Nachrichten, um Ihre Fragen zu beantworten und Ihre Bestellungen abzuwickeln.",
    "nl": "We verwerken uw berichten om uw vragen te beantwoorden en uw bestellingen af te handelen.",
    "it": "Trattiamo i suoi messaggi per rispondere alle sue domande e gestire i suoi ordini.",
    "pt-br": "Tratamos suas mensagens para responder às suas perguntas e atender aos seus pedidos.",
}
HOURS = {d: ["09:00", "17:00"] for d in ("mon", "tue", "wed", "thu", "fri")} | {"sat": ["10:00", "14:00"]}


@pytest.fixture
def shop(settings):
    settings.PUBLIC_BASE_URL = "https://help.shop.example"
    settings.CONTROLLER_TIME_ZONE = "Europe/Berlin"
    PurposeFactory(code="customer-service", name=NAME, description=DESCRIPTION, legal_bases=dict(CONTRACT))
    controller = Controller(
        name="Demo Shop GmbH", address="Musterstraße 1, 10115 Berlin", email="hello@shop.example",
        dpo_name="Dana Datenschutz", dpo_email="dpo@shop.example", whatsapp_number="+49 30 1234567",
        business_hours=HOURS, response_hours=2,
    )  # fmt: skip
    controller.full_clean()
    controller.save()
    return controller


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def _sentences(html: str) -> set[str]:
    """The snippet's sentences and their clauses, without what stays the same in every language: names,
    numbers, times, zones. Two words or more: a clause left in English is found, not only a whole sentence."""
    parser = _Text()
    parser.feed(html)
    found = set()
    for part in parser.parts:
        for proper in ("WhatsApp", "Meta", "Europe/Berlin", "Demo Shop GmbH"):
            part = part.replace(proper, " ")
        part = re.sub(r"a\.m\.|p\.m\.|noon|[\d+–]", " ", part)
        for clause in re.split(r"[.:;,!?()]", part):
            words = " ".join(clause.split()).lower()
            if len(words.split()) > 1:
                found.add(words)
    return found


def test_the_snippet_links_to_whatsapp_and_says_what_happens(shop):
    html = contact_snippet("en")
    assert 'href="https://wa.me/49301234567"' in html  # digits only
    text = _text(html)
    assert "Write to us on WhatsApp: +49 30 1234567" in text
    assert "Monday–Friday: 9 a.m.–5 p.m." in text and "Saturday: 10 a.m.–2 p.m." in text
    assert "Times in the time zone Europe/Berlin." in text and "Closed: Sunday." in text
    assert (
        "We usually answer within 2 hours during these hours; messages outside them are answered on the next "
        "business day." in text
    )
    assert "we store your messages and your phone number" in text and DESCRIPTION["en"] in text
    assert "We keep the messages for 6 months (180 days), counted from: when the conversation was resolved." in text
    assert "Meta" in text and "metadata" in text
    assert 'href="https://help.shop.example/privacy/statement/?lang=en"' in html
    assert "<script" not in html and "<link" not in html and 'style="' in html


def test_the_snippet_is_escaped(shop):
    shop.business_hours = {"mon": ["09:00", "17:00"]}
    shop.save()
    PurposeFactory._meta.model.objects.filter(code="customer-service").update(
        description={**DESCRIPTION, "en": '<img src=x onerror="alert(1)"> We answer you.'}
    )
    html = contact_snippet("en")
    assert "<img" not in html and "&lt;img" in html


def test_the_german_snippet_speaks_german_only(shop):
    english, german = contact_snippet("en"), contact_snippet("de")
    text = _text(german)
    assert "Montag–Freitag: 09:00–17:00" in text and "Samstag: 10:00–14:00" in text and "Sonntag" in text
    assert "?lang=de" in german and 'lang="de"' in german
    assert _sentences(german) and not _sentences(german) & _sentences(english)
    for language in ("nl", "it", "pt-br"):
        assert not _sentences(contact_snippet(language)) & _sentences(english), language


def test_the_response_time_promises_no_more_than_the_hours_allow():
    assert response_words({"mon": ["09:00", "17:00"]}, 1).startswith("We usually answer within an hour during")
    assert "within 10 business hours" in response_words({"mon": ["09:00", "17:00"]}, 10)


def test_without_a_number_there_is_no_snippet_but_what_is_missing(shop, dpo_client):
    shop.whatsapp_number = ""
    shop.business_hours = {}
    shop.save()
    with pytest.raises(SnippetMissing) as missing:
        contact_snippet("en")
    assert missing.value.missing == ["the WhatsApp business number", "the business hours"]
    page = dpo_client.get("/dpo/snippet/?lang=de").content.decode()
    assert "die WhatsApp-Business-Nummer" in page and "wa.me" not in page


def test_the_staff_page_previews_and_offers_the_html_to_copy(shop, dpo_client):
    page = dpo_client.get("/dpo/snippet/?lang=it")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("https://wa.me/49301234567") == 2  # the preview's link, and inside the textarea
    assert "<textarea" in html and "readonly" in html and "&lt;a href=&quot;https://wa.me/49301234567" in html
    assert "Lunedì" in html or "lunedì" in html
