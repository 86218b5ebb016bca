"""The chat's request detector (no Django, no database): which messages the inbox suggests recording as a
subject request, of which kind, and which it must leave alone."""

import pytest

from consent import request_intents
from consent.request_intents import LANGUAGES, RequestSuggestion, request_suggested, request_suggestion
from consent.request_phrases.templating import anchors, fold, regex
from consent.rights import REFERENCES, Right, reference

ACCESS = Right.ACCESS
PORTABILITY = Right.PORTABILITY
ERASURE = Right.ERASURE
RECTIFICATION = Right.RECTIFICATION
RESTRICTION = Right.RESTRICTION
OBJECTION = Right.OBJECTION
WITHDRAWAL = Right.WITHDRAWAL

# (message, the right suggested) per conversation language.
POSITIVES: dict[str, list[tuple[str, Right]]] = {
    "en": [
        ("Please delete my data", ERASURE),
        ("pls delete all my data!!", ERASURE),
        ("DELETE MY DATA NOW 😡", ERASURE),
        ("delet my data pls", ERASURE),
        ("hey can you erase my info? thx", ERASURE),
        ("Can you remove me from your database?", ERASURE),
        ("I'd like my data deleted asap", ERASURE),
        ("I want to delete my account", ERASURE),  # account deletion is erasure in practice
        ("how do I delete my account?", ERASURE),
        ("right to be forgotten", ERASURE),
        ("Under Art. 17 GDPR please erase my info", ERASURE),
        ("I want a copy of all the data you hold about me", ACCESS),
        ("I want to know what data you hold about me", ACCESS),
        ("what personal data do you have on me?", ACCESS),
        ("Please send me a copy of my personal data 🙏", ACCESS),
        ("I request access to my personal data", ACCESS),
        ("Subject access request", ACCESS),
        ("Please provide me with all the personal data you have collected about me", ACCESS),
        ("Can I get a copy of my data in a machine-readable format?", PORTABILITY),
        ("I want my data exported as CSV", PORTABILITY),
        ("please transfer my data to another company", PORTABILITY),
        ("can you export my data", PORTABILITY),
        ("correct my name", RECTIFICATION),
        ("my name is spelled wrong", RECTIFICATION),
        ("my address is incorrect, please fix it", RECTIFICATION),
        ("my surname is misspelt, can you correct it?", RECTIFICATION),
        ("my name isn't correct", RECTIFICATION),
        ("please restrict processing of my data", RESTRICTION),
        ("restrict the processing of my data", RESTRICTION),
        ("please limit the use of my data", RESTRICTION),
        ("stop using my data for marketing", OBJECTION),
        ("I object to the processing of my personal data", OBJECTION),
        ("don't use my data for advertising", OBJECTION),
        ("I want to opt out of data processing", OBJECTION),
        ("Stop processing my data!", OBJECTION),  # ending it is objecting; restricting needs restriction words
        ("I withdraw my consent", WITHDRAWAL),
        ("please revoke my consent", WITHDRAWAL),
        ("I no longer consent", WITHDRAWAL),
        # Two rights: the one asked for first.
        ("delete my data and send me a copy first", ERASURE),
        ("send me a copy of my data, then delete it", ACCESS),
        ("if you could delete my data that would be great", ERASURE),  # a polite condition is a request
    ],
    "de": [
        ("Bitte löschen Sie alle meine Daten", ERASURE),
        ("bitte loschen sie meine daten", ERASURE),
        ("meine daten loeschen bitte!!", ERASURE),
        ("Ich möchte, dass meine Daten gelöscht werden", ERASURE),
        ("Mein Kundenkonto bitte löschen", ERASURE),
        ("Ich beantrage die Löschung meiner personenbezogenen Daten", ERASURE),
        ("Löschen Sie mich aus Ihrer Datenbank", ERASURE),
        ("Recht auf Vergessenwerden", ERASURE),
        ("bitte alles löschen was sie über mich haben", ERASURE),
        ("DSGVO Löschung", ERASURE),
        ("Ich möchte eine Kopie meiner Daten", ACCESS),
        ("Auskunft nach Art. 15 DSGVO", ACCESS),
        ("Auskunft nach Art. 15", ACCESS),
        ("DSGVO Auskunft", ACCESS),
        ("welche Daten haben Sie über mich gespeichert", ACCESS),
        ("was haben sie alles über mich gespeichert?", ACCESS),
        ("Auskunftsersuchen nach DSGVO", ACCESS),
        ("Bitte senden Sie mir alle gespeicherten Daten zu meiner Person", ACCESS),
        ("Bitte meine Daten in einem maschinenlesbaren Format", PORTABILITY),
        ("Ich möchte meine Daten zu einem anderen Anbieter übertragen", PORTABILITY),
        ("Recht auf Datenübertragbarkeit", PORTABILITY),
        ("mein Name ist falsch geschrieben, bitte korrigieren", RECTIFICATION),
        ("Bitte korrigieren Sie meinen Nachnamen", RECTIFICATION),
        ("Meine Adresse stimmt nicht", RECTIFICATION),
        ("Meine E-Mail-Adresse ist falsch hinterlegt", RECTIFICATION),
        ("Bitte schränken Sie die Verarbeitung meiner Daten ein", RESTRICTION),
        ("Einschränkung der Verarbeitung nach Art. 18 DSGVO", RESTRICTION),
        ("Bitte sperren Sie meine Daten", RESTRICTION),
        ("ich widerspreche der Verarbeitung meiner Daten", OBJECTION),
        ("Ich widerspreche der Nutzung meiner Daten zu Werbezwecken", OBJECTION),
        ("Nutzen Sie meine Daten nicht mehr für Werbung", OBJECTION),
        ("Ich möchte nicht, dass meine Daten für Werbung genutzt werden", OBJECTION),
        ("widerrufe meine Einwilligung", WITHDRAWAL),
        ("Hiermit widerrufe ich meine Einwilligung zur Werbung", WITHDRAWAL),
        ("Ich ziehe meine Zustimmung zurück", WITHDRAWAL),
        ("Einwilligung widerrufen bitte", WITHDRAWAL),
    ],
    "nl": [
        ("verwijder mijn gegevens", ERASURE),
        ("Verwijder al mijn gegevens alstublieft", ERASURE),
        ("verwijder aub al mijn gegevens 🙏", ERASURE),
        ("ik wil dat mijn gegevens verwijderd worden", ERASURE),
        ("Graag mijn account verwijderen", ERASURE),
        ("Ik wil graag dat u al mijn gegevens wist", ERASURE),
        ("Recht op vergetelheid", ERASURE),
        ("inzage in mijn gegevens", ACCESS),
        ("Mag ik een kopie van mijn gegevens?", ACCESS),
        ("Welke gegevens hebben jullie van mij?", ACCESS),
        ("inzageverzoek AVG", ACCESS),
        ("mijn gegevens in een machineleesbaar formaat graag", PORTABILITY),
        ("mijn naam is verkeerd gespeld", RECTIFICATION),
        ("mijn e-mailadres klopt niet, corrigeer het aub", RECTIFICATION),
        ("Ik wil de verwerking van mijn gegevens beperken", RESTRICTION),
        ("Ik maak bezwaar tegen de verwerking van mijn gegevens", OBJECTION),
        ("gebruik mijn gegevens niet meer voor reclame", OBJECTION),
        ("ik trek mijn toestemming in", WITHDRAWAL),
        ("toestemming intrekken", WITHDRAWAL),
    ],
    "it": [
        ("cancellate i miei dati", ERASURE),
        ("cancellare i miei dati personali", ERASURE),
        ("cancellate tutti i miei dati grazie", ERASURE),
        ("voglio che i miei dati vengano eliminati", ERASURE),
        ("cancellatemi dal vostro database", ERASURE),
        ("vorrei che cancellaste tutti i miei dati", ERASURE),
        ("diritto all'oblio", ERASURE),
        ("diritto all’oblio", ERASURE),
        ("Vorrei una copia dei miei dati", ACCESS),
        ("vorrei una copia dei miei dati pls", ACCESS),
        ("quali dati avete su di me?", ACCESS),
        ("Chiedo l'accesso ai miei dati personali", ACCESS),
        ("portabilità dei dati", PORTABILITY),
        ("il mio nome è scritto male", RECTIFICATION),
        ("chiedo la limitazione del trattamento", RESTRICTION),
        ("mi oppongo al trattamento", OBJECTION),
        ("non usate più i miei dati per pubblicità", OBJECTION),
        ("non voglio che usiate i miei dati per pubblicità", OBJECTION),
        ("revoco il consenso", WITHDRAWAL),
        ("ritiro il mio consenso al trattamento", WITHDRAWAL),
    ],
    "pt-br": [
        ("Quero apagar meus dados", ERASURE),
        ("excluir meus dados", ERASURE),
        ("quero excluir meus dados pfv", ERASURE),
        ("apaga meus dados por favor 🙏", ERASURE),
        ("gostaria que meus dados fossem excluidos", ERASURE),
        ("Por favor excluam minha conta", ERASURE),  # account deletion is erasure in practice
        ("solicito a exclusão dos meus dados pessoais", ERASURE),
        ("direito ao esquecimento", ERASURE),
        ("art. 18, VI, da LGPD", ERASURE),
        ("quais dados vocês têm sobre mim", ACCESS),
        ("quais dados vcs tem de mim", ACCESS),
        ("quero uma copia dos meus dados", ACCESS),
        ("me enviem meus dados por favor", ACCESS),
        ("portabilidade dos meus dados para outra empresa", PORTABILITY),
        ("quero transferir meus dados para outra empresa", PORTABILITY),
        ("meu nome está escrito errado", RECTIFICATION),
        ("meus dados estão errados", RECTIFICATION),  # their own data, unlike "meus dados do pedido"
        ("corrijam meu endereço por favor", RECTIFICATION),
        ("quero bloquear meus dados", RESTRICTION),
        ("bloqueio dos meus dados", RESTRICTION),
        ("opor-me ao tratamento", OBJECTION),
        ("me oponho ao tratamento dos meus dados", OBJECTION),
        ("parem de usar meus dados para propaganda", OBJECTION),
        ("não usem meus dados para marketing", OBJECTION),
        ("não quero mais que usem meus dados", OBJECTION),
        ("revogo meu consentimento", WITHDRAWAL),
        ("quero revogar o consentimento", WITHDRAWAL),
        ("nao autorizo mais", WITHDRAWAL),
    ],
}

