"""Interpret consent keywords in inbound WhatsApp messages.

Customers withdraw marketing consent by writing STOP (or a local equivalent),
opt back in with START, and confirm a double opt-in with YES / JA / SÌ / SIM.
`interpret` turns one inbound message into an `Intent` plus the canonical
keyword that triggered it. The keyword, never the message text, is what the
consent ledger stores as evidence: the message may contain personal data, the
keyword cannot.

Two requirements pull in opposite directions, and the rules below settle them:

* Withdrawal must be as easy as giving consent (GDPR art. 7(3), LGPD art. 8
  §5). So opt-out keywords of *every* supported language are recognised
  whatever language we guessed for the customer, in any case, with or without
  accents, with punctuation, emoji and a polite word ("please", "bitte",
  "por favor") around them.
* An ordinary sentence must never be read as a withdrawal or a consent:
  "don't stop the delivery", "please stop by the store", "Ja, aber wann kommt
  mein Paket?". A message therefore matches only when, once normalised, it is
  nothing but one keyword (possibly repeated: "stop stop") with optional
  polite filler before or after it. Any other word, including every negation
  ("don't", "nicht", "niet", "non", "não"), makes it NONE. NONE is the safe
  answer: a human agent reads the message and can act on it.

Decisions worth knowing:

* CANCEL, CANCELAR, ANNULEREN, KÜNDIGEN are *not* opt-out keywords. In a
  contact center "cancel" is nearly always about an order, a booking or a
  contract; treating it as withdrawal would silently drop marketing consent
  of a customer who asked for something else. END and QUIT are left out for
  the same reason: in a live chat they usually mean "end this conversation".
  ANNULLA (Italian "cancel") is the exception, kept because the product brief
  lists it among the Italian opt-out words; in a sentence ("annulla
  l'ordine") it is still NONE.
* STOP PROMOTIONS is the default text of Meta's marketing opt-out quick-reply
  button, so a tap on that button is recognised.
* A question is not an instruction: "STOP?" or "unsubscribe?" is NONE, since
  the customer is more likely asking what the word does than using it.
* Confirmation is deliberately narrow (YES/Y, JA, SI, SIM/S). OK, SURE, "👍"
  are not an unambiguous affirmative act, which a double opt-in needs.
* Opt-in and confirm words count for the conversation's language plus
  English; only opt-out is universal. "Sim" from a German customer is more
  likely noise than a Portuguese confirmation, and a missed opt-in costs
  nothing but a retry, while a missed opt-out breaks the law.
* Polite filler for opt-out comes from every language ("PARAR por favor" with
  the language guessed as English still withdraws); for opt-in and confirm
  it comes from the conversation's language plus English, like the keywords.
* Messages longer than 60 characters are NONE without further parsing:
  nobody types a bare keyword that long, and it keeps the hot path cheap.
* Canonical keywords are upper-case and accent-free ("SÌ" is stored as "SI")
  so evidence compares reliably across channels and encodings.
* Language codes are case-insensitive; "pt" and regional variants ("pt-PT",
  "de-AT") use their base language; anything unknown falls back to English
  plus the universal opt-out words.
* Priority when a message fits two intents (possible through `extra`):
  OPT_OUT, then OPT_IN, then CONFIRM. Withdrawal wins because wrongly keeping
  consent is the costlier error; explicit opt-in beats a bare confirmation.
"""

import enum
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = ["Intent", "KeywordMatch", "interpret"]


