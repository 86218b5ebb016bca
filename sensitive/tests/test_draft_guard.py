"""The agent draft guard: a draft that asks the customer for card, account, id, credential or health data."""

from fractions import Fraction

import pytest

from sensitive import evaluation
from sensitive.requests import KINDS, SECURE_CHANNEL_HINT, DraftWarning, draft_check, secure_channel_hint
from sensitive.tests.corpora import assert_balanced
from sensitive.tests.spans import covered

CORPUS = "drafts.jsonl"


def kinds(text: str) -> set[str]:
    return {warning.kind for warning in draft_check(text)}


ASKING = [
    ("en", "Could you send me your full card number?", {"payment_card"}),
    ("en", "What's the CVV on the back of your card?", {"cvv"}),
    ("en", "Please send us your IBAN so we can refund you.", {"iban"}),
    ("en", "Can you provide your social security number?", {"national_id"}),
    ("en", "What is your PIN?", {"pin"}),
    ("en", "Please tell me your password so I can log in.", {"password"}),
    ("en", "Could you tell me what medication you are taking?", {"health"}),
    ("en", "Are you pregnant?", {"health"}),
    ("de", "Bitte schicken Sie uns Ihre IBAN", {"iban"}),
    ("de", "Wie lautet Ihre Kreditkartennummer?", {"payment_card"}),
    ("de", "Können Sie mir Ihre Steuer-ID nennen?", {"national_id"}),
    ("de", "Welche Medikamente nehmen Sie?", {"health"}),
    ("de", "Nennen Sie mir bitte Ihr Passwort.", {"password"}),
    ("nl", "Kunt u uw BSN doorgeven?", {"national_id"}),
    ("nl", "Wat is uw rekeningnummer?", {"iban"}),
    ("nl", "Wat is de pincode van uw pas?", {"pin"}),
    ("nl", "Graag uw creditcardnummer en de vervaldatum", {"payment_card"}),
    ("it", "Mi può mandare il codice fiscale?", {"national_id"}),
    ("it", "Mi invii il numero completo della carta?", {"payment_card"}),
    ("it", "Qual è il codice CVV dietro la carta?", {"cvv"}),
    ("it", "Che farmaci sta prendendo?", {"health"}),
    ("pt", "Pode me passar seu CPF?", {"national_id"}),
    ("pt", "Me informe os números do cartão", {"payment_card"}),
    ("pt", "Qual é o seu diagnóstico?", {"health"}),
    ("pt", "Qual é a senha do cartão?", {"pin"}),
    ("pt", "Qual a senha do app?", {"password"}),
    ("pt", "Pode indicar o seu NIF e o IBAN, por favor?", {"national_id", "iban"}),
    ("en", "Can you send the card details and the security code?", {"payment_card", "cvv"}),
]

NOT_ASKING = [
    ("en", "Never send us your card number here."),
    ("en", "We will never ask for your PIN or password."),
    ("en", "Your card was charged on 3 May."),
    ("en", "The last 4 digits of your card are enough."),
    ("en", "I've refunded to your IBAN ending 1234."),
    ("en", "Please use the secure payment link to update your card."),
    ("en", "You can reset your password with the link we emailed."),
    ("en", "Hope you feel better soon!"),
    ("de", "Bitte senden Sie uns niemals Ihre Kartennummer über den Chat."),
    ("de", "Die letzten vier Ziffern Ihrer Karte genügen."),
    ("de", "Bitte ändern Sie Ihr Passwort regelmäßig."),
    ("nl", "Deel nooit uw pincode via WhatsApp."),
    ("nl", "We hebben het bedrag teruggestort op uw IBAN eindigend op 1234."),
    ("it", "Non ci invii mai il numero della carta in chat."),
    ("it", "Bastano le ultime 4 cifre della carta."),
    ("it", "Il codice fiscale è già registrato, non serve reinviarlo."),
    ("pt", "Nunca envie o número do cartão por aqui."),
    ("pt", "Os 4 últimos dígitos do cartão já bastam."),
    ("pt", "Seu cartão foi cobrado ontem."),
    ("pt", "Pode me passar o número do pedido?"),
]