# Messages that must not be suggested, per conversation language (and in no other language either).
NEGATIVES: dict[str, list[str]] = {
    "en": [
        "I deleted the app by mistake",
        "delete my last message please, typo",
        "delete the photo I sent",
        "can you send me a copy of my invoice",
        "copy of my contract please",
        "can I get a copy of my order details",
        "my data plan is used up",
        "remove my data roaming",
        "I ran out of data",
        "stop",
        "STOP!!",
        "stop sending me messages",
        "cancel my account",  # a contract matter, not erasure
        "change my address to 5 Main Street",  # routine account care, not rectification
        "update my phone number please",
        "correct the delivery address on my order",
        "Can you fix my number, it's not receiving calls",
        "send me my details again, I forgot my password",
        "don't delete my data",
        "did you delete my data?",
        "Do you delete my data when I cancel?",
        "if I delete my account will I lose my points?",
        "I lost access to my data",
        "transfer my data to my new phone",
        "I object to this charge",
        "I withdraw my application",
        "Are you GDPR compliant?",
        "delete my profile picture",
        "is my data safe with you?",
        "I accidentally deleted my account, can you restore it?",
        "please send me a copy of my last bill",
        "can you send my data to the courier so they can call me",
    ],
    "de": [
        "wie lösche ich die App",
        "Ich habe die App gelöscht",
        "Wie lösche ich eine Nachricht?",
        "Bitte löschen Sie das Foto",
        "Können Sie mir eine Kopie der Rechnung schicken?",
        "Kopie meines Vertrags bitte",
        "Die Daten des Termins stimmen nicht",
        "meine Daten stimmen nicht mit der Bestellung überein",
        "Meine mobilen Daten sind aufgebraucht",
        "STOPP",
        "Ich möchte meinen Vertrag kündigen",
        "Ich widerrufe den Kauf",
        "Widerspruch gegen die Rechnung",
        "Welche Daten brauchen Sie von mir?",
        "Ich möchte nicht, dass Sie meine Daten löschen",
        "löschen Sie meine Daten nicht",
        "Wenn Sie meine Daten löschen, verliere ich dann meine Punkte?",
        "Haben Sie meine Daten gelöscht?",
        "Ändern Sie bitte meine Adresse",
        "Ist Ihr Shop DSGVO-konform?",
        "Ich suche nach Artikel 15",
        "Bitte schicken Sie mir meine Zugangsdaten",
        "Ich brauche eine Auskunft über meine Bestellung",
        "Sind meine Daten bei Ihnen sicher?",
        "Mein Konto wurde gelöscht, warum?",
    ],
    "nl": [
        "Hoe verwijder ik de app?",
        "ik heb per ongeluk de app verwijderd",
        "verwijder mijn laatste bericht",
        "Kunt u een kopie van de factuur sturen?",
        "Kopie van mijn contract graag",
        "Mijn data is op",
        "De data van de levering kloppen niet",
        "mijn gegevens van de bestelling zijn fout",
        "Welke gegevens hebben jullie van mij nodig?",
        "Ik maak bezwaar tegen de factuur",
        "STOP",
        "Verwijder mijn gegevens niet",
        "Als u mijn gegevens verwijdert, verlies ik dan mijn punten?",
        "Heeft u mijn gegevens verwijderd?",
        "mijn adres wijzigen graag",
        "Zijn mijn gegevens veilig?",
        "Mijn account is verwijderd, waarom?",
    ],
    "it": [
        "ho cancellato l'app per sbaglio",
        "come si cancella un messaggio?",
        "cancellate l'ordine",
        "potete mandarmi una copia della fattura?",
        "i dati della carta sono sbagliati",
        "i miei dati di fatturazione sono sbagliati",
        "i miei dati mobili sono finiti",
        "cancellami",  # the consent keyword: handled by consent.keywords
        "basta",
        "se cancellate i miei dati perdo i punti?",
        "non cancellate i miei dati",
        "mi oppongo all'addebito",
        "quali dati vi servono da me?",
        "avete cancellato i miei dati?",
        "mandatemi i miei dati di accesso",
        "I miei dati sono al sicuro?",
        "Il mio account è stato cancellato, perché?",
    ],
    "pt-br": [
        "apaguei o app sem querer",
        "como apago uma mensagem?",
        "apaga essa foto",
        "quero uma copia da nota fiscal",
        "cópia do contrato por favor",
        "meus dados do pedido estão errados",  # about an order, not a correction of their data
        "os dados do cartão estão errados",
        "meus dados móveis acabaram",
        "PARAR",
        "quero cancelar minha conta",
        "se eu excluir minha conta perco os pontos?",
        "não apaguem meus dados",
        "apaga meus dados nao",
        "vocês seguem a LGPD?",
        "vocês apagaram meus dados?",
        "portabilidade do número",
        "não autorizo o débito",
        "me oponho à cobrança",
        "quais dados vocês precisam de mim?",
        "bloquear meu cartão",
        "me envia meus dados de acesso",
        "meus dados estão seguros?",
        "já mandei meus dados ontem",
        "minha conta foi excluída, por quê?",
    ],
}


