"""Tests for the consent keyword interpreter (no Django, no database)."""

import dataclasses

import pytest

from consent import keywords
from consent.keywords import Intent, KeywordMatch, interpret

# (message, language, canonical keyword)
OPT_OUT_POSITIVES = [
    # en
    ("STOP", "en", "STOP"),
    ("stop", "en", "STOP"),
    ("Stop please", "en", "STOP"),
    ("STOP!!! 🛑", "en", "STOP"),
    ("  unsubscribe, thanks ", "en", "UNSUBSCRIBE"),
    ("Opt-out", "en", "OPT OUT"),
    ("opt out", "en", "OPT OUT"),
    ("OPTOUT.", "en", "OPT OUT"),
    ("stop all", "en", "STOP ALL"),
    ("STOPALL", "en", "STOP ALL"),
    ("stop stop", "en", "STOP"),
    ("Stop. Stop. STOP!", "en", "STOP"),
    ("please STOP thank you", "en", "STOP"),
    ("Stop promotions", "en", "STOP PROMOTIONS"),
    ('"Stop"', "en", "STOP"),
    ("\U0001d412\U0001d413\U0001d40e\U0001d40f", "en", "STOP"),  # math bold
    ("\uff33\uff34\uff2f\uff30", "en", "STOP"),  # fullwidth letters
    ("st\u200bop", "en", "STOP"),  # zero-width space pasted into the word
    # de
    ("STOPP", "de", "STOPP"),
    ("Abmelden bitte", "de", "ABMELDEN"),
    ("bitte ABBESTELLEN!", "de", "ABBESTELLEN"),
    ("abmelden, danke 👍", "de", "ABMELDEN"),
    ("Danke schön, abmelden", "de", "ABMELDEN"),
    ("Stop", "de", "STOP"),
    ("stopp stopp", "de", "STOPP"),
    # nl
    ("AFMELDEN", "nl", "AFMELDEN"),
    ("Uitschrijven graag", "nl", "UITSCHRIJVEN"),
    ("afmelden alstublieft!", "nl", "AFMELDEN"),
    ("Stop, dank je wel", "nl", "STOP"),
    ("alsjeblieft uitschrijven 🙏", "nl", "UITSCHRIJVEN"),
    ("a.u.b. afmelden", "nl", "AFMELDEN"),
    ("Stoppen", "nl", "STOPPEN"),
    # it
    ("ANNULLA", "it", "ANNULLA"),
    ("Disiscrivimi per favore", "it", "DISISCRIVIMI"),
    ("basta!!!", "it", "BASTA"),
    ("STOP grazie", "it", "STOP"),
    ("disiscrivimi, grazie mille 🙏", "it", "DISISCRIVIMI"),
    ("Cancellami", "it", "CANCELLAMI"),
    # pt-br
    ("PARAR", "pt-br", "PARAR"),
    ("PARÁR", "pt-br", "PARAR"),
    ("sair por favor", "pt-br", "SAIR"),
    ("DESCADASTRAR!", "pt", "DESCADASTRAR"),
    ("descadastrar, obrigado 🙏", "pt-br", "DESCADASTRAR"),
    ("Stop", "pt-br", "STOP"),
    ("Sáir.", "PT-BR", "SAIR"),
]

# Withdrawal must work even when the language was guessed wrong.
CROSS_LANGUAGE_OPT_OUT = [
    ("PARAR", "en", "PARAR"),
    ("abmelden", "it", "ABMELDEN"),
    ("afmelden", "pt-br", "AFMELDEN"),
    ("disiscrivimi", "de", "DISISCRIVIMI"),
    ("STOPP", "nl", "STOPP"),
    ("sair", "", "SAIR"),
    ("annulla", "fr", "ANNULLA"),
    ("uitschrijven", "xx-yy", "UITSCHRIJVEN"),
    # Filler from another language must not block a withdrawal either.
    ("PARAR por favor", "en", "PARAR"),
    ("stop bitte", "pt-br", "STOP"),
]

OPT_IN_POSITIVES = [
    ("START", "en", "START"),
    ("start please", "en", "START"),
    ("Subscribe!", "en", "SUBSCRIBE"),
    ("opt-in", "en", "OPT IN"),
    ("OPTIN", "en", "OPT IN"),
    ("unstop", "en", "UNSTOP"),
    ("ANMELDEN", "de", "ANMELDEN"),
    ("Start", "de", "START"),
    ("anmelden bitte", "de", "ANMELDEN"),
    ("Starten", "de", "STARTEN"),
    ("Aanmelden", "nl", "AANMELDEN"),
    ("aanmelden graag 🙂", "nl", "AANMELDEN"),
    ("ISCRIVIMI", "it", "ISCRIVIMI"),
    ("iscrivimi per favore", "it", "ISCRIVIMI"),
    ("INICIAR", "pt-br", "INICIAR"),
    ("assinar", "pt", "ASSINAR"),
    ("Iniciar, obrigada", "pt-br", "INICIAR"),
    ("START", "pt-br", "START"),  # English works in every language
]

