"""The pattern language of the request phrases, the text normalisation it runs on, and the anchors that keep it fast.

Templates are regular expressions over *folded* text (``fold``: lower case, no accents, umlauts
as their base letter) with three additions:

* ``{name}`` inserts the lexicon's slot ``name`` (slots may use slots; ``{gap}`` and ``{law}`` are
  shared by every language);
* a space means a word separator: a run of spaces, apostrophes, hyphens, quotes, emoji..., but
  never a clause or sentence break (``, ; : . ! ?`` or a new line), so a phrase stays in one clause;
* "ä", "ö", "ü" also match "ae"/"a", "oe"/"o", "ue"/"u", and "ß" matches "ss", which is how
  folded text spells them whatever the customer typed.

Patterns are written without accents (the text has none); ``regex`` refuses one that has them, or
that has a capturing group.

Speed: there are some 260 templates in five languages, and running them all on a 60-character
message costs about 0.8 ms (on a slow 2-core development machine), on every inbound message. So
each template gets *anchors* (``anchors``): literal strings one of which every match must
contain, worked out from the compiled expression the way RE2's prefilter does (a literal run, a
word alternation, the most selective part of a sequence; a part that may be absent proves
nothing). One Aho-Corasick pass (``ahocorasick_rs``, as the sensitive-data guard uses) finds the
anchors in a message and only their templates run: about 3 µs for a message with none ("where is
my order?"), some 20 µs for ordinary support chatter. A template without an anchor is refused
when the module loads, so the shortcut can never hide a match.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from re import _constants as sre  # the parser's opcodes: how the anchors are read off a pattern
from re import _parser as sre_parse
from typing import Any

from consent.rights import Right

__all__ = ["COMMON_SLOTS", "SEP", "Lexicon", "anchors", "fold", "regex", "word_regex"]

# --- Folding -------------------------------------------------------------------------------------

_APOSTROPHES = frozenset("’‘`´ʼ′")


@functools.lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char in _APOSTROPHES:
        return "'"
    kept = "".join(
        c
        for c in unicodedata.normalize("NFKD", char)
        if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    return kept.casefold()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _fold_slowly(text: str) -> tuple[str, list[int]]:
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = char.lower() if char.isascii() else _fold_char(char)
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), origin


def fold(text: str) -> tuple[str, list[int] | None]:
    """``text`` lower-cased without accents or invisible characters ("ß" → "ss", fullwidth → ASCII), and
    the offset in ``text`` of each folded character; None when each character folds to one."""
    lower = text.lower()
    if len(lower) != len(text):  # "İ" lowers to two characters
        return _fold_slowly(text)
    if lower.isascii():
        return lower, None
    # Most letters fold to one letter ("é" → "e"): substitute those, keep offsets 1:1.
    lengths_kept = True

    def unaccent(match: re.Match[str]) -> str:
        nonlocal lengths_kept
        folded = _fold_char(match.group())
        lengths_kept = lengths_kept and len(folded) == 1
        return folded

    folded = _NON_ASCII.sub(unaccent, lower)
    return (folded, None) if lengths_kept else _fold_slowly(text)


# --- Templates -----------------------------------------------------------------------------------

SEP = r"(?:[^\w.,;:!?\n\r]+)"
_SLOT = re.compile(r"\{([a-z_]+)\}")
_UMLAUTS = {"ä": "(?:a|ae)", "ö": "(?:o|oe)", "ü": "(?:u|ue)", "ß": "ss"}
_ALLOWED_NON_ASCII = frozenset(_UMLAUTS) | {"§"}

COMMON_SLOTS: Mapping[str, str] = {
    # The laws, as customers write them: GDPR and its national names (DSGVO, AVG, RGPD), and the LGPD.
    "law": r"(?:uk )?gdpr|ds ?gvo|avg|rgpd|lgpd",
    # Up to four words of the language's filler ("please", "all", "bitte Sie", "tutti", "por favor").
    "gap": r"(?:(?:{filler}) ){0,4}",
}


@dataclass(frozen=True)
class Lexicon:
    """How customers ask for each right in one language."""

    # Named fragments the templates use: "filler" (the only words allowed between an action and
    # its object), "data" (the customer's personal data), and whatever else the language needs.
    slots: Mapping[str, str]
    # Per right, the templates that ask for it.
    rights: Mapping[Right, tuple[str, ...]]
    # Per right, its name as a noun; it counts only beside a law's name ("DSGVO-Auskunft").
    right_nouns: Mapping[Right, str]
    # A request that names no right ("GDPR request", "exercise my rights").
    generic: tuple[str, ...]
    # Words that, in the clause before a phrase, make it not a request ("don't delete my data").
    negation: str
    # The same after the phrase, where the language puts it there ("löschen Sie meine Daten nicht").
    trailing_negation: str = ""
    # Words that, in the clause before a phrase, make it a condition or a question about our
    # practice ("if I delete my account", "wenn Sie meine Daten löschen")...
    hypothetical: str = ""
    # ...unless the clause is a polite request ("if you could", "se puderem").
    polite: str = ""

    def __post_init__(self) -> None:
        if missing := (set(Right) - set(self.rights)) | (set(Right) - set(self.right_nouns)):
            raise ValueError(f"no patterns for {sorted(missing)}")


def _expand(template: str, slots: Mapping[str, str], seen: tuple[str, ...] = ()) -> str:
    def insert(match: re.Match[str]) -> str:
        name = match[1]
        if name in seen:
            raise ValueError(f"slot {name!r} refers to itself")
        return "(?:" + _expand(slots[name], slots, (*seen, name)) + ")"

    return _SLOT.sub(insert, template)


def regex(template: str, slots: Mapping[str, str], *, groups: bool = False) -> str:
    """``template`` as a regular expression over folded text; ``groups`` allows capturing groups."""
    expanded = _expand(template, {**COMMON_SLOTS, **slots})
    if stray := {c for c in expanded if not c.isascii()} - _ALLOWED_NON_ASCII:
        # Folded text has no accents: an accented pattern would never match.
        raise ValueError(f"pattern {template!r} has accented letters {sorted(stray)}; write them without accents")
    for letter, spellings in _UMLAUTS.items():
        expanded = expanded.replace(letter, spellings)
    expanded = expanded.replace(" ", SEP)
    if not groups and re.compile(expanded).groups:
        raise ValueError(f"pattern {template!r} has a capturing group; use (?:...)")
    return expanded


def word_regex(words: str, slots: Mapping[str, str]) -> re.Pattern[str] | None:
    """An alternation of whole words ("not|don ?t|never"), or None for none."""
    return re.compile(r"(?<!\w)(?:" + regex(words, slots) + r")(?!\w)") if words else None


# --- Anchors -------------------------------------------------------------------------------------

# An exact set larger than this is given up; the run before it still serves as an anchor.
_MAX_EXACT = 256
_ZERO_WIDTH = frozenset({sre.AT, sre.ASSERT, sre.ASSERT_NOT})
_REPEATS = frozenset({sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT})


@dataclass(frozen=True, slots=True)
class _Literals:
    # The part matches exactly one of these strings (None: not a finite set of literals).
    exact: frozenset[str] | None
    # Every match of the part contains one of these (None: nothing is certain).
    required: frozenset[str] | None


_EMPTY = frozenset({""})


def _best(*sets: frozenset[str] | None) -> frozenset[str] | None:
    """The most selective usable anchor set: the longest shortest string, then the fewest strings."""
    usable = [s for s in sets if s and "" not in s]
    return max(usable, key=lambda s: (min(map(len, s)), -len(s)), default=None)


# The parser's tree is untyped: (opcode, argument) pairs, arguments of a shape that depends on the opcode.
def _sequence(items: Iterable[tuple[Any, Any]]) -> _Literals:
    run = _EMPTY
    all_exact = True
    candidates: list[frozenset[str] | None] = []
    for op, value in items:
        part = _node(op, value)
        if part.exact is None:
            all_exact = False
            candidates += [run, part.required]
            run = _EMPTY
        elif len(run) * len(part.exact) > _MAX_EXACT:
            all_exact = False
            candidates.append(run)
            run = part.exact
        else:
            run = frozenset(a + b for a in run for b in part.exact)
    candidates.append(run)
    return _Literals(run if all_exact else None, _best(*candidates))


def _node(op: Any, value: Any) -> _Literals:
    if op == sre.LITERAL:
        return _Literals(frozenset({chr(value)}), None)
    if op in _ZERO_WIDTH:
        return _Literals(_EMPTY, None)
    if op == sre.SUBPATTERN:
        return _sequence(value[-1])
    if op == sre.ATOMIC_GROUP:
        return _sequence(value)
    if op == sre.BRANCH:
        branches = [_sequence(branch) for branch in value[1]]
        exact = None
        if all(b.exact is not None for b in branches):
            union = frozenset().union(*(b.exact for b in branches))
            exact = union if len(union) <= _MAX_EXACT else None
        anchors = [_best(b.exact, b.required) for b in branches]
        required = frozenset().union(*anchors) if all(anchors) else None
        return _Literals(exact, required)
    if op in _REPEATS:
        low, high, inner_items = value
        inner = _sequence(inner_items)
        if low == 0:
            optional = inner.exact | _EMPTY if high == 1 and inner.exact is not None else None
            return _Literals(optional, None)
        return _Literals(inner.exact if low == high == 1 else None, _best(inner.exact, inner.required))
    # Character classes, ".", categories: any of many characters, no literal.
    return _Literals(None, None)


def anchors(pattern: str) -> frozenset[str]:
    """Strings one of which every match of ``pattern`` contains; ValueError when there are none."""
    literals = _sequence(sre_parse.parse(pattern))
    found = _best(literals.exact, literals.required)
    if not found:
        raise ValueError(f"pattern has no literal every match contains, so it cannot be prefiltered: {pattern[:120]}")
    return found