def _positives() -> list:
    return [
        pytest.param(text, language, right, id=f"{language}: {text}")
        for language, rows in POSITIVES.items()
        for text, right in rows
    ]


def _negatives() -> list:
    return [
        pytest.param(text, language, id=f"{language}: {text}")
        for language, texts in NEGATIVES.items()
        for text in texts
    ]


@pytest.mark.parametrize(("text", "language", "right"), _positives())
def test_request_is_suggested(text: str, language: str, right: Right) -> None:
    assert request_suggested(text, language=language) == right


@pytest.mark.parametrize(("text", "language", "right"), _positives())
def test_the_language_only_orders_the_search(text: str, language: str, right: Right) -> None:
    assert request_suggested(text) == right
    for other in LANGUAGES:
        assert request_suggested(text, language=other) == right


@pytest.mark.parametrize(("text", "language"), _negatives())
def test_not_a_request(text: str, language: str) -> None:
    assert request_suggested(text, language=language) is None
    assert request_suggested(text) is None


def test_the_corpus_covers_every_language_and_right() -> None:
    for language in LANGUAGES:
        rights = {right for _, right in POSITIVES[language]}
        assert len(POSITIVES[language]) >= 8, language
        assert len(NEGATIVES[language]) >= 6, language
        assert {ERASURE, ACCESS} <= rights, language
        if language in ("en", "de", "pt-br"):
            assert rights == set(Right), language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("GDPR request", "en"),
        ("I'd like to exercise my GDPR rights", "en"),
        ("DSGVO-Anfrage", "de"),
        ("AVG verzoek", "nl"),
        ("richiesta GDPR", "it"),
        ("pedido LGPD", "pt-br"),
        ("Solicito com base no art. 18 da LGPD", "pt-br"),
        ("LGPD", "pt-br"),
        ("DSGVO!", "de"),
    ],
)
def test_a_request_under_a_law_without_its_kind_is_generic_access(text: str, language: str) -> None:
    suggestion = request_suggestion(text, language=language)
    assert suggestion is not None
    assert (suggestion.right, suggestion.generic) == (ACCESS, True)