@pytest.mark.parametrize(("lang", "text", "expected"), ASKING)
def test_requests_are_warned_about(lang: str, text: str, expected: set[str]) -> None:
    assert kinds(text) == expected


@pytest.mark.parametrize(("lang", "text"), NOT_ASKING)
def test_other_mentions_are_not(lang: str, text: str) -> None:
    assert draft_check(text) == []


def test_every_language_has_asking_and_not_asking_examples() -> None:
    for examples in (ASKING, NOT_ASKING):
        assert {lang for lang, *_ in examples} == {"en", "de", "nl", "it", "pt"}


def test_warnings_point_at_the_object_in_the_original_text() -> None:
    text = "Olá 😊🙏 Pode me passar seu CPF e o número do seu cartão?"
    warnings = draft_check(text)
    assert covered(text, warnings, label="kind") == [
        ("national_id", "CPF"),
        ("payment_card", "número do seu cartão"),
    ]
    assert warnings == sorted(warnings)


def test_one_sentence_does_not_clear_another() -> None:
    text = "Never share your password. Please send your IBAN for the refund."
    assert kinds(text) == {"iban"}


def test_a_negation_clears_only_its_own_clause() -> None:
    assert kinds("If you don't have the app, please send your IBAN.") == {"iban"}
    assert kinds("Send me your IBAN, not your card number.") == {"iban"}


def test_german_nie_is_never_not_a_spanish_id() -> None:
    assert kinds("Bitte schicken Sie nie Ihre PIN.") == set()
    assert kinds("Wir fragen nie nach Ihrem Passwort.") == set()


def test_the_longer_object_decides_the_kind() -> None:
    assert kinds("Could you send your social security number?") == {"national_id"}
    assert kinds("Me manda o código de segurança do cartão") == {"cvv"}
    assert kinds("Mi manda una foto della carta d'identità?") == {"national_id"}


def test_warning_type() -> None:
    warning = draft_check("What is your PIN?")[0]
    assert isinstance(warning, DraftWarning)
    assert warning.kind in KINDS
    with pytest.raises(AttributeError):
        warning.kind = "iban"  # frozen


def test_empty_draft() -> None:
    assert draft_check("") == []


# ---- the secure-channel hint


def test_hint_for_every_language() -> None:
    assert set(SECURE_CHANNEL_HINT) == {"en", "de", "nl", "it", "pt-br", "pt"}
    for language, hint in SECURE_CHANNEL_HINT.items():
        assert 40 < len(hint) < 260, language
        assert "{" not in hint
    assert SECURE_CHANNEL_HINT["pt"] != SECURE_CHANNEL_HINT["pt-br"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pt-br", "pt-br"),
        ("pt-BR", "pt-br"),
        ("pt-PT", "pt"),
        ("pt", "pt"),
        ("de-AT", "de"),
        ("nl", "nl"),
        ("fr", "en"),
        (None, "en"),
    ],
)
def test_hint_lookup(language: str | None, expected: str) -> None:
    assert secure_channel_hint(language) == SECURE_CHANNEL_HINT[expected]


def test_the_hint_itself_asks_for_nothing() -> None:
    for language, hint in SECURE_CHANNEL_HINT.items():
        assert draft_check(hint) == [], language


# ---- the labelled corpus


def test_corpus_is_well_formed() -> None:
    lines = evaluation.load_corpus(CORPUS)
    assert_balanced(lines, at_least=100, negatives=Fraction(2, 5), per_language=15)
    for line in lines:
        assert set(line["expect"]) <= set(KINDS), line


def test_corpus_precision_and_recall() -> None:
    counts = evaluation.score_drafts(evaluation.load_corpus(CORPUS), draft_check)
    total = evaluation.aggregate(counts, KINDS)
    target = evaluation.DRAFTS_TARGET
    assert target.met_by(total), f"precision {total.precision:.3f}, recall {total.recall:.3f}"
    for kind in KINDS:
        tally = counts.get(kind, evaluation.Counts())
        assert tally.tp + tally.fn >= 4, f"too few {kind} examples"
        assert target.met_by(tally), f"{kind}: precision {tally.precision:.3f}, recall {tally.recall:.3f}"
