"""The identifier detector: each type in the ways customers write it, look-alikes left alone, the labelled corpus.

Plain functions, no database. The corpus (``corpus/identifiers.jsonl``) was written before the detector
was tuned; its identifiers carry real check digits, its negatives are order numbers, dates, amounts,
tracking codes and identifiers with wrong check digits.
"""

import itertools
import random
from fractions import Fraction
from pathlib import Path

import pytest

from sensitive import evaluation, identifiers
from sensitive.findings import CATEGORY_OF_TYPE
from sensitive.identifiers import find
from sensitive.tests.corpora import assert_balanced
from sensitive.tests.spans import covered

CORPUS = Path(__file__).parent / "corpus" / "identifiers.jsonl"
TYPES = (*evaluation.CHECKSUM_IDENTIFIER_TYPES, "email", "phone")
MIN_PRECISION, MIN_RECALL = 0.99, 0.98


def load_corpus() -> list[dict]:
    return evaluation.load_corpus(CORPUS)


def spans(text: str) -> list[tuple[str, str]]:
    return covered(text, find(text))


# (text, type, the exact span expected)
POSITIVES = [
    # cards: spaced, dashed, bare, dotted; every issuer family
    ("my card is 4111 1111 1111 1111 exp 08/27", "payment_card", "4111 1111 1111 1111"),
    ("Karte 4111-1111-1111-1111 wurde abgelehnt", "payment_card", "4111-1111-1111-1111"),
    ("numero della carta 4111111111111111", "payment_card", "4111111111111111"),
    ("kaart 4111.1111.1111.1111", "payment_card", "4111.1111.1111.1111"),
    ("mastercard 5555 5555 5555 4444", "payment_card", "5555 5555 5555 4444"),
    ("new mastercard 2221 0000 0000 0009", "payment_card", "2221 0000 0000 0009"),
    ("amex 3782 822463 10005", "payment_card", "3782 822463 10005"),
    ("amex 378282246310005", "payment_card", "378282246310005"),
    ("discover 6011 0009 9013 9424", "payment_card", "6011 0009 9013 9424"),
    ("jcb 3530 1113 3330 0000", "payment_card", "3530 1113 3330 0000"),
    ("diners 3056 930902 5904", "payment_card", "3056 930902 5904"),
    ("maestro 6759 6498 2643 8453", "payment_card", "6759 6498 2643 8453"),
    ("cartão elo 6362 9700 0045 7013", "payment_card", "6362 9700 0045 7013"),
    ("hipercard 6062826786276634", "payment_card", "6062826786276634"),
    ("visa 4000 0566 5566 5556 999", "payment_card", "4000 0566 5566 5556 999"),
    ("old visa 4222222222222", "payment_card", "4222222222222"),
    # IBAN: grouped, compact, lowercase, dashed, country code apart
    ("meine IBAN ist DE89 3704 0044 0532 0130 00 danke", "iban", "DE89 3704 0044 0532 0130 00"),
    ("iban DE89370400440532013000", "iban", "DE89370400440532013000"),
    ("iban nl91abna0417164300 ajb", "iban", "nl91abna0417164300"),
    ("rekening nl91 abna 0417 1643 00", "iban", "nl91 abna 0417 1643 00"),
    ("IBAN: DE89-3704-0044-0532-0130-00.", "iban", "DE89-3704-0044-0532-0130-00"),
    ("IBAN DE 89 3704 0044 0532 0130 00", "iban", "DE 89 3704 0044 0532 0130 00"),
    ("sort it to GB29 NWBK 6016 1331 9268 19 please", "iban", "GB29 NWBK 6016 1331 9268 19"),
    (
        "IBAN\u00a0DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000",
        "iban",
        "DE89\u00a03704\u00a00044\u00a00532\u00a00130\u00a000",
    ),
    # CPF: dotted, check digits after a dash, bare, spaced after a cue
    ("meu cpf é 390.533.447-05", "br_cpf", "390.533.447-05"),
    ("segue 390.533.447-05 pra nota", "br_cpf", "390.533.447-05"),
    ("CPF 390533447-05", "br_cpf", "390533447-05"),
    ("CPF: 39053344705", "br_cpf", "39053344705"),
    ("pix 39053344705", "br_cpf", "39053344705"),
    ("cpf 390 533 447 05", "br_cpf", "390 533 447 05"),
    # CNPJ
    ("cnpj 11.222.333/0001-81", "br_cnpj", "11.222.333/0001-81"),
    ("a empresa 12.345.678/0001-95", "br_cnpj", "12.345.678/0001-95"),
    ("CNPJ 11222333000181", "br_cnpj", "11222333000181"),
    ("CNPJ 11222333/0001-81", "br_cnpj", "11222333/0001-81"),
    # BSN: written form alone, or bare after a cue
    ("mijn nummer 1234.56.782", "nl_bsn", "1234.56.782"),
    ("mijn BSN is 123456782", "nl_bsn", "123456782"),
    ("burgerservicenummer: 1234 56 782", "nl_bsn", "1234 56 782"),
    ("123456782 is mijn bsn", "nl_bsn", "123456782"),
    ("sofinummer 123 456 782", "nl_bsn", "123 456 782"),
    # IdNr
    ("hier: 65 929 970 489", "de_idnr", "65 929 970 489"),
    ("meine Steuer-ID 65929970489", "de_idnr", "65929970489"),
    ("Steueridentifikationsnummer: 65929970489", "de_idnr", "65929970489"),
    ("IdNr 65929970489", "de_idnr", "65929970489"),
    # codice fiscale: case-insensitive
    ("il mio codice fiscale è RSSMRA85T10A562S", "it_codice_fiscale", "RSSMRA85T10A562S"),
    ("cf rssmra85t10a562s grazie", "it_codice_fiscale", "rssmra85t10a562s"),
    ("RSSMRA85T10A562S", "it_codice_fiscale", "RSSMRA85T10A562S"),
    # NIF
    ("o meu NIF é 123456789", "pt_nif", "123456789"),
    ("contribuinte 123 456 789", "pt_nif", "123 456 789"),
    ("Contribuinte n.º 123456789", "pt_nif", "123456789"),
    ("NIF:123456789", "pt_nif", "123456789"),
    # DNI and NIE
    ("mi DNI es 54362315K", "es_dni", "54362315K"),
    ("DNI 54362315-K", "es_dni", "54362315-K"),
    ("dni 54362315k", "es_dni", "54362315k"),
    ("NIE X2482300W", "es_dni", "X2482300W"),
    ("NIE X-2482300-W", "es_dni", "X-2482300-W"),
    # e-mail
    ("write to ana.silva+shop@exemplo.com.br.", "email", "ana.silva+shop@exemplo.com.br"),
    ("mail: Anna.Schmidt@GMX.DE", "email", "Anna.Schmidt@GMX.DE"),
    ("(jan_de_vries@ziggo.nl)", "email", "jan_de_vries@ziggo.nl"),
    ("joão.silva@exemplo.com.br", "email", "joão.silva@exemplo.com.br"),
    # phones: international, national with trunk prefix, area code in brackets, mobile groupings, cued
    ("call me on +49 151 23456789", "phone", "+49 151 23456789"),
    ("+4915123456789", "phone", "+4915123456789"),
    ("0049 151 23456789", "phone", "0049 151 23456789"),
    ("ruf an: 0151 23456789", "phone", "0151 23456789"),
    ("Tel. 0151/23456789", "phone", "0151/23456789"),
    ("Rückruf +49 (0)30 1234567", "phone", "+49 (0)30 1234567"),
    ("bel 06-12345678", "phone", "06-12345678"),
    ("06 12345678", "phone", "06 12345678"),
    ("me liga (11) 98765-4321", "phone", "(11) 98765-4321"),
    ("pode chamar no 11 98765-4321", "phone", "11 98765-4321"),
    ("meu zap 11987654321", "phone", "11987654321"),
    ("+55 11 98765-4321", "phone", "+55 11 98765-4321"),
    ("telemóvel 912 345 678", "phone", "912 345 678"),
    ("+351 912 345 678", "phone", "+351 912 345 678"),
    ("il mio numero 333 123 4567", "phone", "333 123 4567"),
    ("call 020 7946 0018", "phone", "020 7946 0018"),
    ("can you call (415) 555-2671?", "phone", "(415) 555-2671"),
    ("my number: 415 555 2671", "phone", "415 555 2671"),
    ("015123456789", "phone", "015123456789"),
]