def test_a_named_right_beats_a_generic_request() -> None:
    suggestion = request_suggestion("GDPR request: please delete my data", language="en")
    assert suggestion == RequestSuggestion(ERASURE, "en", 21, 35)


@pytest.mark.parametrize("text", ["LGPD?", "What is the GDPR?", "Is the app GDPR compliant", "", "   "])
def test_a_law_named_in_passing_is_nothing(text: str) -> None:
    assert request_suggestion(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bitte LÖSCHEN Sie meine Daten 🙏", "LÖSCHEN Sie meine Daten"),
        ("Grüße aus der Straße! Löschen Sie bitte meine Daten.", "Löschen Sie bitte meine Daten"),
        ("Olá!! Quero que apaguem TODOS os meus dados", "apaguem TODOS os meus dados"),
        ("ﬁne, then d\u200belete my data", "d\u200belete my data"),
        ("İstanbul here, please delete my data", "delete my data"),
    ],
)
def test_the_span_points_into_the_original_text(text: str, expected: str) -> None:
    suggestion = request_suggestion(text)
    assert suggestion is not None
    assert text[suggestion.start : suggestion.end] == expected


@pytest.mark.parametrize(
    ("text", "language", "matched"),
    [
        ("Please delete my data", "de", "en"),
        ("Hallo, bitte löschen Sie meine Daten", "en", "de"),
        ("delete meus dados", "en", "pt-br"),
        ("Quero apagar meus dados", "pt", "pt-br"),
        ("Quero apagar meus dados", "pt_BR", "pt-br"),
        ("Bitte löschen Sie meine Daten", "de-AT", "de"),
        ("verwijder mijn gegevens", "fr", "nl"),
        ("verwijder mijn gegevens", None, "nl"),
    ],
)
def test_other_languages_are_tried_when_the_conversations_finds_nothing(
    text: str, language: str | None, matched: str
) -> None:
    suggestion = request_suggestion(text, language=language)
    assert suggestion is not None
    assert suggestion.language == matched


