"""Special categories (Art. 9 GDPR / LGPD): lexicon matching in en, de, nl, it, pt, and the labelled corpus."""

import itertools
from fractions import Fraction

import pytest

from sensitive import evaluation, special
from sensitive.findings import CATEGORY_OF_TYPE, Category
from sensitive.tests.corpora import assert_balanced
from sensitive.tests.spans import covered

CORPUS = "special.jsonl"


def found(text: str) -> list[tuple[str, str]]:
    return covered(text, special.find(text))


def assert_flags(text: str, kind: str, expected: str) -> None:
    """A finding of ``kind`` overlaps the first occurrence of ``expected``."""
    start = text.index(expected)
    end = start + len(expected)
    hits = [f for f in special.find(text) if f.type == kind and f.start < end and start < f.end]
    assert hits, f"no {kind} on {expected!r} in {text!r}: {found(text)}"


# ---- each category, each language

CATEGORY_EXAMPLES = [
    # health: conditions, symptoms, medication, pregnancy, disability, treatment, mental health, addiction
    ("en", "my husband had a heart attack last week", "health", "heart attack"),
    ("en", "I take sertraline for my anxiety", "health", "anxiety"),
    ("en", "she's on insulin since last year", "health", "insulin"),
    ("en", "I'm a recovering alcoholic, please no wine in the hamper", "health", "recovering alcoholic"),
    ("de", "Mein Sohn ist Autist", "health", "Autist"),
    ("de", "ich bin seit Montag krankgeschrieben", "health", "krankgeschrieben"),
    ("nl", "ik heb een burn-out", "health", "burn-out"),
    ("nl", "mijn dochter zit in een rolstoel", "health", "rolstoel"),
    ("it", "soffro di depressione", "health", "depressione"),
    ("it", "sono stata operata al ginocchio", "health", "operata"),
    ("pt", "estou fazendo quimioterapia", "health", "quimioterapia"),
    ("pt", "sou cadeirante", "health", "cadeirante"),
    # sex life and sexual orientation
    ("en", "I'm gay and this ad is offensive", "sex_life", "gay"),
    ("de", "ich bin schwul", "sex_life", "schwul"),
    ("nl", "wij zijn een lesbisch stel", "sex_life", "lesbisch"),
    ("it", "sono bisessuale", "sex_life", "bisessuale"),
    ("pt", "sou lésbica", "sex_life", "lésbica"),
    # religious or philosophical beliefs
    ("en", "as a muslim I can't eat pork gelatine", "religion", "muslim"),
    ("de", "bin aus der Kirche ausgetreten", "religion", "Kirche ausgetreten"),
    ("nl", "als moslim eet ik geen varkensvlees", "religion", "moslim"),
    ("it", "sono testimone di Geova", "religion", "testimone di Geova"),
    ("pt", "sou evangélico", "religion", "evangélico"),
    # political opinions
    ("en", "I voted Labour my whole life", "political", "voted Labour"),
    ("de", "Als AfD-Mitglied werde ich benachteiligt", "political", "AfD"),
    ("nl", "ik stem al jaren op de PVV", "political", "PVV"),
    ("it", "voto Lega da sempre", "political", "voto Lega"),
    ("pt", "sou petista", "political", "petista"),
    # trade-union membership
    ("en", "my union rep told me to write", "union", "union rep"),
    ("de", "Ich bin in der Gewerkschaft", "union", "Gewerkschaft"),
    ("nl", "ik ben lid van de FNV", "union", "FNV"),
    ("it", "sono iscritto alla CGIL", "union", "CGIL"),
    ("pt", "sou sindicalizado", "union", "sindicalizado"),
    # racial or ethnic origin
    ("en", "as a black woman I expected better", "ethnic_origin", "black woman"),
    ("de", "ich habe einen Migrationshintergrund", "ethnic_origin", "Migrationshintergrund"),
    ("nl", "ik ben van Marokkaanse afkomst", "ethnic_origin", "Marokkaanse afkomst"),
    ("it", "sono di origine rom", "ethnic_origin", "origine rom"),
    ("pt", "sou indígena", "ethnic_origin", "indígena"),
    # genetic data
    ("en", "the DNA test results page is blank", "genetic", "DNA test"),
    ("de", "der Gentest zeigt nichts an", "genetic", "Gentest"),
    ("nl", "mijn DNA-test uitslag", "genetic", "DNA-test"),
    ("it", "il test del DNA non funziona", "genetic", "test del DNA"),
    ("pt", "fiz um exame de DNA", "genetic", "exame de DNA"),
    # biometric data used for identification
    ("en", "why do you need my fingerprints?", "biometric", "fingerprints"),
    ("de", "Warum speichert ihr meinen Fingerabdruck?", "biometric", "Fingerabdruck"),
    ("nl", "gezichtsherkenning bij de zelfscankassa", "biometric", "gezichtsherkenning"),
    ("it", "mi chiedete l'impronta digitale", "biometric", "impronta digitale"),
    ("pt", "o banco pediu minha biometria facial", "biometric", "biometria facial"),
]


