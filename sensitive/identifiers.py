"""Checksum-validated identifiers, e-mail addresses and phone numbers in chat text.

``find(text)`` returns findings with character offsets into ``text`` (Python ``str`` indices); the span
covers the identifier as written, separators included. Nothing here logs or keeps a value.

Precision comes first: an order number flagged as a tax id teaches agents to ignore the flag. So:

- Every number is validated (python-stdnum checksums, phonenumbers metadata) and must stand alone:
  digits glued to letters ("JJD0001234567890", "LX123456789BR") are codes, not identifiers.
- A checksum alone is not enough for the weak ones. A random 9-digit number passes the BSN or the
  Portuguese NIF check about 1 time in 11, a random 11-digit one the German IdNr check about 1 in 20.
  These are reported only after a cue word ("BSN", "NIF", "contribuinte", "Steuer-ID", ...) or in
  their distinctive written form (BSN ``1234.56.789``, IdNr ``12 345 678 901``).
- CPF and CNPJ carry two check digits (1 in 100), and cards a Luhn digit plus an issuer prefix and
  length, so they are also reported bare, unless the nearest cue belongs to something else.
- The nearest cue word decides between types that validate on the same digits (a 9-digit number can be
  a BSN and a NIF, an 11-digit one a CPF and an IdNr). A cue for something else (order, invoice,
  tracking, customer number, postcode...) vetoes a number that lacks its own cue. A cue stops counting
  for later numbers once another number stands between them ("codice fiscale X e il numero 333...").
- Phones: international numbers (``+``/``00``) are always checked. National ones only when written
  like a phone (trunk ``0``, area code in brackets, a national mobile grouping such as Brazil's
  ``11 98765-4321``) or after a phone cue word; a bare digit string is not a phone. A Brazilian
  mobile written bare ("11987654321") is therefore a phone only after a phone cue; without one it is
  reported as a CPF when its check digits happen to be valid (1 in 100), else not at all.
- One span, one type: overlapping candidates resolve to the longest; on a tie a cued match beats a
  formatted one, which beats a bare one.

- A mistyped IBAN (the shape, wrong check digits) is reported as nothing, and its digits are not tried as a
  phone number or a card either.

Speed: a line whose digits never run to 7 in a row (times, dates, prices, counts, no digit at all) and
hold no codice fiscale pattern costs one regex search, plus the e-mail search when it holds an "@"; it
returns before any cue scan or resolution. Phone numbers are checked only on candidate windows that pass
the shape tests above (running ``PhoneNumberMatcher`` over every line for several regions costs about a
millisecond per line). ``_parse_phone`` builds the ``PhoneNumber`` that ``phonenumbers.parse`` would from
the window's digits and the region's metadata (country code, national prefix), a tenth of parse's cost,
and hands anything unusual (a written international prefix or country code, a carrier code) to parse
itself; a test holds it to parse's results. Validity stays ``phonenumbers``' own check, only without
trying two dozen NANPA regions for a number valid in the US. An IBAN has one length per country (taken
from stdnum's registry at import), so one candidate end is checked, not every end. Nothing is cached per
text or per number. On the development machine (slow, noisy; best of 8 interleaved rounds) a plain
line without digits costs about 0.9 µs, one with short numbers about 2.2 µs (7.5 before), and a line of
corpus/identifiers.jsonl about 110 µs on average (125 before; lines with phones 170, 230 before): that
cost is spread over a dozen regex scans, the cue word scan and stdnum's checksums, not one hot spot.
"""

import re
import string
from collections.abc import Iterator

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumber, ValidationResult
from stdnum import iban, luhn, numdb
from stdnum.br import cnpj, cpf
from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.pt import nif

from sensitive.findings import Finding

# How a candidate earned its place, used to break ties between equally long overlapping candidates.
_CUED, _FORMATTED, _BARE = 3, 2, 1
# The type of a span that is known to be no identifier (a mistyped IBAN): it takes its place, unreported.
_NOTHING = ""

# Every type but the e-mail and the codice fiscale holds 7 digits or more in a row (separators allowed);
# a line without such a number (times, dates, prices, small counts) skips them.
_LONG_NUMBER = re.compile(r"[0-9](?:[ \u00a0.\-/()]?[0-9]){6}")
# Birth year, month letter, birth day, place letter: present in a codice fiscale even after the
# "omocodia" letter substitutions, which start from the place code digits.
_CODICE_FISCALE_HINT = re.compile(r"[0-9]{2}[A-Za-z][0-9]{2}[A-Za-z]")
# Either of the two above, in one search: most lines with digits hold neither.
_NUMBER_OR_HINT = re.compile(r"[0-9](?:[0-9][A-Za-z][0-9]{2}[A-Za-z]|(?:[ \u00a0.\-/()]?[0-9]){6})")
_NON_DIGITS = re.compile(r"[^0-9]+")
_TOKEN = re.compile(r"[^ \u00a0]+")