class Intent(enum.StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    CONFIRM = "confirm"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class KeywordMatch:
    intent: Intent
    # Canonical upper-case keyword, "" for NONE. Stored as consent evidence,
    # so it must never carry the customer's own text.
    keyword: str

    def __post_init__(self) -> None:
        if (self.intent == Intent.NONE) != (self.keyword == ""):
            raise ValueError("keyword must be empty exactly when intent is NONE")


# A bare keyword plus a polite word fits easily; longer texts are sentences.
_MAX_MESSAGE_LENGTH = 60
# "stop stop stop" is emphasis; more repetitions are not worth special-casing.
_MAX_REPEATS = 3

_Phrase = tuple[str, ...]

_NO_MATCH = KeywordMatch(Intent.NONE, "")

# Runs of letters/digits; everything else (punctuation, emoji, apostrophes,
# hyphens) separates words, which makes "opt-out" and "opt out" the same.
_WORD_RE = re.compile(r"[^\W_]+")
# Checked after NFKC, which already maps fullwidth and small question marks
# to "?".
_QUESTION_RE = re.compile("[?¿؟❓❔]")


@dataclass(frozen=True, slots=True)
class _Keyword:
    canonical: str
    variants: tuple[str, ...] = ()


def _kw(canonical: str, *variants: str) -> _Keyword:
    return _Keyword(canonical, variants)


_LANGUAGES = ("en", "de", "nl", "it", "pt-br")
_LANGUAGE_ALIASES = {"pt": "pt-br"}
_FALLBACK_LANGUAGE = "en"

_OPT_OUT_KEYWORDS: dict[str, tuple[_Keyword, ...]] = {
    "en": (
        _kw("STOP"),
        _kw("STOP ALL", "STOPALL"),
        _kw("UNSUBSCRIBE", "UNSUB"),
        _kw("OPT OUT", "OPTOUT"),
        _kw("STOP PROMOTIONS"),
    ),
    "de": (_kw("STOPP"), _kw("ABMELDEN"), _kw("ABBESTELLEN")),
    "nl": (_kw("STOPPEN"), _kw("AFMELDEN"), _kw("UITSCHRIJVEN")),
    "it": (_kw("ANNULLA"), _kw("DISISCRIVIMI"), _kw("CANCELLAMI"), _kw("BASTA")),
    "pt-br": (_kw("PARAR"), _kw("SAIR"), _kw("DESCADASTRAR")),
}

_OPT_IN_KEYWORDS: dict[str, tuple[_Keyword, ...]] = {
    "en": (
        _kw("START"),
        _kw("UNSTOP"),
        _kw("SUBSCRIBE"),
        _kw("OPT IN", "OPTIN"),
    ),
    "de": (_kw("START"), _kw("STARTEN"), _kw("ANMELDEN")),
    "nl": (_kw("START"), _kw("STARTEN"), _kw("AANMELDEN")),
    "it": (_kw("ISCRIVIMI"),),
    "pt-br": (_kw("INICIAR"), _kw("ASSINAR")),
}

_CONFIRM_KEYWORDS: dict[str, tuple[_Keyword, ...]] = {
    "en": (_kw("YES"), _kw("Y")),
    "de": (_kw("JA"),),
    "nl": (_kw("JA"),),
    "it": (_kw("SI"),),
    "pt-br": (_kw("SIM"), _kw("S")),
}

_FILLERS: dict[str, tuple[str, ...]] = {
    "en": ("please", "pls", "plz", "thanks", "thank you", "thx"),
    "de": ("bitte", "danke", "danke schön", "danke schoen", "vielen dank"),
    "nl": (
        "graag",
        "alstublieft",
        "alsjeblieft",
        "aub",
        "a.u.b.",
        "dank je",
        "dank je wel",
        "dankjewel",
        "dank u",
        "dank u wel",
        "bedankt",
    ),
    "it": ("per favore", "perfavore", "grazie", "grazie mille"),
    "pt-br": ("por favor", "pfv", "obrigado", "obrigada", "valeu"),
}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _split(folded: str) -> _Phrase:
    if not folded.isascii():
        # Accents go so "PARÁR" and "parar" agree; invisible format characters
        # (zero-width joiners, soft hyphens) go so they cannot split a word.
        folded = "".join(
            ch
            for ch in unicodedata.normalize("NFD", folded)
            if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf"
        )
    return tuple(_WORD_RE.findall(folded))


def _phrase(text: str) -> _Phrase:
    return _split(_fold(text))


def _canonical(phrase: _Phrase) -> str:
    return " ".join(phrase).upper()


_ALL_FILLERS: frozenset[_Phrase] = frozenset(_phrase(filler) for fillers in _FILLERS.values() for filler in fillers)
_LONGEST_FILLER = max(len(filler) for filler in _ALL_FILLERS)


def _strip_fillers(tokens: _Phrase, fillers: frozenset[_Phrase]) -> _Phrase:
    start, end = 0, len(tokens)
    while start < end:
        for size in range(min(_LONGEST_FILLER, end - start), 0, -1):
            if tokens[start : start + size] in fillers:
                start += size
                break
        else:
            break
    while end > start:
        for size in range(min(_LONGEST_FILLER, end - start), 0, -1):
            if tokens[end - size : end] in fillers:
                end -= size
                break
        else:
            break
    return tokens[start:end]


def _keyword_phrase(spelling: str) -> _Phrase:
    phrase = _phrase(spelling)
    if not phrase:
        raise ValueError(f"keyword {spelling!r} has no letters or digits")
    # Filler is stripped before lookup, so a keyword that starts or ends with
    # filler could never match; refuse it instead of failing silently.
    if _strip_fillers(phrase, _ALL_FILLERS) != phrase:
        raise ValueError(f"keyword {spelling!r} starts or ends with a polite filler")
    return phrase


def _add(table: dict[_Phrase, str], spelling: str, canonical: str) -> None:
    if table.setdefault(_keyword_phrase(spelling), canonical) != canonical:
        raise ValueError(f"keyword {spelling!r} has two canonical forms")


def _table(*groups: tuple[_Keyword, ...]) -> dict[_Phrase, str]:
    table: dict[_Phrase, str] = {}
    for group in groups:
        for keyword in group:
            canonical = _canonical(_keyword_phrase(keyword.canonical))
            for spelling in (keyword.canonical, *keyword.variants):
                _add(table, spelling, canonical)
    return table


@dataclass(frozen=True, slots=True)
class _Profile:
    opt_in: dict[_Phrase, str]
    confirm: dict[_Phrase, str]
    fillers: frozenset[_Phrase]


def _profile(language: str) -> _Profile:
    scope = dict.fromkeys((language, _FALLBACK_LANGUAGE))
    return _Profile(
        opt_in=_table(*(_OPT_IN_KEYWORDS[code] for code in scope)),
        confirm=_table(*(_CONFIRM_KEYWORDS[code] for code in scope)),
        fillers=frozenset(_phrase(f) for code in scope for f in _FILLERS[code]),
    )


_OPT_OUT_TABLE = _table(*_OPT_OUT_KEYWORDS.values())
_PROFILES: dict[str, _Profile] = {code: _profile(code) for code in _LANGUAGES}


def _profile_for(language: str) -> _Profile:
    code = (language or "").strip().casefold().replace("_", "-")
    for candidate in (code, code.split("-", 1)[0]):
        candidate = _LANGUAGE_ALIASES.get(candidate, candidate)
        if candidate in _PROFILES:
            return _PROFILES[candidate]
    return _PROFILES[_FALLBACK_LANGUAGE]


@dataclass(frozen=True, slots=True)
class _Extra:
    opt_out: dict[_Phrase, str]
    opt_in: dict[_Phrase, str]
    confirm: dict[_Phrase, str]


_EMPTY_EXTRA = _Extra({}, {}, {})
_FrozenExtra = tuple[tuple[str, tuple[str, ...]], ...]


def _freeze(extra: Mapping[str, Iterable[str]]) -> _FrozenExtra:
    frozen: list[tuple[str, tuple[str, ...]]] = []
    for key, words in extra.items():
        # A bare string would otherwise be iterated letter by letter.
        spellings = (words,) if isinstance(words, str) else tuple(words)
        for spelling in spellings:
            if not isinstance(spelling, str):
                raise TypeError(f"extra keywords must be strings, got {spelling!r}")
        frozen.append((str(key).strip().casefold(), spellings))
    return tuple(frozen)


# Extras are per-purpose configuration, i.e. the same few mappings on every
# message; caching keeps their normalisation off the hot path.
@functools.lru_cache(maxsize=256)
def _compile_extra(frozen: _FrozenExtra) -> _Extra:
    tables: dict[Intent, dict[_Phrase, str]] = {
        Intent.OPT_OUT: {},
        Intent.OPT_IN: {},
        Intent.CONFIRM: {},
    }
    for key, spellings in frozen:
        try:
            table = tables[Intent(key)]
        except (ValueError, KeyError):
            raise ValueError(f"unknown extra keyword purpose {key!r}; expected one of {', '.join(tables)}") from None
        for spelling in spellings:
            canonical = _canonical(_keyword_phrase(spelling))
            _add(table, spelling, canonical)
    return _Extra(tables[Intent.OPT_OUT], tables[Intent.OPT_IN], tables[Intent.CONFIRM])


def _lookup(core: _Phrase, *tables: dict[_Phrase, str]) -> str | None:
    for table in tables:
        if hit := table.get(core):
            return hit
    size = len(core)
    for repeats in range(2, _MAX_REPEATS + 1):
        if size % repeats:
            continue
        unit = core[: size // repeats]
        if unit * repeats != core:
            continue
        for table in tables:
            if hit := table.get(unit):
                return hit
    return None


def interpret(text: str, language: str, *, extra: Mapping[str, Iterable[str]] | None = None) -> KeywordMatch:
    """Return the consent intent of one inbound message, NONE when in doubt.

    `extra` maps an intent value ("opt_out", "opt_in", "confirm") to keywords
    that count for this purpose on top of the defaults, in any language.
    """
    if not text:
        return _NO_MATCH
    text = text.strip()
    if not text or len(text) > _MAX_MESSAGE_LENGTH:
        return _NO_MATCH
    folded = _fold(text)
    if _QUESTION_RE.search(folded):
        return _NO_MATCH
    tokens = _split(folded)
    if not tokens:
        return _NO_MATCH

    custom = _compile_extra(_freeze(extra)) if extra else _EMPTY_EXTRA

    core = _strip_fillers(tokens, _ALL_FILLERS)
    if core and (hit := _lookup(core, _OPT_OUT_TABLE, custom.opt_out)):
        return KeywordMatch(Intent.OPT_OUT, hit)

    profile = _profile_for(language)
    core = _strip_fillers(tokens, profile.fillers)
    if not core:
        return _NO_MATCH
    if hit := _lookup(core, profile.opt_in, custom.opt_in):
        return KeywordMatch(Intent.OPT_IN, hit)
    if hit := _lookup(core, profile.confirm, custom.confirm):
        return KeywordMatch(Intent.CONFIRM, hit)
    return _NO_MATCH


def opt_out_word(language: str) -> str:
    """The withdrawal keyword a customer writing in ``language`` is told about ("STOP", "STOPP", "PARAR" ...)."""
    language = _LANGUAGE_ALIASES.get(language, language)
    return _OPT_OUT_KEYWORDS.get(language, _OPT_OUT_KEYWORDS[_FALLBACK_LANGUAGE])[0].canonical