@pytest.mark.parametrize(("lang", "text", "kind", "expected"), CATEGORY_EXAMPLES)
def test_each_category_in_each_language(lang: str, text: str, kind: str, expected: str) -> None:
    assert_flags(text, kind, expected)


def test_every_type_and_language_has_an_example() -> None:
    pairs = {(lang, kind) for lang, _, kind, _ in CATEGORY_EXAMPLES}
    for kind in evaluation.SPECIAL_CATEGORY_TYPES:
        assert {lang for lang, k in pairs if k == kind} == {"en", "de", "nl", "it", "pt"}, kind


def test_findings_carry_the_special_category() -> None:
    findings = special.find("ich bin schwanger und Muslimin")
    assert [finding.type for finding in findings] == ["health", "religion"]
    for finding in findings:
        assert finding.category == Category.SPECIAL_CATEGORY.value
        assert CATEGORY_OF_TYPE[finding.type] == Category.SPECIAL_CATEGORY


# ---- inflections, compounds, accents, case


@pytest.mark.parametrize(
    "text",
    [
        "ich bin schwanger",
        "die Schwangerschaft ist schwierig",
        "für Schwangere geeignet?",
        "eine Risikoschwangerschaft",
        "ik ben zwanger",
        "tijdens de zwangerschap",
        "sono incinta",
        "durante la gravidanza",
        "estou grávida",
        "to gravida de 7 meses",
        "minha gravidez é de risco",
        "I'm pregnant",
        "during my pregnancy",
    ],
)
def test_pregnancy_in_every_form(text: str) -> None:
    assert [kind for kind, _ in found(text)] == ["health"], found(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("meine Mutter hat eine Krebserkrankung", "Krebserkrankung"),
        ("nach dem Herzinfarkt", "Herzinfarkt"),
        ("bin in der Chemotherapie", "Chemotherapie"),
        ("sie hat eine Lungenentzündung", "Lungenentzündung"),
        ("wegen meiner Nussallergie", "Nussallergie"),
        ("ich habe eine Laktoseintoleranz", "Laktoseintoleranz"),
        ("mijn moeder heeft borstkanker", "borstkanker"),
        ("sinds mijn herseninfarct", "herseninfarct"),
        ("Diabetiker", "Diabetiker"),
        ("diabetics", "diabetics"),
        ("diabetico", "diabetico"),
    ],
)
def test_compounds_and_inflections(text: str, expected: str) -> None:
    assert_flags(text, "health", expected)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("tenho depressão", "health", "depressão"),
        ("tenho depressao", "health", "depressao"),
        ("TENHO DEPRESSÃO", "health", "DEPRESSÃO"),
        ("ICH BIN SCHWANGER", "health", "SCHWANGER"),
        ("ich nehme Blutverdünner", "health", "Blutverdünner"),
        ("ich nehme Blutverduenner", "health", "Blutverduenner"),
        ("ich nehme Blutverdunner", "health", "Blutverdunner"),
        ("sou celíaco", "health", "celíaco"),
        ("sou celiaco", "health", "celiaco"),
        ("sou muçulmana", "religion", "muçulmana"),
        ("sou muculmana", "religion", "muculmana"),
        ("Bin Jüdin", "religion", "Jüdin"),
        ("bin juedin", "religion", "juedin"),
    ],
)
def test_accents_case_and_umlaut_spellings(text: str, kind: str, expected: str) -> None:
    assert_flags(text, kind, expected)