# A run of digit groups joined by single separators, not glued to letters or codes ("RE-2024-00123").
_NUMBER_RUN = re.compile(
    # The look-behinds follow the first digit so that the search can skip ahead to digits.
    r"[0-9](?<![0-9A-Za-z][0-9])(?<![0-9A-Za-z][\-/][0-9])[0-9]*(?:[ \u00a0.\-/][0-9]+)*"
    r"(?![0-9A-Za-z])(?![\-/][0-9A-Za-z])"
)
# Where a phone number may be written: digits, separators, a leading + and brackets.
_PHONE_SPAN = re.compile(
    r"[+(0-9](?<![0-9A-Za-z].)(?<![0-9A-Za-z][\-/.].)(?:(?<=[+(])[0-9]|(?<=[0-9]))"
    r"[0-9 \u00a0.\-/()]*[0-9](?![0-9A-Za-z])"
)
# The country code may stand apart from the check digits only in capitals: "DE 89 3704 ..." but not "de 12 ...".
_IBAN = re.compile(r"(?<![0-9A-Za-z])(?:[A-Z]{2}[ \u00a0]?|[A-Za-z]{2})[0-9]{2}(?:[ \u00a0\-]?[0-9A-Za-z]){11,32}")
_IBAN_SEPARATORS = re.compile(r"[ \u00a0\-]")
_IBAN_SHAPE = re.compile(
    r"[A-Za-z]{2}[0-9]{2}(?:(?: [0-9A-Za-z]{4})+(?: [0-9A-Za-z]{1,4})?|[0-9A-Za-z]{11,30})(?![0-9A-Za-z])"
)
_CODICE_FISCALE = re.compile(
    r"(?<![0-9A-Za-z])[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z](?![0-9A-Za-z])",
    re.IGNORECASE,
)
# DNI 12345678Z and NIE X1234567L; a space before the letter only when it is a capital, since
# "12345678 e" is a number followed by the Portuguese or Italian "and".
_DNI_NIE = re.compile(
    r"[XYZxyz0-9](?<![0-9A-Za-z].)(?:(?<=[XYZxyz])[ \-]?[0-9]{7}|(?<=[0-9])[0-9]{7})"
    r"(?:-?[A-Za-z]| [A-Z])(?![0-9A-Za-z])"
)
# Local part of word characters and . ' % + -; a domain of labels not starting or ending with "-"; a TLD of letters.
_EMAIL = re.compile(
    r"(?<![\w.%+\-'])[\w%+\-]+(?:[.'][\w%+\-]+)*"
    r"@[^\W_](?:[\w\-]*[^\W_])?(?:\.[^\W_](?:[\w\-]*[^\W_])?)*\.[^\W\d_]{2,}(?![\w\-])"
)
_DATE_TOKEN = re.compile(
    r"[0-9]{1,2}([./\-])[0-9]{1,2}\1(?:[0-9]{2}|[0-9]{4})|[0-9]{1,2}\.[0-9]{1,2}\.|[0-9]{4}-[0-9]{2}-[0-9]{2}"
)
# A code or number standing between a cue word and a later number: the cue was about that one.
_INTERVENING = re.compile(r"(?=[0-9A-Za-z.\-/]{5})[A-Za-z.\-/]*[0-9][A-Za-z.\-/]*[0-9]")
_CURRENCY_BEFORE = re.compile(r"(?:[€$£]|R\$|EUR|BRL|USD|GBP)\s?$", re.IGNORECASE)
_DECIMALS_AFTER = re.compile(r",[0-9]")