CONFIRM_POSITIVES = [
    ("YES", "en", "YES"),
    ("y", "en", "Y"),
    ("Yes please!", "en", "YES"),
    ("yes yes", "en", "YES"),
    ("JA", "de", "JA"),
    ("ja bitte", "de", "JA"),
    ("Ja!", "nl", "JA"),
    ("ja graag", "nl", "JA"),
    ("SÌ", "it", "SI"),
    ("si", "it", "SI"),
    ("Sì, grazie", "it", "SI"),
    ("SIM", "pt-br", "SIM"),
    ("s", "pt-br", "S"),
    ("Sim, obrigado 👍", "pt", "SIM"),
    ("yes", "de", "YES"),  # English works in every language
    ("YES", "pt-br", "YES"),
]

# Keywords inside ordinary sentences, questions, negations, near misses.
NEGATIVES = [
    # en
    ("don't stop the delivery", "en"),
    ("please stop by the store", "en"),
    ("the stop button doesn't work", "en"),
    ("stop sending me the wrong size", "en"),
    ("bus stop", "en"),
    ("STOP?", "en"),
    ("stop?!", "en"),
    ("unsubscribe?", "en"),
    ("what does STOP do", "en"),
    ("I will never unsubscribe", "en"),
    ("do not unsubscribe me", "en"),
    ("can I stop my order", "en"),
    ("stop the order", "en"),
    ("stopping", "en"),
    ("nonstop", "en"),
    ("cancel", "en"),
    ("cancel my order", "en"),
    ("start the return please", "en"),
    ("yes but when does it arrive", "en"),
    ("yes?", "en"),
    ("ok", "en"),
    ("no", "en"),
    # de
    ("Bitte nicht abmelden", "de"),
    ("Ja, aber wann kommt mein Paket?", "de"),
    ("ja aber wann", "de"),
    ("Ich möchte mich nicht abmelden", "de"),
    ("Wie kann ich mich abmelden?", "de"),
    ("stopp die Lieferung nicht", "de"),
    ("Kündigen", "de"),
    ("Abmelden? Nein", "de"),
    # nl
    ("Ik wil me niet afmelden", "nl"),
    ("niet afmelden", "nl"),
    ("ja, maar wanneer?", "nl"),
    ("ja maar wanneer", "nl"),
    ("Annuleren", "nl"),
    ("hoe kan ik me afmelden", "nl"),
    ("niet stoppen", "nl"),
    # it
    ("non annulla l'ordine", "it"),
    ("annulla l'ordine", "it"),
    ("basta così", "it"),
    ("sì, ma quando arriva?", "it"),
    ("si ma quando arriva", "it"),
    ("non disiscrivimi", "it"),
    ("come faccio a disiscrivermi", "it"),
    # pt-br
    ("não quero parar de receber", "pt-br"),
    ("sim, mas quando chega?", "pt-br"),
    ("sim mas quando", "pt-br"),
    ("não parar", "pt-br"),
    ("Cancelar", "pt-br"),
    ("cancelar o pedido", "pt-br"),
    ("quero sair da fila", "pt-br"),
    ("parar?", "pt-br"),
    # no content at all
    ("", "en"),
    ("   ", "en"),
    ("🙏", "en"),
    ("please", "en"),
    ("!!!", "de"),
    ("obrigado", "pt-br"),
    # too long to be a bare keyword, even though every word is allowed
    ("please " * 9 + "stop", "en"),
    ("STOP " + "🛑" * 60, "en"),
]

# Opt-in and confirm words only count for the conversation's language + English.
OUT_OF_SCOPE = [
    ("ja", "it"),
    ("ja", "pt-br"),
    ("sim", "de"),
    ("si", "pt-br"),
    ("s", "en"),
    ("ja", "fr"),
    ("ANMELDEN", "pt-br"),
    ("iniciar", "de"),
    ("aanmelden", "de"),
    ("iscrivimi", "nl"),
    # Foreign filler is only forgiven for withdrawals.
    ("START por favor", "en"),
    ("ja grazie", "de"),
]


@pytest.mark.parametrize(("text", "language", "keyword"), OPT_OUT_POSITIVES)
def test_opt_out_positives(text: str, language: str, keyword: str) -> None:
    assert interpret(text, language) == KeywordMatch(Intent.OPT_OUT, keyword)


@pytest.mark.parametrize(("text", "language", "keyword"), CROSS_LANGUAGE_OPT_OUT)
def test_opt_out_works_whatever_the_language(text: str, language: str, keyword: str) -> None:
    assert interpret(text, language) == KeywordMatch(Intent.OPT_OUT, keyword)