def test_an_umlaut_is_not_an_unaccented_letter() -> None:
    # "schwül" (humid) is not "schwul" (gay): umlauts are kept when folding.
    assert found("heute ist es so schwül") == []
    assert found("ich bin schwul") == [("sex_life", "schwul")]


def test_stems_flag_every_word_they_start() -> None:
    # A decision documented in special.py: a word about diabetes is about diabetes.
    assert found("endlich diabetesfrei") == [("health", "diabetesfrei")]


# ---- offsets into the original text


@pytest.mark.parametrize(
    "prefix",
    ["", "😀😀 ", "👍🏽 ok ", "Grüße! ", "İstanbul'dan yazıyorum: ", "naïve café — ", "\u200b", "a\r\n"],
)
def test_offsets_point_into_the_original_text(prefix: str) -> None:
    text = prefix + "ich bin schwanger und die Schwangerschaft ist anstrengend 🤰"
    findings = special.find(text)
    assert [text[f.start : f.end] for f in findings] == ["schwanger", "Schwangerschaft"]


def test_fold_keeps_the_length() -> None:
    for text in ("İİİ grávida", "ŞÇĞ ünïcödé ß ẞ", "’quotes’ and emoji 🤰🏽", "Ǆ ǅ ǆ"):
        assert len(special.fold(text)) == len(text)


def test_findings_are_ordered_and_do_not_overlap() -> None:
    text = "sono incinta, ho il diabete e sono musulmana; mio marito è iscritto alla CGIL"
    findings = special.find(text)
    assert [f.type for f in findings] == ["health", "health", "religion", "union"]
    for a, b in itertools.pairwise(findings):
        assert a.end <= b.start


def test_empty_text() -> None:
    assert special.find("") == []


# ---- word boundaries and false friends


@pytest.mark.parametrize(
    "text",
    [
        # idioms
        "I'm sick of waiting for this refund!!!",
        "this delay is killing me 😂",
        "crazy deal on the tv",
        "oh my god finally",
        "Oh mein Gott, endlich",
        "Gott sei Dank hat es geklappt",
        "grazie a dio è arrivato",
        "graças a Deus chegou!",
        "pelo amor de Deus, cadê meu pedido??",
        "Das ist ja krank, schon wieder verspätet",
        "ik word er ziek van",
        "dit is echt kanker slecht",
        "sono un malato di caffè",
        "sou doente por futebol",
        # words inside other words, and look-alikes
        "can I cancel my order?",
        "my Gaylord chair order is delayed",
        "I saw your ad on Facebook",
        "the surface of the table is scratched",
        "the fish fingers were thawed",
        "Die Wirtschaft ist schuld",
        "heute ist es schwül",
        # everyday meanings
        "are the black friday prices still valid",
        "where can I download the white paper",
        "do you deliver before christmas?",
        "the party supplies were missing balloons",
        "I bought the Pride edition sneakers",
        "payment operation failed, error 402",
        "the European Union says 14 days",
        "our Union Investment statement is wrong",
        "Ich sitze auf der Bank vor dem Laden",
        "Ich wollte meiner Mutter was zum Muttertag schicken",
        "een partij van 500 stuks is verkeerd geleverd",
        "ho visto la partita ieri",
        "mi serve la fattura con la partita IVA",
        "o copo chegou partido",
        "la lega di alluminio è difettosa",
        "l'autista non ha suonato",
        "il pacco è arrivato a Roma",
        "l'operazione non è andata a buon fine",
        "minha operadora não deixa receber SMS",
        "ignoring customers is in your company's DNA",
        # insurers, product descriptions and device features (documented decisions)
        "Die Krankenkasse hat die Rechnung nicht bezahlt",
        "Können Sie die Rechnung an meine Krankenversicherung schicken?",
        "ik wil mijn zorgverzekering niet wijzigen",
        "meu plano de saúde não aceitou o boleto",
        "is this shampoo allergy-friendly?",
        "Sind die Eier ohne Gentechnik?",
        "is the soy genetically modified?",
        "does this phone have face id or only a fingerprint sensor?",
        "Hat das Handy Face ID oder einen Fingerabdrucksensor?",
        "o celular tem reconhecimento facial e leitor de digital?",
        "earrings in surgical steel",
    ],
)
def test_false_friends_are_not_flagged(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("I am not pregnant, the test is wrong", "health", "pregnant"),
        ("ich bin nicht schwanger", "health", "schwanger"),
        ("non sono incinta", "health", "incinta"),
        ("não estou grávida", "health", "grávida"),
        ("I'm not gay, stop the ads", "sex_life", "gay"),
        ("ik ben geen moslim", "religion", "moslim"),
    ],
)
def test_negation_is_left_to_the_human(text: str, kind: str, expected: str) -> None:
    assert_flags(text, kind, expected)