# Cue words, lowercased. A cue names what the nearest number is: one of our types, "tax" (some tax id),
# "phone", "iban", or "reference" (an order, invoice, parcel, customer or product number, a postcode).
# Words are matched whole; stems (prefixes) catch compounds such as "Bestellnummer" or "klantnummer".
_CUE_WORDS: dict[str, str] = {
    "br_cpf": "cpf",
    "br_cnpj": "cnpj",
    "nl_bsn": "bsn sofi sofinummer burgerservicenummer",
    "de_idnr": "idnr steuerid identifikationsnummer steueridentifikationsnummer",
    "pt_nif": "nif nipc contribuinte",
    "es_dni": "dni",
    "it_codice_fiscale": "cf codicefiscale",
    "tax": "steuernummer fiscale",
    "payment_card": """
        card cards creditcard kaart carta cartão cartao visa mastercard amex maestro elo hipercard diners
        discover jcb""",
    "iban": "iban bic konto rekening conto conta account",
    "phone": """
        phone mobile cell call ring text tel telephone landline whatsapp zap ruf erreichbar bereikbaar bel
        bellen gsm telefono fisso telefone telemóvel telemovel tlm tlf celular cel liga ligar ligue chamar fixo
        contacto contato""",
    "reference": """
        # tracking track parcel package shipment ref voucher coupon gift barcode ean imei serial item product
        sku postcode zip plz postleitzahl ordine ordini spedizione pacco pratica prodotto matricola cap
        riferimento pod rastreio rastreamento protocolo produto boleto cep registo cpe entidade ups dhl dpd gls
        hermes postnl ctt correios sedex fedex tnt brt sda""",
}
_CUE_STEMS: dict[str, str] = {
    "nl_bsn": "burgerservice",
    "de_idnr": "steuerid steueridentifikations",
    "phone": "whats telefon handy mobil festnetz anruf rückruf telefoon mobiel cellula chiam",
    "reference": """
        order invoice ticket referen transaction transaç bestel rechnung sendung paket auftrag kunden artikel
        vertrag vorgang retoure gutschein zähler serien lieferschein factuur pakket zending klant abonnement
        retour meter fattur pedido encomenda fatura""",
}
_CUE_SUFFIXES: dict[str, str] = {
    "de_idnr": "identifikationsnummer",
    "payment_card": "karte",
}
_CUE_PHRASES: dict[tuple[str, ...], str] = {
    ("steuer", "id"): "de_idnr",
    ("steuer", "identifikationsnummer"): "de_idnr",
    ("id", "nr"): "de_idnr",
    ("sofi", "nummer"): "nl_bsn",
    ("codice", "fiscale"): "it_codice_fiscale",
    ("cod", "fiscale"): "it_codice_fiscale",
    ("identificação", "fiscal"): "pt_nif",
    ("identificacao", "fiscal"): "pt_nif",
    ("tax", "id"): "tax",
    ("tax", "number"): "tax",
    ("tax", "code"): "tax",
    ("tax", "no"): "tax",
    ("fiscal", "number"): "tax",
    ("american", "express"): "payment_card",
    ("master", "card"): "payment_card",
    ("customer", "number"): "reference",
    ("customer", "no"): "reference",
    ("customer", "id"): "reference",
    ("codice", "prodotto"): "reference",
    ("codice", "cliente"): "reference",
    ("partita", "iva"): "reference",
    ("p", "iva"): "reference",
    ("nota", "fiscal"): "reference",
    ("número", "de", "cliente"): "reference",
    ("numero", "de", "cliente"): "reference",
    ("código", "de", "barras"): "reference",
    ("codigo", "de", "barras"): "reference",
    ("código", "postal"): "reference",
    ("codigo", "postal"): "reference",
    ("código", "do", "produto"): "reference",
    ("codigo", "do", "produto"): "reference",
    # "my number" is a phone number; "order number", "Kundennummer" are references (above).
    ("my", "number"): "phone",
    ("meine", "nummer"): "phone",
    ("mijn", "nummer"): "phone",
    ("mio", "numero"): "phone",
    ("meu", "número"): "phone",
    ("meu", "numero"): "phone",
}
_CUE_OF_WORD = {word: kind for kind, words in _CUE_WORDS.items() for word in words.split()}
_LONGEST_PHRASE = max(len(p) for p in _CUE_PHRASES)
_PHRASE_LAST_WORDS = frozenset(p[-1] for p in _CUE_PHRASES)
_STEMS_OF_KIND = {kind: tuple(stems.split()) for kind, stems in _CUE_STEMS.items()}
_SUFFIXES_OF_KIND = {kind: tuple(suffixes.split()) for kind, suffixes in _CUE_SUFFIXES.items()}
_ALL_STEMS = tuple(stem for stems in _STEMS_OF_KIND.values() for stem in stems)
_ALL_SUFFIXES = tuple(suffix for suffixes in _SUFFIXES_OF_KIND.values() for suffix in suffixes)
_WORD = re.compile(r"[^\W\d_]+|#")

_CUE_BEFORE = 40  # characters a cue may stand before the number it qualifies
_CUE_AFTER = 20  # ... or after it, when nothing stands before