@pytest.mark.parametrize(("text", "language", "keyword"), OPT_IN_POSITIVES)
def test_opt_in_positives(text: str, language: str, keyword: str) -> None:
    assert interpret(text, language) == KeywordMatch(Intent.OPT_IN, keyword)


@pytest.mark.parametrize(("text", "language", "keyword"), CONFIRM_POSITIVES)
def test_confirm_positives(text: str, language: str, keyword: str) -> None:
    assert interpret(text, language) == KeywordMatch(Intent.CONFIRM, keyword)


@pytest.mark.parametrize(("text", "language"), NEGATIVES)
def test_sentences_and_questions_are_none(text: str, language: str) -> None:
    assert interpret(text, language) == KeywordMatch(Intent.NONE, "")


@pytest.mark.parametrize(("text", "language"), OUT_OF_SCOPE)
def test_opt_in_and_confirm_are_language_scoped(text: str, language: str) -> None:
    assert interpret(text, language).intent is Intent.NONE


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("JA", "DE", KeywordMatch(Intent.CONFIRM, "JA")),
        ("sim", "pt_BR", KeywordMatch(Intent.CONFIRM, "SIM")),
        ("sim", "pt-PT", KeywordMatch(Intent.CONFIRM, "SIM")),
        ("sim", "PT", KeywordMatch(Intent.CONFIRM, "SIM")),
        ("ja", "de-AT", KeywordMatch(Intent.CONFIRM, "JA")),
        ("ja", " nl ", KeywordMatch(Intent.CONFIRM, "JA")),
        ("si", "IT", KeywordMatch(Intent.CONFIRM, "SI")),
        ("yes", "", KeywordMatch(Intent.CONFIRM, "YES")),
        ("start", "fr", KeywordMatch(Intent.OPT_IN, "START")),
        ("yes please", "zz", KeywordMatch(Intent.CONFIRM, "YES")),
    ],
)
def test_language_codes(text: str, language: str, expected: KeywordMatch) -> None:
    assert interpret(text, language) == expected


ALL_POSITIVES = OPT_OUT_POSITIVES + CROSS_LANGUAGE_OPT_OUT + OPT_IN_POSITIVES
ALL_POSITIVES += CONFIRM_POSITIVES


@pytest.mark.parametrize(("text", "language", "keyword"), ALL_POSITIVES)
def test_keyword_is_canonical_and_never_the_message(text: str, language: str, keyword: str) -> None:
    match = interpret(text, language)
    assert match.keyword == keyword
    assert match.keyword == match.keyword.upper()
    assert match.keyword == " ".join(match.keyword.split())
    assert match.keyword.isascii()
    if text != text.strip().upper():
        # Anything the customer decorated (case, accents, filler, emoji) is
        # gone from the evidence.
        assert match.keyword != text


def test_keyword_drops_the_customer_text() -> None:
    match = interpret("Stop please, thank you 🙏", "en")
    assert match == KeywordMatch(Intent.OPT_OUT, "STOP")
    assert "please" not in match.keyword.casefold()


@pytest.mark.parametrize(
    ("table", "intent"),
    [
        (keywords._OPT_OUT_KEYWORDS, Intent.OPT_OUT),
        (keywords._OPT_IN_KEYWORDS, Intent.OPT_IN),
        (keywords._CONFIRM_KEYWORDS, Intent.CONFIRM),
    ],
)
def test_every_default_keyword_and_variant_matches_itself(
    table: dict[str, tuple[keywords._Keyword, ...]], intent: Intent
) -> None:
    # Catches a keyword that collides with a filler or with another intent.
    for language, group in table.items():
        for keyword in group:
            for spelling in (keyword.canonical, *keyword.variants):
                expected = KeywordMatch(intent, keyword.canonical)
                assert interpret(spelling, language) == expected
                assert interpret(spelling.lower(), language) == expected


@pytest.mark.parametrize("word", ["CANCEL", "CANCELAR", "ANNULEREN", "END", "QUIT"])
@pytest.mark.parametrize("language", ["en", "de", "nl", "it", "pt-br"])
def test_order_words_are_not_opt_out(word: str, language: str) -> None:
    assert interpret(word, language).intent is Intent.NONE


# --- per-purpose extra keywords -------------------------------------------


def test_extra_opt_out_keyword() -> None:
    extra = {"opt_out": ["halt"]}
    assert interpret("HALT!", "en", extra=extra) == KeywordMatch(Intent.OPT_OUT, "HALT")
    assert interpret("halt", "en").intent is Intent.NONE


def test_extra_keyword_is_normalised_and_language_independent() -> None:
    extra = {"opt_out": ["Désabonner"]}
    expected = KeywordMatch(Intent.OPT_OUT, "DESABONNER")
    assert interpret("desabonner, bitte", "de", extra=extra) == expected
    assert interpret("DÉSABONNER", "pt-br", extra=extra) == expected


