"""The generated privacy statement: complete for every GDPR Art. 13 and LGPD Art. 9 item, in every language and
jurisdiction, written in the reader's language, frozen once published, and refused while anything is missing."""

import json
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.utils import translation

from consent import services as consent_services
from consent.jurisdictions import JURISDICTIONS, LANGUAGES
from consent.keywords import opt_out_word
from consent.ledger import ledger_verify
from consent.models import ConsentChannel, PrivacyNotice, Purpose
from consent.rights import REFERENCES
from contactcenter.models import Controller, Recipient, SupervisoryAuthority
from contactcenter.programme import programme_facts
from contactcenter.statements import (
    REQUIREMENTS,
    StatementIncomplete,
    StatementUnchanged,
    _cite,
    days_in_words,
    facts_digest,
    item_slug,
    msgids_recorded,
    reconsent_needed,
    statement_build,
    statement_missing,
    statement_preview,
    statement_publish,
)
from retention.models import RetentionRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses otherwise (public passwords)
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    settings.DEBUG = False
    return programme_facts()


class _Sections(HTMLParser):
    """The text of each <section>, keyed by the items of its data-items attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.by_item: dict[str, str] = {}
        self._items: list[str] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self._items, self._text = (dict(attrs).get("data-items") or "").split(), []

    def handle_endtag(self, tag):
        if tag == "section" and self._items is not None:
            for item in self._items:
                self.by_item[item] = self.by_item.get(item, "") + " ".join(self._text)
            self._items = None

    def handle_data(self, data):
        if self._items is not None:
            self._text.append(data)


def _sections(html: str) -> dict[str, str]:
    parser = _Sections()
    parser.feed(html)
    return parser.by_item


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_demo_statement_answers_every_item_in_every_language_and_jurisdiction(demo):
    controller, authority_gdpr = Controller.current(), SupervisoryAuthority.objects.get(jurisdiction="GDPR")
    anpd = SupervisoryAuthority.objects.get(jurisdiction="LGPD")
    meta = Recipient.objects.get(name__startswith="Meta")
    purposes = list(Purpose.objects.filter(active=True))
    rules = list(RetentionRule.objects.exclude(clock="nothing_else_kept"))
    assert statement_missing(demo) == []
    for code, regime in JURISDICTIONS.items():
        for language in LANGUAGES:
            html = statement_preview(code, language, demo)
            found = {item: _flat(text) for item, text in _sections(html).items()}
            need = {item_slug(code, item) for item in REQUIREMENTS[code]}
            assert need <= set(found), (code, language, need - set(found))

            def section(item: str, code: str = code, found: dict = found) -> str:
                return found[item_slug(code, item)]

            with translation.override(language):
                periods = {rule.category: days_in_words(rule.period_days) for rule in rules}
            if code == "GDPR":
                who, dpo, why, interest = (
                    section("13(1)(a)"),
                    section("13(1)(b)"),
                    section("13(1)(c)"),
                    section("13(1)(d)"),
                )
                assert controller.name in who and controller.email in who and "Berlin" in who
                assert controller.dpo_email in dpo
                shared, abroad, kept = section("13(1)(e)"), section("13(1)(f)"), section("13(2)(a)")
                rights, withdraw = section("13(2)(b)"), section("13(2)(c)")
                complain, oblige, automated = section("13(2)(d)"), section("13(2)(e)"), section("13(2)(f)")
                assert meta.name in abroad and "2023/1795" in abroad  # Meta's onward transfer under the DPF
                assert re.search(r"(?i)art\.\s*22\b", automated)
                assert authority_gdpr.name in complain and authority_gdpr.website in complain
            else:
                who, dpo, why = section("9 III"), section("41 §1"), section("9 I")
                interest, shared, kept, rights = why, section("9 V"), section("9 II"), section("9 VII")
                withdraw = complain = oblige = rights
                assert controller.name in section("9 IV") and controller.email in section("9 IV")
                assert controller.name in section("9 VI")
                assert anpd.name in complain and anpd.website in complain
                assert re.search(r"(?i)art\.\s*18,?\s*I\b", rights)  # confirmation of the processing
            assert controller.name in who
            assert controller.encarregado[1] in dpo
            for purpose in purposes:
                basis = regime.basis(purpose.legal_bases[code])
                with translation.override(language):
                    citation = _cite(basis.citation)
                assert purpose.localized("name", language) in why and citation in why
                assert purpose.localized("description", language) in why
                with translation.override(language):
                    assert str(basis.label) in why
                if basis.is_legitimate_interest:
                    assert purpose.legitimate_interest[language] in interest
                if basis.is_consent:
                    assert purpose.localized("name", language) in oblige
            assert meta.name in shared and meta.service[language] in shared
            for rule in rules:
                assert periods[rule.category] in kept, (code, language, rule.category)
                assert _flat(rule.legal_reason[language]) in kept
            with translation.override(language):
                for right in ("access", "rectification", "erasure", "restriction", "objection", "portability"):
                    assert _cite(REFERENCES[right][code]) in rights
                assert opt_out_word(language) in withdraw and _cite(REFERENCES["withdrawal"][code]) in withdraw
            assert f"/privacy/?lang={language}" in rights


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_sentence_of_the_statement_has_its_own_translation(demo, language):
    """Each msgid the generator used is translated in the catalogue, and no English sentence is left in the
    text (proper names, addresses and the DPO's own per-language texts aside)."""
    with msgids_recorded() as used:
        for code in JURISDICTIONS:
            statement_build(demo, code, language)
    assert len(used) > 60
    with translation.override(language):
        untranslated = sorted(msgid for msgid in used if translation.gettext(msgid) == msgid)
    assert untranslated == []
    for code in JURISDICTIONS:
        english = statement_build(demo, code, "en").text()
        other = statement_build(demo, code, language).text()
        sentences = {s.strip() for s in re.split(r"(?<=[.:;])\s+|\n", english) if len(re.findall(r"[a-z]{4,}", s)) >= 3}
        # What the DPO typed (names, addresses, a service's product name) is data, the same in every language.
        data = json.dumps(demo, ensure_ascii=False)
        left = [s for s in sentences if s in other and s.removeprefix("- ").strip() not in data]
        assert left == [], (code, language, left)


def test_the_completeness_check_names_each_missing_item(demo):
    Controller.objects.filter(pk=1).update(dpo_email="")
    SupervisoryAuthority.objects.filter(jurisdiction="GDPR").delete()
    Recipient.objects.filter(name__startswith="Meta").update(last_reviewed=None)
    quality = Purpose.objects.get(code="service-quality")
    quality.legitimate_interest = {k: v for k, v in quality.legitimate_interest.items() if k != "nl"}
    quality.save()
    marketing = Purpose.objects.get(code="marketing-whatsapp")
    marketing.description = {**marketing.description, "it": " "}
    Purpose.objects.filter(pk=marketing.pk).update(description=marketing.description)  # as an older row could be
    RetentionRule.objects.filter(category="media").delete()
    missing = {(m.jurisdiction, m.item, m.language) for m in statement_missing(programme_facts())}
    assert ("GDPR", "13(1)(b)", "") in missing
    assert ("GDPR", "13(2)(d)", "") in missing
    assert ("LGPD", "9 VII", "") not in missing  # the ANPD is still there
    assert ("GDPR", "13(1)(f)", "") in missing and ("LGPD", "9 V", "") in missing
    assert ("GDPR", "13(1)(d)", "nl") in missing and ("GDPR", "13(1)(d)", "de") not in missing
    assert ("GDPR", "13(1)(c)", "it") in missing and ("LGPD", "9 I", "it") in missing
    assert ("GDPR", "13(2)(a)", "") in missing and ("LGPD", "9 II", "") in missing
    before = PrivacyNotice.objects.count()
    with pytest.raises(StatementIncomplete) as refused:
        statement_publish(actor=None)
    assert "13(1)(b)" in str(refused.value) and "media" in str(refused.value)
    assert PrivacyNotice.objects.count() == before


def test_without_a_controller_every_identity_item_is_named(db):
    missing = {(m.jurisdiction, m.item) for m in statement_missing(programme_facts())}
    assert {
        ("GDPR", "13(1)(a)"),
        ("GDPR", "13(1)(b)"),
        ("LGPD", "9 III"),
        ("LGPD", "9 IV"),
        ("LGPD", "41 §1"),
    } <= missing
    assert ("GDPR", "13(1)(c)") in missing  # no purpose at all


def test_archived_versions_stay_byte_identical_and_the_current_one_shows_the_change(demo, client):
    first = client.get("/privacy/statement/?lang=nl")
    assert first.status_code == 200 and first["Content-Language"] == "nl"
    version = PrivacyNotice.objects.filter(language="nl", jurisdiction="GDPR").latest("version").version
    archived = client.get(f"/privacy/statement/{version}/?lang=nl&jurisdiction=GDPR").content
    assert archived == first.content
    messages = RetentionRule.objects.get(category="messages")
    messages.period_days = 90
    messages.save()
    Controller.objects.filter(pk=1).update(name="Demo Shop Europe GmbH")
    statement_publish(actor=None)
    assert client.get(f"/privacy/statement/{version}/?lang=nl&jurisdiction=GDPR").content == archived
    current = client.get("/privacy/statement/?lang=nl").content.decode()
    with translation.override("nl"):
        assert days_in_words(90) in current and days_in_words(90) not in archived.decode()
    assert "Demo Shop Europe GmbH" in current
    newest = PrivacyNotice.objects.filter(language="nl", jurisdiction="GDPR").latest("version")
    assert (
        newest.version == version + 1 and newest.document.encode() == client.get("/privacy/statement/?lang=nl").content
    )
    assert client.get("/privacy/statement/?lang=nl")["X-Notice-Content-Hash"] == newest.content_hash
    assert ledger_verify().problem is None  # the published documents are part of the hashes the ledger checks


def test_a_published_version_cannot_be_altered_unnoticed(demo):
    notice = PrivacyNotice.objects.filter(published_at__isnull=False).exclude(document="").first()
    PrivacyNotice.objects.filter(pk=notice.pk).update(document=notice.document.replace("Demo", "Demo "))
    assert "altered" in ledger_verify().problem.reason


def test_the_statement_pages_choose_language_and_jurisdiction(demo, client):
    assert client.get("/privacy/statement/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")["Content-Language"] == "de"
    lgpd = client.get("/privacy/statement/?jurisdiction=lgpd&lang=pt-br")
    assert lgpd.status_code == 200 and "LGPD" in lgpd.content.decode() and "ANPD" in lgpd.content.decode()
    assert client.get("/privacy/statement/?jurisdiction=CCPA").status_code == 404
    assert client.get("/privacy/statement/999/").status_code == 404
    assert "Accept-Language" in client.get("/privacy/statement/")["Vary"]
    # The links consent messages and earlier pages carry keep working.
    notice = PrivacyNotice.objects.filter(language="it", jurisdiction="GDPR").latest("version")
    assert client.get(f"/privacy/notices/{notice.pk}/").content == notice.document.encode()
    assert client.get("/privacy/GDPR/it/").content == notice.document.encode()
    page = notice.document
    assert "@media print" in page and "<script" not in page


def test_a_hand_written_notice_is_still_served_from_its_template(client, notices):
    response = client.get("/privacy/statement/?lang=de")
    assert response.status_code == 200 and notices[("GDPR", "de")].text in response.content.decode()


def test_consent_given_under_an_older_description_is_counted_for_asking_again(demo):
    marketing = Purpose.objects.get(code="marketing-whatsapp")
    subject = consent_services.subject_get_or_create_by_contact(kind="whatsapp", value="+4915550000099", actor=None)[0]
    consent_services.consent_request(subject=subject, purpose=marketing, channel=ConsentChannel.WHATSAPP)
    consent_services.consent_confirm(
        subject=subject, purpose=marketing, channel=ConsentChannel.WHATSAPP,
        evidence=consent_services.Evidence(keyword="YES"),
    )  # fmt: skip
    # The demo's confirmed customer consented under the generated version, so nothing is owed yet.
    assert reconsent_needed() == []
    marketing.description = {**marketing.description, "en": "Offers and news, now also by e-mail."}
    marketing.save()
    concerned = reconsent_needed()
    assert [(r.purpose, r.customers) for r in concerned] == [("marketing-whatsapp", 2)]
    statement_publish(actor=None)
    assert reconsent_needed()[0].customers == 2  # still under the older version until they are asked again


def test_the_dpo_previews_the_difference_and_publishes(demo, dpo_client):
    rule = RetentionRule.objects.get(category="media")
    rule.period_days = 14
    rule.save()
    page = dpo_client.get("/admin/contactcenter/controller/statement/?jurisdiction=GDPR&lang=de").content.decode()
    with translation.override("de"):
        assert re.search(r'class="added">[^<]*' + re.escape(days_in_words(14)), page)
        assert re.search(r'class="removed">[^<]*' + re.escape(days_in_words(30)), page)
    before = PrivacyNotice.objects.count()
    digest = re.search(r'name="digest" value="(\w+)"', page).group(1)
    response = dpo_client.post("/admin/contactcenter/controller/statement/", {"digest": digest}, follow=True)
    assert response.status_code == 200
    assert PrivacyNotice.objects.count() == before + len(JURISDICTIONS) * len(LANGUAGES)
    versions = set(
        PrivacyNotice.objects.order_by("-id")[: len(JURISDICTIONS) * len(LANGUAGES)].values_list("version", flat=True)
    )
    assert len(versions) == 1


def test_the_statement_page_refuses_who_may_not_see_or_publish(demo, client, agent, nobody):
    url = "/admin/contactcenter/controller/statement/"
    assert client.get(url).status_code == 302  # to the login
    nobody.is_staff = True
    nobody.save()
    client.force_login(nobody)
    assert client.get(url).status_code == 403
    # Agents may read the statement's preview (it is public once published) but not publish it.
    agent.is_staff = True
    agent.save()
    client.force_login(agent)
    page = client.get(url)
    assert page.status_code == 200 and "Publish a new version" not in page.content.decode()
    before = PrivacyNotice.objects.count()
    assert client.post(url).status_code == 403
    assert PrivacyNotice.objects.count() == before


def test_publishing_refused_in_the_admin_names_what_is_missing(demo, dpo_client):
    Controller.objects.filter(pk=1).update(dpo_email="")
    before = PrivacyNotice.objects.count()
    digest = facts_digest(programme_facts())
    page = dpo_client.post("/admin/contactcenter/controller/statement/", {"digest": digest}, follow=True)
    page = page.content.decode()
    assert PrivacyNotice.objects.count() == before
    assert "13(1)(b)" in page and 'id="missing"' in page


def test_demo_data_is_published_once(demo, settings):
    count = PrivacyNotice.objects.count()
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert PrivacyNotice.objects.count() == count == len(JURISDICTIONS) * len(LANGUAGES)
    assert not PrivacyNotice.objects.filter(document="").exists()
    assert Recipient.objects.get(name__startswith="Meta").last_reviewed == date.today()


def test_publishing_refuses_a_repeat_and_what_the_dpo_did_not_preview(demo, dpo_client):
    url = "/admin/contactcenter/controller/statement/"
    before = PrivacyNotice.objects.count()
    with pytest.raises(StatementUnchanged):
        statement_publish(actor=None)
    page = dpo_client.post(url, {"digest": facts_digest(programme_facts())}, follow=True).content.decode()
    assert PrivacyNotice.objects.count() == before and 'class="error"' in page
    digest = facts_digest(programme_facts())
    rule = RetentionRule.objects.get(category="media")
    rule.period_days = 14
    rule.save()  # changed after the DPO looked: publishing what she did not see is refused
    dpo_client.post(url, {"digest": digest})
    assert PrivacyNotice.objects.count() == before
    dpo_client.post(url, {"digest": facts_digest(programme_facts())})
    assert PrivacyNotice.objects.count() == before + len(JURISDICTIONS) * len(LANGUAGES)


def test_each_regime_judges_transfers_by_its_own_instruments(demo):
    Recipient(
        name="Hospedagem Paulista Ltda.", service=dict.fromkeys(LANGUAGES, "hosting"), country="BR",
        transfer_mechanism="scc", lgpd_transfer_mechanism="none", last_reviewed=date.today(),
    ).save()  # fmt: skip
    facts = programme_facts()
    assert statement_missing(facts) == []
    lgpd = _flat(_sections(statement_preview("LGPD", "en", facts))[item_slug("LGPD", "9 V")])
    gdpr = _flat(_sections(statement_preview("GDPR", "en", facts))[item_slug("GDPR", "13(1)(f)")])
    # Meta: the EU's Data Privacy Framework for the GDPR, the ANPD's clauses for the LGPD.
    assert "2023/1795" in gdpr and "2023/1795" not in lgpd and "19/2024" in lgpd
    # Brazilian hosting is a transfer under the GDPR, none under the LGPD.
    assert "Hospedagem Paulista Ltda., Brazil" in gdpr and "Hospedagem Paulista Ltda., Brazil" not in lgpd
    Recipient.objects.filter(name__startswith="Meta").update(lgpd_transfer_mechanism="")
    missing = {(m.jurisdiction, m.item) for m in statement_missing(programme_facts())}
    assert ("LGPD", "9 V") in missing and ("GDPR", "13(1)(f)") not in missing


def test_a_shorter_retention_period_or_a_new_processor_is_a_change_to_tell(demo):
    marketing = Purpose.objects.get(code="marketing-whatsapp")
    assert reconsent_needed() == []
    rule = RetentionRule.objects.get(category="messages")
    rule.period_days = 90
    rule.save()
    assert [(r.purpose, r.customers) for r in reconsent_needed()] == [(marketing.code, 1)]
    rule.period_days = 180
    rule.save()
    assert reconsent_needed() == []
    Recipient(
        name="Mailer GmbH", service=dict.fromkeys(LANGUAGES, "sends e-mails"), country="DE",
        transfer_mechanism="none", lgpd_transfer_mechanism="scc", last_reviewed=date.today(),
    ).save()  # fmt: skip
    assert [r.customers for r in reconsent_needed()] == [1]


def test_the_preview_counts_those_to_ask_again_in_the_dpo_language(demo, dpo_client):
    marketing = Purpose.objects.get(code="marketing-whatsapp")
    marketing.description = {**marketing.description, "de": "Angebote per WhatsApp und E-Mail."}
    marketing.save()
    with translation.override("en"):  # the request activates German; the tests after it stay in English
        page = dpo_client.get("/admin/contactcenter/controller/statement/", HTTP_ACCEPT_LANGUAGE="de")
    page = page.content.decode()
    assert 'id="reconsent"' in page and marketing.name["de"] in page