# The numeric types of each digit count, in the order they are preferred when nothing else decides.
_TYPES_OF_LENGTH: dict[int, tuple[str, ...]] = {
    9: ("nl_bsn", "pt_nif"),
    11: ("br_cpf", "de_idnr"),
    13: ("payment_card",),
    14: ("payment_card", "br_cnpj"),
    **{n: ("payment_card",) for n in range(15, 20)},
}
# Types that need their own cue word unless written in their distinctive form.
_WEAK = ("nl_bsn", "pt_nif", "de_idnr")
_DISTINCTIVE = {
    "br_cpf": re.compile(r"[0-9]{3}\.[0-9]{3}\.[0-9]{3}[\-/][0-9]{2}|[0-9]{9}-[0-9]{2}"),
    "br_cnpj": re.compile(r"[0-9]{2}\.?[0-9]{3}\.?[0-9]{3}/[0-9]{4}-?[0-9]{2}"),
    "nl_bsn": re.compile(r"[0-9]{4}[. \u00a0][0-9]{2}[. \u00a0][0-9]{3}"),
    "de_idnr": re.compile(r"[0-9]{2}[ \u00a0][0-9]{3}[ \u00a0][0-9]{3}[ \u00a0][0-9]{3}"),
}
_CARD_GROUPING = re.compile(
    r"[0-9]{13,19}|[0-9]{4}(?P<sep>[ \u00a0.\-])[0-9]{4}(?:(?P=sep)[0-9]{4}){1,3}(?:(?P=sep)[0-9]{1,3})?"
    r"|[0-9]{4}(?P<sep2>[ \u00a0\-])[0-9]{6}(?P=sep2)[0-9]{4,5}"
)
# (first digits low, high, allowed lengths): Visa, Mastercard, Amex, Discover, JCB, Diners, Maestro,
# UnionPay, Mir, and the Brazilian Elo and Hipercard ranges.
_CARD_RANGES: tuple[tuple[str, str, frozenset[int]], ...] = (
    ("4", "4", frozenset({13, 16, 19})),
    ("51", "55", frozenset({16})),
    ("2221", "2720", frozenset({16})),
    ("2200", "2204", frozenset({16, 17, 18, 19})),
    ("34", "34", frozenset({15})),
    ("37", "37", frozenset({15})),
    ("6011", "6011", frozenset({16, 17, 18, 19})),
    ("644", "649", frozenset({16, 17, 18, 19})),
    ("65", "65", frozenset({16, 17, 18, 19})),
    ("3528", "3589", frozenset({16, 17, 18, 19})),
    ("36", "36", frozenset({14, 15, 16, 17, 18, 19})),
    ("38", "39", frozenset({16, 17, 18, 19})),
    ("300", "305", frozenset({14, 16, 17, 18, 19})),
    ("5018", "5018", frozenset(range(13, 20))),
    ("5020", "5020", frozenset(range(13, 20))),
    ("5038", "5038", frozenset(range(13, 20))),
    ("5893", "5893", frozenset(range(13, 20))),
    ("6304", "6304", frozenset(range(13, 20))),
    ("6759", "6759", frozenset(range(13, 20))),
    ("6761", "6763", frozenset(range(13, 20))),
    ("62", "62", frozenset({16, 17, 18, 19})),
    ("506699", "506778", frozenset({16})),
    ("509000", "509999", frozenset({16})),
    ("504175", "504175", frozenset({16})),
    ("627780", "627780", frozenset({16})),
    ("636297", "636297", frozenset({16})),
    ("636368", "636368", frozenset({16})),
    ("650031", "650538", frozenset({16})),
    ("650541", "650727", frozenset({16})),
    ("650901", "650920", frozenset({16})),
    ("651652", "651679", frozenset({16})),
    ("655000", "655058", frozenset({16})),
    ("606282", "606282", frozenset({16, 19})),
    ("3841", "3841", frozenset({16, 19})),
)


def _iban_lengths() -> dict[str, int | None]:
    """The IBAN length of each country in stdnum's registry (``None`` where its structure is not a plain
    sequence of fixed-length fields): stdnum rejects any other length, and any country not listed."""
    registry = numdb.get("iban")
    lengths: dict[str, int | None] = {}
    for country in (a + b for a in string.ascii_uppercase for b in string.ascii_uppercase):
        bban = registry.info(country)[0][1].get("bban")
        if bban:
            fixed = re.fullmatch(r"(?:[1-9][0-9]*![nac])+", bban) is not None
            lengths[country] = 4 + sum(int(n) for n in re.findall(r"([0-9]+)!", bban)) if fixed else None
    return lengths


_IBAN_LENGTHS = _iban_lengths()
# The first n characters of an IBAN as _IBAN matches it (single separators between them), for each length n.
_IBAN_PREFIX = {
    n: re.compile(rf"(?:[0-9A-Za-z][ \u00a0\-]?){{{n - 1}}}[0-9A-Za-z]")
    for n in set(_IBAN_LENGTHS.values())
    if n is not None
}
_IBAN_LETTER_VALUES = str.maketrans({chr(c): str(c - 55) for c in range(ord("A"), ord("Z") + 1)})
_NIF_FIRST = frozenset("123568")
_NIF_PREFIXES = frozenset({"45", "70", "71", "72", "74", "75", "77", "78", "79", "90", "91", "98", "99"})

_TRUNK_REGIONS = ("DE", "NL", "GB", "IT")
# Mobile prefixes after the trunk 0: Germany 015-017, the Netherlands (and Austria) 06, the UK 07.
_TRUNK_MOBILE = re.compile(r"0(?:1[5-7]|6|7)")
_ALL_REGIONS = ("BR", "PT", "IT", "US", "GB", "DE", "NL")
# National mobile groupings distinctive enough to be read as phones without a cue word.
_PHONE_SHAPES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"[0-9]{2} 9?[0-9]{4}-[0-9]{4}"), ("BR",)),
    (re.compile(r"3[0-9]{2}[ .][0-9]{3}[ .]?[0-9]{3,4}|3[0-9]{2}[ .][0-9]{6,7}"), ("IT",)),
    (re.compile(r"9[1236][0-9] [0-9]{3} [0-9]{3}"), ("PT",)),
    (re.compile(r"[2-9][0-9]{2}-[2-9][0-9]{2}-[0-9]{4}"), ("US",)),
)
_MIN_PHONE_DIGITS, _MAX_PHONE_DIGITS = 8, 15
# The longest national number in the regions tried (Germany: 11 digits after the trunk 0).
_MAX_NATIONAL_DIGITS = 12
_MAX_PHONE_TOKENS = 6
_COUNTRY_CODES = phonenumbers.COUNTRY_CODE_TO_REGION_CODE
# What parse does with a national prefix when the rest is of these lengths: keeps it.
_KEEPS_NATIONAL_PREFIX = (
    ValidationResult.TOO_SHORT,
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    ValidationResult.INVALID_LENGTH,
)