def test_a_bare_citation_has_no_language() -> None:
    assert request_suggestion("Art. 17 GDPR") == RequestSuggestion(ERASURE, None, 0, 12)


@pytest.mark.parametrize(("right", "law"), [(right, law) for right in Right for law in ("GDPR", "LGPD")])
def test_each_legal_reference_is_read_as_its_right(right: Right, law: str) -> None:
    assert request_suggested(reference(right, law)) == right


@pytest.mark.parametrize(
    ("text", "right"),
    [
        ("Artikel 17 DSGVO", ERASURE),
        ("art. 17 del GDPR", ERASURE),
        ("Art 15 Abs. 3 DSGVO", ACCESS),
        ("Art. 20 AVG", PORTABILITY),
        ("artigo 18, inciso VI, da LGPD", ERASURE),
        ("LGPD art. 18 § 2º", OBJECTION),
        ("LGPD art. 18, IX", WITHDRAWAL),
        ("conforme art. 18, V", PORTABILITY),
        ("Art. 13 GDPR", None),  # information to be given, not a right to ask for
        ("Art. 7 DSGVO", None),  # conditions for consent; only 7(3) is the withdrawal
        ("Artikel 15 ist kaputt", None),
        ("order 15 art. 17", None),
    ],
)
def test_article_citations(text: str, right: Right | None) -> None:
    assert request_suggested(text) == right