def test_extra_confirm_keyword() -> None:
    extra = {"confirm": ["CLARO"]}
    assert interpret("Claro!", "pt-br", extra=extra) == KeywordMatch(Intent.CONFIRM, "CLARO")
    assert interpret("claro", "pt-br").intent is Intent.NONE


def test_extra_multi_word_opt_in_keyword() -> None:
    extra = {"opt_in": ["quero receber"]}
    assert interpret("Quero receber, por favor", "pt-br", extra=extra) == (KeywordMatch(Intent.OPT_IN, "QUERO RECEBER"))
    assert interpret("não quero receber", "pt-br", extra=extra).intent is (Intent.NONE)


def test_extra_accepts_intent_keys_and_a_bare_string() -> None:
    assert interpret("ok", "en", extra={Intent.CONFIRM: ["ok"]}) == KeywordMatch(Intent.CONFIRM, "OK")
    # A bare string is one keyword, not one keyword per letter.
    extra = {"opt_out": "halt"}
    assert interpret("halt", "en", extra=extra).intent is Intent.OPT_OUT
    assert interpret("h", "en", extra=extra).intent is Intent.NONE


def test_extra_only_counts_for_its_own_purpose() -> None:
    extra = {"confirm": ["ok"]}
    assert interpret("ok", "en", extra=extra).intent is Intent.CONFIRM
    assert interpret("ok", "en", extra={"opt_in": ["go"]}).intent is Intent.NONE


def test_extra_keyword_inside_a_sentence_is_none() -> None:
    extra = {"opt_out": ["halt"]}
    assert interpret("halt the delivery", "en", extra=extra).intent is Intent.NONE
    assert interpret("halt?", "en", extra=extra).intent is Intent.NONE


def test_extra_keeps_the_defaults() -> None:
    extra = {"opt_out": ["halt"], "opt_in": ["go"]}
    assert interpret("STOP", "en", extra=extra) == KeywordMatch(Intent.OPT_OUT, "STOP")
    assert interpret("start", "en", extra=extra) == KeywordMatch(Intent.OPT_IN, "START")


@pytest.mark.parametrize("extra", [None, {}, {"opt_out": []}])
def test_empty_extra_changes_nothing(extra: dict[str, list[str]] | None) -> None:
    assert interpret("stop", "en", extra=extra).intent is Intent.OPT_OUT
    assert interpret("halt", "en", extra=extra).intent is Intent.NONE


def test_opt_out_wins_over_other_intents() -> None:
    assert interpret("stop", "en", extra={"opt_in": ["stop"]}) == KeywordMatch(Intent.OPT_OUT, "STOP")
    assert interpret("abmelden", "de", extra={"confirm": ["abmelden"]}) == (KeywordMatch(Intent.OPT_OUT, "ABMELDEN"))
    both = {"confirm": ["halt"], "opt_out": ["halt"]}
    assert interpret("halt", "en", extra=both) == KeywordMatch(Intent.OPT_OUT, "HALT")
    # A default opt-in word configured as an opt-out for this purpose withdraws.
    assert interpret("start", "en", extra={"opt_out": ["start"]}).intent is (Intent.OPT_OUT)


def test_opt_in_wins_over_confirm() -> None:
    extra = {"confirm": ["start"]}
    assert interpret("start", "en", extra=extra).intent is Intent.OPT_IN


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"none": ["x"]}, "unknown extra keyword purpose"),
        ({"optout": ["x"]}, "unknown extra keyword purpose"),
        ({"opt_out": ["!!!"]}, "no letters or digits"),
        ({"opt_in": ["please"]}, "polite filler"),
        ({"confirm": ["yes please"]}, "polite filler"),
    ],
)
def test_invalid_extra_is_rejected(extra: dict[str, list[str]], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        interpret("stop", "en", extra=extra)


def test_non_string_extra_keyword_is_rejected() -> None:
    with pytest.raises(TypeError):
        interpret("stop", "en", extra={"opt_out": [42]})  # type: ignore[list-item]


# --- the result type -------------------------------------------------------


def test_keyword_match_is_immutable() -> None:
    match = interpret("stop", "en")
    with pytest.raises(dataclasses.FrozenInstanceError):
        match.keyword = "START"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("intent", "keyword"),
    [(Intent.NONE, "STOP"), (Intent.OPT_OUT, ""), (Intent.CONFIRM, "")],
)
def test_keyword_match_rejects_inconsistent_evidence(intent: Intent, keyword: str) -> None:
    with pytest.raises(ValueError, match="intent is NONE"):
        KeywordMatch(intent, keyword)


def test_intent_values() -> None:
    assert [intent.value for intent in Intent] == [
        "opt_out",
        "opt_in",
        "confirm",
        "none",
    ]