@pytest.mark.parametrize(("text", "type_", "expected"), POSITIVES)
def test_found_with_exact_span(text: str, type_: str, expected: str) -> None:
    assert spans(text) == [(type_, expected)]


def test_findings_carry_the_category_of_their_type() -> None:
    for text, type_, _ in POSITIVES:
        (finding,) = find(text)
        assert finding.category == CATEGORY_OF_TYPE[type_].value


NEGATIVES = [
    "Bestellung 4711-2023-88 ist noch nicht da",
    "Lieferung am 12.03.2024 um 14:30",
    "delivered 2024-03-12 at 09:15",
    "entrega 12/03/2024 entre 14h e 18h",
    "Ich habe € 1.234,56 bezahlt",
    "paguei R$ 1.500,00 e R$ 12.345.678,90",
    "charged 1,234.56 USD",
    "UPS 1Z999AA10123456784",
    "UPS 1Z 999 AA1 01 2345 6784",
    "rastreio LX123456789BR",
    "DHL JJD0001234567890",
    "Sendungsnummer 00340434161094042557",
    "Rechnungsnummer RE-2024-00123",
    "fattura n. 2024/0012",
    "factuurnummer 20240312-01",
    # wrong check digits
    "iban DE88 3704 0044 0532 0130 00",
    "iban NL92 ABNA 0417 1643 00 werkt niet",
    "card 4111 1111 1111 1112",
    "cpf 390.533.447-06",
    "cpf 111.111.111-11",
    "cpf 000.000.000-00",
    "cpf 22222222222",
    "cnpj 11.111.111/1111-11",
    "bsn 123456789",
    "NIF 123456788",
    "codice fiscale RSSMRA85T10A562X",
    "DNI 54362315A",
    # checksum-valid numbers that are something else by their context or lack of one
    "bestelnummer 123456782",
    "123456782",
    "order 4111111111111111",
    "klantnummer 1234.56.782",
    "Auftragsnummer 65929970489",
    "pedido 39053344705",
    "número de cliente 123456789",
    "the barcode on the box is 4006381333931",
    "IMEI of the phone: 356938035643809",
    "partita iva 01234567890",
    "PLZ 10115 Berlin",
    "CEP 01310-100 São Paulo",
    "código postal 1000-001 Lisboa",
    "postcode 1012 AB Amsterdam",
    "Gutscheincode 8812-4451-9903-2231",
    "ISBN 978-3-16-148410-0",
    "IP 192.168.100.200",
    "v2.3.11 build 20240312",
    "pedido 12345678Z",
    "Kundennummer 1234 5678 90",
    "nota fiscal 000.123.456 série 1",
    "joao at gmail dot com",
    "Konto 0532013000",
    "ok 0532013000 danke",
    "4222222222222",
    "",
    "no digits at all, just words ☕",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_lookalikes_not_flagged(text: str) -> None:
    assert spans(text) == []


def test_offsets_are_python_string_indices_after_emoji_and_accents() -> None:
    text = "😀👍🏽 olá, meu cpf é 390.533.447-05 e o cartão 4111 1111 1111 1111 🙏"
    found = find(text)
    assert covered(text, found) == [
        ("br_cpf", "390.533.447-05"),
        ("payment_card", "4111 1111 1111 1111"),
    ]
    assert found[0].start == text.index("390")


def test_several_identifiers_in_one_line_in_order() -> None:
    text = (
        "Nome: Ana / CPF: 390.533.447-05 / email: ana@exemplo.com.br / cel: (11) 98765-4321 / "
        "IBAN PT50 0002 0123 1234 5678 9015 4"
    )
    assert spans(text) == [
        ("br_cpf", "390.533.447-05"),
        ("email", "ana@exemplo.com.br"),
        ("phone", "(11) 98765-4321"),
        ("iban", "PT50 0002 0123 1234 5678 9015 4"),
    ]


def test_a_card_followed_by_its_expiry_and_cvv() -> None:
    assert spans("4111 1111 1111 1111 12/26 123") == [("payment_card", "4111 1111 1111 1111")]


def test_cue_decides_between_types_sharing_the_digits() -> None:
    # 240845730 passes both the BSN and the NIF checks; 51978470266 both the CPF and the IdNr checks.
    assert spans("BSN 240845730") == [("nl_bsn", "240845730")]
    assert spans("NIF 240845730") == [("pt_nif", "240845730")]
    assert spans("240845730") == []
    assert spans("CPF 51978470266") == [("br_cpf", "51978470266")]
    assert spans("Steuer-ID 51978470266") == [("de_idnr", "51978470266")]
    assert spans("meu zap 51978470266") == [("phone", "51978470266")]


def test_a_cue_stops_at_the_next_code() -> None:
    text = "codice fiscale RSSMRA85T10A562S e il numero 333 123 4567"
    assert spans(text) == [("it_codice_fiscale", "RSSMRA85T10A562S"), ("phone", "333 123 4567")]


def test_a_cue_carries_over_to_a_second_number_of_its_kind() -> None:
    assert spans("o nif do meu pai é 123456789 e o meu 225962489") == [
        ("pt_nif", "123456789"),
        ("pt_nif", "225962489"),
    ]


def test_bare_weak_checksums_need_a_cue() -> None:
    """Random 9-digit numbers pass the BSN or NIF check 1 time in 11: without a cue none is reported."""
    rng = random.Random(11)
    numbers = [str(rng.randrange(100_000_000, 1_000_000_000)) for _ in range(500)]
    assert sum(identifiers._is_bsn(n) or identifiers._is_nif(n) for n in numbers) > 50
    assert [n for n in numbers if find(f"ok {n} obrigado")] == []


def test_two_phones_in_one_run_of_digits() -> None:
    assert spans("0151 23456789 / 0176 98765432") == [("phone", "0151 23456789"), ("phone", "0176 98765432")]


def test_lines_without_long_numbers_skip_the_validators(monkeypatch: pytest.MonkeyPatch) -> None:
    """The common case stays cheap: no checksum, no phone parsing, no cue scan for ordinary chat."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("validator reached")

    monkeypatch.setattr(identifiers, "_valid_phone", forbidden)
    monkeypatch.setattr(identifiers, "_find_cues", forbidden)
    monkeypatch.setattr(identifiers, "_VALIDATORS", {})
    for text in (
        "hi can u deliver before friday?",
        "paid 12,99 on 3 May at 14:30, order 4711",
        "Lieferung am 12.03. zwischen 9 und 12 Uhr",
        "volgens de regels heb ik 14 dagen bedenktijd",
    ):
        assert find(text) == []


def test_lines_without_a_long_number_stop_at_the_first_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """No cue object, no resolution: a plain chat line costs one regex search (two with an "@")."""

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("reached past the first search")

    monkeypatch.setattr(identifiers, "_Cues", forbidden)
    monkeypatch.setattr(identifiers, "_resolve", forbidden)
    for text in ("where is my order #123456? it's been 4 days", "ok thanks", "mail me at ana@"):
        assert find(text) == []


def test_iban_lengths_follow_the_stdnum_registry() -> None:
    from stdnum import numdb

    registry = numdb.get("iban")
    assert len(identifiers._IBAN_LENGTHS) == len(registry.prefixes) > 80
    assert identifiers._IBAN_LENGTHS["DE"] == 22
    assert identifiers._IBAN_LENGTHS["NL"] == 18
    assert all(15 <= n <= 34 for n in identifiers._IBAN_LENGTHS.values() if n is not None)


def test_an_iban_running_on_into_a_code_is_still_found() -> None:
    assert spans("IBAN DE89 3704 0044 0532 0130 00 ref 12") == [("iban", "DE89 3704 0044 0532 0130 00")]
    assert spans("NL91ABNA0417164300 obrigado") == [("iban", "NL91ABNA0417164300")]


def _phone_windows(rng: random.Random, count: int) -> list[tuple[str, str | None]]:
    """Phone-like windows as _PHONE_SPAN yields them, each with the region(s) _valid_phone would try."""
    national = ["0", "01", "011", "1", "9", "90", "55", "351", "39", "44", "49", "31", "3", "06", "07", "015", "(0"]
    national += ["(11) 9", "(212) ", "2", "180020", "0180020", "9012"]
    international = ["+1", "+1 1", "+49", "+49 0", "+44 0", "+31 0", "+55", "+55 0", "+55 011", "+351", "+39 0"]
    international += ["+39 3", "+7", "+0", "+800", "+262", "+290", "+999", "+379", "+1 809", "+1 268", "+358"]
    windows = []
    while len(windows) < count:
        intl = rng.random() < 0.4
        written = rng.choice(international if intl else national)
        written += "".join(rng.choice("0123456789") for _ in range(rng.randint(4, 14)))
        written = "".join(
            c + (rng.choice(" -./\u00a0)") if c.isdigit() and rng.random() < 0.12 else "") for c in written
        )
        written = written.rstrip(" -./\u00a0)")
        if written[-1].isdigit():
            windows += [(written, None)] if intl else [(written, region) for region in identifiers._ALL_REGIONS]
    return windows


def test_phone_parsing_shortcut_agrees_with_phonenumbers() -> None:
    """_parse_phone builds the number phonenumbers.parse would, and _is_valid_phone agrees with
    is_valid_number: checked against the library itself, so an upgrade that changes parsing shows up here."""
    import phonenumbers

    def key(number: phonenumbers.PhoneNumber | None) -> tuple[int, str] | None:
        return None if number is None else (number.country_code, phonenumbers.national_significant_number(number))

    for written, region in _phone_windows(random.Random(5), 3000):
        try:
            expected = phonenumbers.parse(written, region)
        except phonenumbers.NumberParseException:
            expected = None
        got = identifiers._parse_phone(written, region)
        assert key(got) == key(expected), (written, region)
        if got is not None:
            assert identifiers._is_valid_phone(got) == phonenumbers.is_valid_number(expected), (written, region)


# ---- the labelled corpus


def test_corpus_is_well_formed() -> None:
    rows = load_corpus()
    assert_balanced(rows, at_least=230, negatives=Fraction(1, 3), per_language=len(rows) // 8)
    for row in rows:
        for e in row["expect"]:
            assert e["type"] in TYPES
            assert e["match"] in row["text"], row


def test_corpus_precision_and_recall_per_type() -> None:
    # Scored exactly as bench/scan_quality.py scores (same type, overlapping span).
    counts = evaluation.score(load_corpus(), find, types=TYPES)
    report = []
    for type_ in TYPES:
        c = counts.get(type_, evaluation.Counts())
        assert c.tp + c.fn >= 15, f"too few {type_} examples to measure"
        if c.precision < MIN_PRECISION or c.recall < MIN_RECALL:
            report.append(f"{type_}: precision {c.precision:.3f}, recall {c.recall:.3f} ({c})")
    assert not report, "\n".join(report)


def test_one_span_one_type_on_the_corpus() -> None:
    for row in load_corpus():
        found = find(row["text"])
        for a, b in itertools.pairwise(found):
            assert a.end <= b.start, row["text"]