def test_a_refused_phrase_does_not_hide_a_later_one() -> None:
    text = "don't delete my data, " * 200 + "ok fine, delete my data"
    suggestion = request_suggestion(text, language="en")
    assert suggestion is not None
    assert (suggestion.right, text[suggestion.start : suggestion.end]) == (ERASURE, "delete my data")
    assert suggestion.start == len(text) - len("delete my data")


def test_the_prefilter_is_only_a_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    """Running every rule on every message gives the same answers as running the ones whose anchors occur."""
    texts = [text for rows in POSITIVES.values() for text, _ in rows]
    texts += [text for rows in NEGATIVES.values() for text in rows]
    expected = {text: request_suggestion(text) for text in texts}
    monkeypatch.setattr(request_intents, "_triggered", lambda folded: list(request_intents._RULES))
    assert {text: request_suggestion(text) for text in texts} == expected


def test_every_rule_has_an_anchor_and_an_unanchored_pattern_is_refused() -> None:
    assert all(anchors(rule.pattern.pattern) for rule in request_intents._RULES)
    # The longest shortest word: "erase" (5) over "data" (4) and "my" (2).
    assert anchors(regex("(?:delete|erase) (?:all )?my data", {})) == {"delete", "erase"}
    with pytest.raises(ValueError, match="no literal"):
        anchors(r"(?:\w+ )?(?:a|b)?")


def test_patterns_are_written_without_accents_or_capturing_groups() -> None:
    assert regex("löschen", {}) == "l(?:o|oe)schen"
    with pytest.raises(ValueError, match="accented"):
        regex("exclusão", {})
    with pytest.raises(ValueError, match="capturing"):
        regex("(dados)", {})


def test_folding() -> None:
    assert fold("Exclusão de DADOS") == ("exclusao de dados", None)
    folded, origin = fold("Straße")
    assert folded == "strasse"
    assert origin == [0, 1, 2, 3, 4, 4, 5]
    assert fold("lö\u00adschen")[0] == "loschen"  # a soft hyphen pasted into the word


def test_rights_and_their_references() -> None:
    assert [right.value for right in Right] == [
        "access",
        "portability",
        "erasure",
        "rectification",
        "restriction",
        "objection",
        "withdrawal",
    ]
    assert all(set(REFERENCES[right]) == {"GDPR", "LGPD"} for right in Right)
    assert reference(Right.ERASURE, "GDPR") == "Art. 17 GDPR"
    assert reference(Right.WITHDRAWAL, "LGPD") == "Art. 8 §5 LGPD"
    with pytest.raises(KeyError):
        reference(Right.ACCESS, "CCPA")