def test_context_decides_ambiguous_words() -> None:
    assert found("I'm sick and can't come to the door") == [("health", "I'm sick")]
    assert found("I'm sick of this") == []
    assert_flags("I had an operation on my knee", "health", "operation")
    assert found("the operation timed out") == []
    assert_flags("Meine Frau liegt nach der Operation im Krankenhaus", "health", "Operation")
    assert_flags("i'm a union member", "union", "union member")
    assert found("the union jack flag") == []
    assert_flags("I voted for the green party", "political", "green party")
    assert found("a green party dress") == []
    assert_flags("meu filho é autista", "health", "autista")


# ---- the lexicons


def test_every_lexicon_file_parses_into_known_sections() -> None:
    entries = special.lexicon()
    assert set(entries) == {*special.TYPES, special.EXCLUDE}
    for kind in special.TYPES:
        assert len(entries[kind]) >= 20, kind


@pytest.mark.parametrize(
    "line",
    [
        "[health]\nunbalanced (a|b",
        "[health]\nbad ) group",
        "[nonsense]\nword",
        "word before section",
        "[health]\nno $ signs",
        "[health]\n~ starts",
    ],
)
def test_lexicon_syntax_errors_are_reported(line: str) -> None:
    with pytest.raises(special.LexiconError):
        special.parse_lexicon(line.splitlines())


def test_lexicon_syntax() -> None:
    sections = special.parse_lexicon(["[health]", "herz(infarkt|anfall|) # comment", "*erkrankung", "ü-bel"])
    assert sections["health"] == [
        "herzinfarkt",
        "herzanfall",
        "herz",
        "*erkrankung",
        "ü-bel",
        "ue-bel",
        "u-bel",
    ]


def test_keys_are_telling_words() -> None:
    # Every occurrence of a key, inside other words too, costs a try of its entries' expression:
    # a key shorter than three letters must stand alone, and an everyday word is a key only when
    # its entry has nothing better ("broke my arm").
    matcher, _ = special._matchers()
    assert [key.word for key in matcher._keys if len(key.word) < 3 and not (key.left_bound and key.right_bound)] == []
    everyday = {key.word for key in matcher._keys if key.word in special._frequent_words()}
    assert len(everyday) <= 3, everyday


# ---- the labelled corpus


def test_corpus_is_well_formed() -> None:
    lines = evaluation.load_corpus(CORPUS)
    assert_balanced(lines, at_least=220, negatives=Fraction(1, 3), per_language=len(lines) // 7)
    for line in lines:
        for kind, _, _ in evaluation.expected_spans(line):
            assert kind in evaluation.SPECIAL_CATEGORY_TYPES, line


def test_corpus_meets_the_targets() -> None:
    counts = evaluation.score(evaluation.load_corpus(CORPUS), special.find)
    target = next(t for t in evaluation.TARGETS if t.name == "special categories")
    total = evaluation.aggregate(counts, target.types)
    assert target.met_by(total), f"precision {total.precision:.3f}, recall {total.recall:.3f}"
    for kind in target.types:
        tally = counts.get(kind, evaluation.Counts())
        assert tally.tp + tally.fn >= 5, f"too few {kind} examples to measure"
        assert target.met_by(tally), f"{kind}: precision {tally.precision:.3f}, recall {tally.recall:.3f}"