def find(text: str) -> list[Finding]:
    """Identifiers in ``text``, one type per span, ordered by position."""
    candidates: list[tuple[int, int, str, int]] = []
    if "@" in text:
        candidates.extend((m.start(), m.end(), "email", _CUED) for m in _EMAIL.finditer(text))
    if _NUMBER_OR_HINT.search(text) is None:
        return _resolve(candidates) if candidates else []
    cues = _Cues(text)
    if _CODICE_FISCALE_HINT.search(text) is not None:
        candidates.extend(_codici_fiscali(text))
    if _LONG_NUMBER.search(text) is not None:
        candidates.extend(_ibans(text))
        candidates.extend(_dni_nie(text, cues))
        # Digits inside an IBAN or a DNI are not tried again as cards, tax ids or phones.
        claimed = [(start, end) for start, end, type_, _ in candidates if type_ != "email"]
        candidates.extend(_numeric_ids(text, cues, claimed))
        candidates.extend(_phones(text, cues, claimed))
    return _resolve(candidates) if candidates else []


class _Cues:
    """Cue words of one text, found on first use (most texts with digits hold no identifier)."""

    __slots__ = ("_found", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._found: list[tuple[int, int, str]] | None = None

    def nearest(self, start: int, end: int) -> tuple[str | None, bool]:
        """The kind of the cue qualifying ``text[start:end]``, and whether another code stands between them.

        The nearest cue before the number wins; a cue after it counts only when none stands before.
        """
        if self._found is None:
            self._found = _find_cues(self._text)
        before = [c for c in self._found if c[1] <= start and start - c[1] <= _CUE_BEFORE]
        if before:
            cue_start, cue_end, kind = max(before, key=lambda c: c[1])
            return kind, _INTERVENING.search(self._text, cue_end, start) is not None
        after = [c for c in self._found if c[0] >= end and c[0] - end <= _CUE_AFTER]
        if after:
            cue_start, cue_end, kind = min(after, key=lambda c: c[0])
            return kind, _INTERVENING.search(self._text, end, cue_start) is not None
        return None, False


def _find_cues(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each cue word or phrase in ``text``; a phrase wins over its last word."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lowercase to two; keep offsets right
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    found = []
    words: list[tuple[int, str]] = []
    for match in _WORD.finditer(lowered):
        word = match.group()
        words.append((match.start(), word))
        kind = None
        if word in _PHRASE_LAST_WORDS:
            for n in range(min(_LONGEST_PHRASE, len(words)), 1, -1):
                kind = _CUE_PHRASES.get(tuple(w for _, w in words[-n:]))
                if kind is not None:
                    found.append((words[-n][0], match.end(), kind))
                    break
        if kind is None:
            kind = _CUE_OF_WORD.get(word)
            if kind is None and (word.startswith(_ALL_STEMS) or word.endswith(_ALL_SUFFIXES)):
                kind = _cue_of_compound(word)
            if kind is not None:
                found.append((match.start(), match.end(), kind))
    return found


def _cue_of_compound(word: str) -> str | None:
    for kind, stems in _STEMS_OF_KIND.items():
        if word.startswith(stems):
            return kind
    for kind, suffixes in _SUFFIXES_OF_KIND.items():
        if word.endswith(suffixes):
            return kind
    return None


def _numeric_ids(text: str, cues: _Cues, claimed: list[tuple[int, int]]) -> Iterator[tuple[int, int, str, int]]:
    """Cards, CPF, CNPJ, BSN, NIF and IdNr in runs of digit groups; a run may hold several."""
    for run in _NUMBER_RUN.finditer(text):
        start, end = run.span()
        if end - start < 9 or _count_digits(run.group()) < 9:
            continue
        if start and text[start - 1] == "+":
            continue  # an international phone number
        if _is_amount(text, start, end):
            continue
        for tokens in _unclaimed_tokens(run, claimed):
            yield from _numeric_windows(text, tokens, cues)


def _numeric_windows(text: str, tokens: list[tuple[int, int, str]], cues: _Cues) -> Iterator[tuple[int, int, str, int]]:
    """Every window of consecutive tokens with the digit count of a numeric type, classified."""
    counts = [len(tok) - tok.count(".") - tok.count("-") - tok.count("/") for _, _, tok in tokens]
    dates = [_DATE_TOKEN.fullmatch(tok) is not None for _, _, tok in tokens]
    for i in range(len(tokens)):
        ndigits = 0
        for j in range(i, len(tokens)):
            ndigits += counts[j]
            if ndigits > 19 or dates[j]:
                break
            if ndigits not in _TYPES_OF_LENGTH:
                continue
            w_start, w_end = tokens[i][0], tokens[j][1]
            written = text[w_start:w_end]
            found = _classify_number(written, _NON_DIGITS.sub("", written), cues, w_start, w_end)
            if found is not None:
                yield (w_start, w_end, *found)


def _classify_number(written: str, digits: str, cues: _Cues, start: int, end: int) -> tuple[str, int] | None:
    """The one type ``written`` is read as, and how strongly; ``None`` when it is no identifier.

    Only the types the cue or the formatting could accept are validated: checksums cost more than lookups.
    """
    types = _TYPES_OF_LENGTH.get(len(digits), ())
    cue, blocked = cues.nearest(start, end)
    if cue in types and _VALIDATORS[cue](digits):
        return cue, _CUED
    if cue == "tax":
        for type_ in types:
            if type_ in _WEAK and _VALIDATORS[type_](digits):
                return type_, _CUED
    # Another cue vetoes what has no cue of its own; a phone cue lets the weak types' written forms stand,
    # since "1234.56.782" is no phone number (and when it parses as one, the cued phone wins the tie).
    vetoed = cue is not None and not blocked and cue != "iban"
    for type_ in types:
        pattern = _DISTINCTIVE.get(type_)
        if (
            pattern is not None
            and (not vetoed or type_ not in _WEAK or cue == "phone")
            and pattern.fullmatch(written)
            and _VALIDATORS[type_](digits)
        ):
            return type_, _FORMATTED
    if vetoed:
        return None
    if "payment_card" in types and _CARD_GROUPING.fullmatch(written) and _is_card(digits):
        # 13 digits starting with 4: an EAN-13 barcode of a German product far more often than an old Visa.
        if len(digits) != 13 or digits[0] != "4":
            return "payment_card", _BARE
    if digits == written:
        for type_ in ("br_cpf", "br_cnpj"):
            if type_ in types and _VALIDATORS[type_](digits):
                return type_, _BARE
    return None


def _ibans(text: str) -> Iterator[tuple[int, int, str, int]]:
    for match in _IBAN.finditer(text):
        end = _longest_valid_iban(text, match.start(), match.end())
        if end is not None:
            yield match.start(), end, "iban", _CUED
        elif shaped := _IBAN_SHAPE.match(text, match.start()):
            # A mistyped IBAN: not reported, but its digits are no phone number either.
            yield match.start(), shaped.end(), _NOTHING, 0


def _codici_fiscali(text: str) -> Iterator[tuple[int, int, str, int]]:
    for match in _CODICE_FISCALE.finditer(text):
        if codicefiscale.is_valid(match.group().upper()):
            yield match.start(), match.end(), "it_codice_fiscale", _CUED


def _dni_nie(text: str, cues: _Cues) -> Iterator[tuple[int, int, str, int]]:
    for match in _DNI_NIE.finditer(text):
        value = match.group().replace(" ", "").replace("-", "").upper()
        if dni.is_valid(value) or nie.is_valid(value):
            cue, blocked = cues.nearest(*match.span())
            if cue == "reference" and not blocked:
                continue
            yield match.start(), match.end(), "es_dni", _CUED


def _longest_valid_iban(text: str, start: int, end: int) -> int | None:
    """The end of the longest valid IBAN starting at ``start``; the regex may have run on into words.

    A country's IBANs have one length, so only one stop can end a valid one.
    """
    country = text[start : start + 2].upper()
    if country not in _IBAN_LENGTHS:
        return None
    length = _IBAN_LENGTHS[country]
    if length is not None:
        prefix = _IBAN_PREFIX[length].match(text, start, end)
        return None if prefix is None else _valid_iban_end(text, start, prefix.end())
    for stop in range(end, start + 14, -1):
        if (found := _valid_iban_end(text, start, stop)) is not None:
            return found
    return None


def _valid_iban_end(text: str, start: int, stop: int) -> int | None:
    """``stop``, when ``text[start:stop]`` is a valid IBAN standing alone."""
    if stop - start < 15 or not text[stop - 1].isalnum() or (stop < len(text) and text[stop].isalnum()):
        return None
    value = _IBAN_SEPARATORS.sub("", text[start:stop]).upper()
    if 15 <= len(value) <= 34 and _iban_check_digits_ok(value) and iban.is_valid(value):
        return stop
    return None


def _iban_check_digits_ok(value: str) -> bool:
    """ISO 13616's mod 97, cheaply, before stdnum's full check (country length, BBAN structure)."""
    rearranged = (value[4:] + value[:4]).translate(_IBAN_LETTER_VALUES)
    return rearranged.isdigit() and int(rearranged) % 97 == 1


def _phones(text: str, cues: _Cues, claimed: list[tuple[int, int]]) -> Iterator[tuple[int, int, str, int]]:
    """Phone numbers, tried from the longest plausible window of each digit span.

    A window starts where the span starts, right after a phone already found, at a "+" or "(", or after
    a lone separator ("0151 2345678 / 0176 1234567"): never in the middle of a longer number.
    """
    for span in _PHONE_SPAN.finditer(text):
        if span.end() - span.start() < _MIN_PHONE_DIGITS or _count_digits(span.group()) < _MIN_PHONE_DIGITS:
            continue
        for tokens in _unclaimed_tokens(span, claimed):
            yield from _phones_in(text, tokens, cues)


def _phones_in(text: str, tokens: list[tuple[int, int, str]], cues: _Cues) -> Iterator[tuple[int, int, str, int]]:
    """The phone numbers in consecutive tokens, each the longest window that parses."""
    counts = [_count_digits(tok) for _, _, tok in tokens]
    dates = [_DATE_TOKEN.fullmatch(tok) is not None for _, _, tok in tokens]
    i = next_start = 0
    while i < len(tokens):
        found = None
        if i == next_start or tokens[i][2][0] in "+(" or counts[i - 1] == 0:
            found = _longest_phone(text, tokens, counts, dates, i, cues)
        if found is None:
            i += 1
        else:
            last, strength = found
            yield tokens[i][0], tokens[last][1], "phone", strength
            i = next_start = last + 1


def _longest_phone(
    text: str, tokens: list[tuple[int, int, str]], counts: list[int], dates: list[bool], i: int, cues: _Cues
) -> tuple[int, int] | None:
    """The last token of the longest phone number starting at token ``i``, and how strongly it is one."""
    first = tokens[i][2]
    international = first[0] == "+" or first.startswith("00")
    low, high = (
        (_MIN_PHONE_DIGITS, _MAX_PHONE_DIGITS + 2) if international else (_MIN_PHONE_DIGITS, _MAX_NATIONAL_DIGITS)
    )
    cue: str | None = None
    cue_known = international
    for j in range(min(len(tokens), i + _MAX_PHONE_TOKENS) - 1, i - 1, -1):
        start, end = tokens[i][0], tokens[j][1]
        written = text[start:end]
        if not written[-1].isdigit() or any(dates[i : j + 1]) or not low <= sum(counts[i : j + 1]) <= high:
            continue
        if international:
            if _valid_phone("+" + written[2:] if written[0] == "0" else written, (None,)):
                return j, _FORMATTED
            continue
        if _is_amount(text, start, end):
            continue
        if not cue_known:
            cue, blocked = cues.nearest(tokens[i][0], tokens[i][1])
            if cue is not None and cue != "phone" and not blocked:
                return None  # a number next to "order", "IBAN", "CPF"... is that, not a phone
            cue_known = True
        regions = _national_regions(written, cue == "phone")
        if regions and _valid_phone(written, regions):
            return j, _CUED if cue == "phone" else _FORMATTED
    return None


def _national_regions(written: str, cued: bool) -> tuple[str, ...]:
    """The regions a number without country code is tried in, by how it is written; none if not phone-like."""
    if written[0] == "(":
        area = written[1 : written.find(")")] if ")" in written else ""
        return ("BR",) if len(area) == 2 else ("US",) if len(area) == 3 else _ALL_REGIONS
    if written[0] == "0":
        # Unseparated, a 0-number is read as a phone only with a mobile prefix or a cue: nearly any
        # 9 to 12 digits after a 0 make a valid German number, and account or customer numbers start with 0 too.
        if cued or not written.isdigit() or _TRUNK_MOBILE.match(written):
            return _TRUNK_REGIONS
        return ()
    if cued:
        return _ALL_REGIONS
    for shape, regions in _PHONE_SHAPES:
        if shape.fullmatch(written):
            return regions
    return ()


def _valid_phone(written: str, regions: tuple[str | None, ...]) -> bool:
    for region in regions:
        number = _parse_phone(written, region)
        if number is not None and _is_valid_phone(number):
            return True
    return False


def _parse_phone(written: str, region: str | None) -> PhoneNumber | None:
    """What ``phonenumbers.parse(written, region)`` returns, ``None`` where it raises.

    ``written`` is a window of _PHONE_SPAN: digits, separators and brackets, a "+" only in front (region
    ``None``). For such input parse comes down to the steps below, which cost a tenth of it; any case they
    leave open (an international prefix or the country code written in a national number, a national prefix
    with carrier code) goes to parse itself.
    """
    digits = _NON_DIGITS.sub("", written)
    if region is None:
        country_code = next((int(digits[:n]) for n in (1, 2, 3) if int(digits[:n]) in _COUNTRY_CODES), 0)
        if digits[0] == "0" or not country_code:
            return _parse_phone_fully(written, region)
        national = digits[len(str(country_code)) :]
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(
            country_code, phonenumbers.region_code_for_country_code(country_code)
        )
    else:
        metadata = PhoneMetadata.metadata_for_region(region)
        country_code, national = metadata.country_code, digits
        if (
            "+" in written
            or phonenumbers.region_code_for_country_code(country_code) != region
            or digits.startswith(str(country_code))
            or re.match(metadata.international_prefix or "(?!)", digits)
        ):
            return _parse_phone_fully(written, region)
    if len(national) < 2:
        return _parse_phone_fully(written, region)
    national = _strip_national_prefix(national, metadata, country_code)
    if national is None:
        return _parse_phone_fully(written, region)
    if len(national) > 17:  # parse: too long
        return None
    return _phone_number(country_code, national)


def _strip_national_prefix(national: str, metadata: PhoneMetadata, country_code: int) -> str | None:
    """``national`` without the national prefix where parse strips it; ``None`` for a carrier code."""
    prefix = re.compile(metadata.national_prefix_for_parsing or "(?!)")
    found = prefix.match(national)
    if found is None:
        return national
    if prefix.groups or metadata.national_prefix_transform_rule:
        return None
    general = metadata.general_desc.national_number_pattern
    stripped = national[found.end() :]
    if general and re.fullmatch(general, national) and not re.fullmatch(general, stripped):
        return national
    if not stripped:
        return national
    # parse keeps the prefix when what remains cannot be a whole number of the region.
    possible = phonenumbers.is_possible_number_with_reason(_phone_number(country_code, stripped))
    return national if possible in _KEEPS_NATIONAL_PREFIX else stripped


def _phone_number(country_code: int, national: str) -> PhoneNumber:
    """The number parse builds from a country code and a national significant number (leading zeros kept)."""
    zeros = len(national) - len(national.lstrip("0"))
    zeros = min(zeros, len(national) - 1)
    return PhoneNumber(
        country_code=country_code,
        national_number=int(national),
        italian_leading_zero=True if zeros else None,
        number_of_leading_zeros=zeros if zeros > 1 else None,
    )


def _parse_phone_fully(written: str, region: str | None) -> PhoneNumber | None:
    try:
        return phonenumbers.parse(written, region)
    except phonenumbers.NumberParseException:
        return None


def _is_valid_phone(number: PhoneNumber) -> bool:
    """``phonenumbers.is_valid_number``; a number valid in the first region of its country code is valid
    without trying the others (two dozen for +1), where that region is told apart by validation alone."""
    regions = _COUNTRY_CODES.get(number.country_code, ())
    if len(regions) > 1:
        first = PhoneMetadata.metadata_for_region(regions[0])
        if first is not None and first.leading_digits is None:
            if phonenumbers.is_valid_number_for_region(number, regions[0]):
                return True
    return phonenumbers.is_valid_number(number)


def _resolve(candidates: list[tuple[int, int, str, int]]) -> list[Finding]:
    """One type per span: longest first, then the strongest; a candidate overlapping a kept one is dropped."""
    kept: list[tuple[int, int, str, int]] = []
    for candidate in sorted(candidates, key=lambda c: (c[0] - c[1], -c[3], c[0])):
        if all(candidate[1] <= k[0] or k[1] <= candidate[0] for k in kept):
            kept.append(candidate)
    # Kept spans do not overlap: ordered by start, as Finding orders, without comparing dataclasses.
    return [Finding(start, end, type_) for start, end, type_, _ in sorted(kept) if type_ != _NOTHING]


def _is_amount(text: str, start: int, end: int) -> bool:
    return bool(_DECIMALS_AFTER.match(text, end)) or bool(_CURRENCY_BEFORE.search(text, max(0, start - 4), start))


def _unclaimed_tokens(match: re.Match[str], claimed: list[tuple[int, int]]) -> Iterator[list[tuple[int, int, str]]]:
    """The space-separated tokens of ``match`` as (start, end, token), in runs that avoid the claimed spans."""
    offset = match.start()
    if not any(s < match.end() and offset < e for s, e in claimed):
        yield [(offset + t.start(), offset + t.end(), t.group()) for t in _TOKEN.finditer(match.group())]
        return
    tokens: list[tuple[int, int, str]] = []
    for token in _TOKEN.finditer(match.group()):
        start, end = offset + token.start(), offset + token.end()
        if any(s < end and start < e for s, e in claimed):
            if tokens:
                yield tokens
            tokens = []
        else:
            tokens.append((start, end, token.group()))
    if tokens:
        yield tokens


def _count_digits(token: str) -> int:
    """The digits of a number run or a phone span: its other characters are separators, brackets and "+"."""
    # str.count per character is several times cheaper than a regex findall or str.translate.
    return (
        len(token)
        - token.count(" ")
        - token.count("\u00a0")
        - token.count(".")
        - token.count("-")
        - token.count("/")
        - token.count("(")
        - token.count(")")
        - token.count("+")
    )


def _is_card(digits: str) -> bool:
    if not 13 <= len(digits) <= 19 or not luhn.is_valid(digits):
        return False
    return any(low <= digits[: len(low)] <= high and len(digits) in lengths for low, high, lengths in _CARD_RANGES)


def _is_cpf(digits: str) -> bool:
    # stdnum accepts 111.111.111-11 and the like, whose check digits work out; no CPF is issued so.
    return len(digits) == 11 and len(set(digits)) > 1 and cpf.is_valid(digits)


def _is_cnpj(digits: str) -> bool:
    return len(digits) == 14 and len(set(digits[:12])) > 1 and cnpj.is_valid(digits)


def _is_nif(digits: str) -> bool:
    return len(digits) == 9 and (digits[0] in _NIF_FIRST or digits[:2] in _NIF_PREFIXES) and nif.is_valid(digits)


def _is_bsn(digits: str) -> bool:
    return len(digits) == 9 and len(set(digits)) > 1 and bsn.is_valid(digits)


def _is_idnr(digits: str) -> bool:
    return len(digits) == 11 and idnr.is_valid(digits)


_VALIDATORS = {
    "payment_card": _is_card,
    "br_cpf": _is_cpf,
    "br_cnpj": _is_cnpj,
    "nl_bsn": _is_bsn,
    "pt_nif": _is_nif,
    "de_idnr": _is_idnr,
}
