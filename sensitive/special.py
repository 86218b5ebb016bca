"""Special categories of personal data (Art. 9 GDPR, Art. 5 II / Art. 11 LGPD) found through curated lexicons.

``find(text)`` flags health, sex life and sexual orientation, religious or philosophical belief,
political opinion, trade-union membership, racial or ethnic origin, genetic and biometric data in
chat text written in English, German, Dutch, Italian or Portuguese (pt-BR and pt-PT). The
lexicons live in ``lexicons/*.txt``; their syntax is in ``lexicons/README.md``.

How matching works, and why:

* Every lexicon applies to every text. ``find`` is not told the language, customers switch
  language mid-conversation, and a language guess on a ten-word message is unreliable. The cost
  is cross-language false friends, handled in the lexicons (Italian *autista* is a driver,
  Portuguese *autista* is autistic, so the Portuguese entry needs context).
* Case and accents are ignored: the text is folded character by character into a string of the
  same length (lower case, accents dropped), so a match's offsets are offsets into the original
  text. German umlauts are kept, because *schwul* (gay) and *schwül* (humid) are different words;
  an entry written with an umlaut also matches the ``ae``/``oe``/``ue`` and plain-vowel spellings.
* Speed (about 3 µs for a 40-byte message with nothing to find, on a slow 2-core development
  machine; bench/scan_speed.py): one regular expression over all entries tries its whole trie at
  every position, which alone used the scanner's whole time budget, and even a prefilter
  expression over the entries' key words cost 5 to 7 µs per message. So each entry has a *key*,
  its most telling literal word, and an Aho-Corasick automaton (``ahocorasick_rs``, compiled
  code) finds every key in one pass in about a microsecond. Most messages stop there. A key found
  on the word boundary it needs selects its *bucket*, the entries keyed on it, which run as a
  small expression at the key's position; a bucket's expression is compiled the first time it is
  needed. The ``[exclude]`` phrases work the same way and run only when something was found.
* A finding is a flag for a human, not a verdict. Negation is not interpreted: "I am not
  pregnant" is flagged like "I am pregnant".

Decisions on ambiguous terms (the corpus ``sensitive/tests/corpus/special.jsonl`` holds a
labelled example of most of them):

* Health insurers (*Krankenkasse*, *Krankenversicherung*, *zorgverzekering*, *plano de saúde*)
  are not flagged: naming one's insurer is not health data. The words in them that are health
  words (*krank*) only match in other forms or with context ("ich bin krank").
* Colloquial uses are not flagged where a phrase separates them: "sick of waiting", "das ist ja
  krank", "ik word er ziek van", "sono un malato di caffè", "doente por futebol", "virou febre",
  Dutch *kanker* as a curse (only "heb kanker", "borstkanker" and the like are), colloquial
  *addicted*/*süchtig*/*verslaafd*/*viciado*. "I'm so depressed about my order" is still flagged:
  the word is the medical one.
* Religious idioms are not religion: "oh my god", "Gott sei Dank", "grazie a Dio", "graças a
  Deus", "se Deus quiser"; *God*, *Gott*, *Dio*, *Deus* are not in any lexicon. Christmas, Easter
  and Ramadan sales are not religion either; *halal* and *kosher* describe products and are left
  out. Belonging is what is flagged: "I'm Muslim", "ich bin aus der Kirche ausgetreten",
  *Kirchensteuer*, "vou à igreja".
* A party is political only as a party of politics: named parties ("PVV", "AfD", "PSOL") or a
  vote or membership phrase ("voted Labour", "voto Lega", "wähle … die Grünen"). Bare *party*,
  *Partei*, *partij* (a batch of goods), *partito* (Italian "left"), *partido* (Portuguese
  "broken") and *Lega* (Italian "alloy") are not flagged.
* *Union* alone is not a trade union (European Union, credit union, Union Investment); "union
  member", "union rep", *Gewerkschaft*, *vakbond*, *sindacato*, *sindicato* are.
* English *operation* is an order operation unless it is had or recovered from; German
  *Operation* after an article or possessive is surgery (so "die Operation konnte nicht
  ausgeführt werden" is a known false positive); *operiert*, *geopereerd*, *stata operata*,
  *fui operada* are surgery; Italian *operazione* and Portuguese *operação*/*operadora* are not.
* Device features are not the customer's biometric data held by us: Face ID, Touch ID,
  "fingerprint sensor", "o celular tem reconhecimento facial" are not flagged. Fingerprints,
  face scans and facial recognition used on the customer (in a store, for identity checks,
  *biometria facial* at a bank) are.
* Product descriptions are not a person's data: "allergy-friendly", "ohne Gentechnik",
  "genetically modified", "surgical steel", "antibiotic-free". *Allergy*, *allergic*,
  *Nussallergie* are flagged.
* Stems flag every word they start: *diabetesfrei* and *diabetesfreundlich* are flagged with
  *Diabetes*; a word about diabetes is still about diabetes.
* A purchase can be special-category data about the buyer: sex toys are flagged (sex life), as
  are medication names (health). A pregnancy test on its own is not, "pregnant" is.
* Gender identity (*trans*, *non-binary*) is reported as ``sex_life``, the closest Art. 9 type.
* Nationality is not ethnic origin, and *racist* alone does not say who was targeted; "as a black
  woman", "Migrationshintergrund", "van Marokkaanse afkomst", "sou indígena" are flagged.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import ahocorasick_rs

from sensitive.findings import Finding

LEXICON_DIR = Path(__file__).resolve().with_name("lexicons")
LEXICON_FILES = ("common", "en", "de", "nl", "it", "pt")
# When one span fits several types, the first wins: the narrower categories come before health.
TYPES = ("genetic", "biometric", "sex_life", "religion", "political", "union", "ethnic_origin", "health")
EXCLUDE = "exclude"

# --- Folding -----------------------------------------------------------------------------------

_KEEP = frozenset("äöüß")
_APOSTROPHES = "’‘`´ʼ"


def _fold_char(char: str) -> str:
    lower = char.lower()
    if len(lower) != 1:
        return char
    if lower in _KEEP:
        return lower
    if char in _APOSTROPHES:
        return "'"
    base = unicodedata.normalize("NFD", lower)[0]
    return base if base.isascii() else lower


# Latin-1 Supplement, Latin Extended-A and -B, Latin Extended Additional, typographic apostrophes.
_FOLDED = {
    char: folded
    for char in map(chr, (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)))
    if char == char.lower() and (folded := _fold_char(char)) != char
} | dict.fromkeys(_APOSTROPHES, "'")
_ACCENTED = re.compile("[" + "".join(sorted(_FOLDED)) + "]")


def _unaccent(match: re.Match[str]) -> str:
    return _FOLDED[match.group()]


def fold(text: str) -> str:
    """``text`` in lower case without accents (umlauts and ß kept), one character for one character."""
    lower = text.lower()
    if lower.isascii():
        return lower
    if len(lower) != len(text):  # "İ".lower() is two characters; offsets must stay 1:1
        lower = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    # A substitution per accented letter, not str.translate per character: most text is ASCII.
    return _ACCENTED.sub(_unaccent, lower)


# --- Lexicon parsing ---------------------------------------------------------------------------

_SEPARATOR = r"[\s\-]+"
_OPTIONAL_SEPARATOR = r"[\s\-]?"
_ANY_WORD = r"\w+"
_GAP = r"(?:\w+[\s\-]+){0,3}"  # "~": up to three words, with the separator after each
_STEM = r"\w*"
_WORD_END = r"(?!\w)"
_ALLOWED = re.compile(r"[\w\s'’\-.&+*()|~]+")
# A German writer without the key types "ue" or "u" for "ü"; ß is often "ss".
_SPELLINGS = {"ä": ("ä", "ae", "a"), "ö": ("ö", "oe", "o"), "ü": ("ü", "ue", "u"), "ß": ("ß", "ss")}


class LexiconError(ValueError):
    pass


def _expand(entry: str) -> list[str]:
    """Every string the ``(a|b|)`` groups of ``entry`` spell out."""
    open_at = entry.find("(")
    if open_at < 0:
        if ")" in entry or "|" in entry:
            raise LexiconError(f"unbalanced group in {entry!r}")
        return [entry]
    depth, start, options = 0, open_at + 1, []
    for at in range(open_at, len(entry)):
        char = entry[at]
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                options.append(entry[start:at])
                close_at = at
                break
        elif char == "|" and depth == 1:
            options.append(entry[start:at])
            start = at + 1
    else:
        raise LexiconError(f"unbalanced group in {entry!r}")
    head, tails = entry[:open_at], _expand(entry[close_at + 1 :])
    return [head + option + tail for raw in options for option in _expand(raw) for tail in tails]


def _spellings(phrase: str) -> list[str]:
    """``phrase`` with each umlaut and ß written every usual way."""
    spellings = [""]
    for char in phrase:
        spellings = [done + option for done in spellings for option in _SPELLINGS.get(char, (char,))]
    return spellings


_escape = functools.cache(re.escape)


def _check_words(phrase: str) -> None:
    words = phrase.split()
    if words[0] in ("_", "~") or words[-1] == "~":
        raise LexiconError(f"_ cannot start an entry, ~ can neither start nor end one: {phrase!r}")
    for index, word in enumerate(words):
        if "*" in word.strip("*") or (word.startswith("*") and index) or word in ("*", "**"):
            raise LexiconError(f"misplaced * in {phrase!r}")


def _is_literal(atom: str) -> bool:
    return len(atom) == 1 or (len(atom) == 2 and atom[0] == "\\")


def _atoms(phrase: str) -> tuple[bool, tuple[str, ...]]:
    """(is a compound tail, regex atoms) for one expanded entry; a literal character is its own atom."""
    words = phrase.split()
    compound_tail = words[0].startswith("*")
    if compound_tail:
        words[0] = words[0][1:]
    atoms: list[str] = []
    for index, word in enumerate(words):
        if index and atoms[-1] != _GAP:
            atoms.append(_SEPARATOR)
        if word in ("_", "~"):
            if index == 0 or (word == "~" and index == len(words) - 1):
                raise LexiconError(f"{word} cannot start an entry, ~ cannot end one: {phrase!r}")
            atoms.append(_ANY_WORD if word == "_" else _GAP)
            continue
        stem = word.endswith("*")
        if stem:
            word = word[:-1]
        if not word or "*" in word:
            raise LexiconError(f"misplaced * in {phrase!r}")
        for char in word:
            if char == "-":
                atoms.append(_OPTIONAL_SEPARATOR)
            elif char == "'":
                atoms.append("'?")
            else:
                atoms.append(_escape(char))
        if stem:
            atoms.append(_STEM)
    if atoms[-1] != _STEM:
        atoms.append(_WORD_END)
    return compound_tail, tuple(atoms)


def parse_lexicon(lines: Iterable[str], *, source: str = "<lexicon>") -> dict[str, list[str]]:
    """Section name -> expanded entries of one lexicon file."""
    sections: dict[str, list[str]] = {}
    current = None
    for number, raw in enumerate(lines, 1):
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            if current not in (*TYPES, EXCLUDE):
                raise LexiconError(f"{source}:{number}: unknown section {line}")
            sections.setdefault(current, [])
            continue
        if current is None:
            raise LexiconError(f"{source}:{number}: entry before any section")
        if not _ALLOWED.fullmatch(line):
            raise LexiconError(f"{source}:{number}: unsupported character in {line!r}")
        try:
            phrases = [" ".join(phrase.split()) for phrase in _expand(fold(line)) if phrase.strip()]
            for phrase in phrases:
                _check_words(phrase)
            sections[current].extend(spelling for phrase in phrases for spelling in _spellings(phrase))
        except LexiconError as error:
            raise LexiconError(f"{source}:{number}: {error}") from None
    return sections


@functools.cache
def lexicon() -> dict[str, tuple[str, ...]]:
    """Section name -> every expanded entry of every lexicon file."""
    merged: dict[str, list[str]] = {name: [] for name in (*TYPES, EXCLUDE)}
    for name in LEXICON_FILES:
        path = LEXICON_DIR / f"{name}.txt"
        for section, entries in parse_lexicon(path.read_text(encoding="utf-8").splitlines(), source=path.name).items():
            merged[section].extend(entries)
    return {section: tuple(dict.fromkeys(entries)) for section, entries in merged.items()}


# --- Expressions -------------------------------------------------------------------------------


def _order(atom: str) -> tuple[int, int, str]:
    # Longer matches first: a continuation, then a stem, then assertions (word end, lookbehind),
    # then the end of a sequence. re tries alternatives one by one, so among letters (which
    # exclude each other) the frequent ones go first: the usual letter is found after few tries.
    if atom == "":
        return (3, 0, atom)
    if atom == _WORD_END or atom.startswith("(?<"):
        return (2, 0, atom)
    if atom == _STEM:
        return (1, 0, atom)
    return (0, _rarity(atom[-1]) if _is_literal(atom) else 99, atom)


def _trie_pattern(sequences: Iterable[tuple[str, ...]]) -> str:
    """A regex matching any of the atom sequences, shared prefixes factored out."""
    trie: dict = {}
    for sequence in sequences:
        node = trie
        for atom in sequence:
            node = node.setdefault(atom, {})
        node[""] = {}  # a sequence may end where a longer one goes on

    def emit(node: dict) -> str:
        branches = [atom + emit(child) for atom, child in sorted(node.items(), key=lambda item: _order(item[0]))]
        if len(branches) == 1:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(trie)


# --- Keys ------------------------------------------------------------------------------------------


@functools.cache
def _frequent_words() -> frozenset[str]:
    """Everyday words that make a poor key: one of them is in a large share of all messages."""
    text = (LEXICON_DIR / "frequent_words.txt").read_text(encoding="utf-8")
    return frozenset(fold(word) for line in text.splitlines() for word in line.split("#")[0].split())


# Letter frequency in chat text of the five languages, most frequent first (measured on a mix).
_LETTER_RANK = {letter: rank for rank, letter in enumerate("eaoinrstdlcmhukpfwgbvyzjxq")}
_FREQUENT_LETTERS = 7  # e, a, o, i, n, r, s: a key holding none of them but these is found inside many words


def _rarity(char: str) -> int:
    if char in _LETTER_RANK:
        return _LETTER_RANK[char]
    if char.isalpha():  # ä, ö, ü, ß
        return 99
    return 50 if char.isdigit() else -1  # punctuation is everywhere


@dataclass(frozen=True, slots=True)
class _Key:
    """A literal word every match of an entry contains."""

    word: str
    left_bound: bool  # a word starts where ``word`` starts
    right_bound: bool  # a word ends where ``word`` ends


def _key(compound_tail: bool, atoms: tuple[str, ...]) -> tuple[_Key, int]:
    """The most telling literal run of an entry (not an everyday word, long, with a rare letter),
    and how many characters before the key a match can start.

    The key decides how often an entry's expression runs for nothing: every occurrence of the key
    in a message, inside other words too ("men" in "women"), costs one try.
    """
    runs: list[tuple[int, int, str]] = []
    start = None
    for index, atom in enumerate((*atoms, "")):
        if _is_literal(atom):
            start = index if start is None else start
        elif start is not None:
            runs.append((start, index, "".join(literal[-1] for literal in atoms[start:index])))
            start = None
    if not runs:
        raise LexiconError(f"no literal text in {atoms!r}")

    def bounds(run: tuple[int, int, str]) -> tuple[bool, bool]:
        left = (run[0] == 0 and not compound_tail) or (run[0] > 0 and atoms[run[0] - 1] == _SEPARATOR)
        return left, atoms[run[1]] in (_WORD_END, _SEPARATOR)

    def telling(run: tuple[int, int, str]) -> tuple[bool, bool, bool, bool, int, int]:
        word = run[2]
        rarest = max(map(_rarity, word))
        usable = len(word) >= 3 or all(bounds(run))  # "r" alone would be found everywhere
        return (usable, word not in _frequent_words(), len(word) >= 4, rarest >= _FREQUENT_LETTERS, len(word), rarest)

    run = max(runs, key=telling)
    return _Key(run[2], *bounds(run)), _lead(compound_tail, atoms[: run[0]])


# --- Matching ------------------------------------------------------------------------------------

# How many characters an atom can take, at most, for the purpose of finding where an entry starts.
_ATOM_WIDTH = {_SEPARATOR: 3, _ANY_WORD: 30, _GAP: 99, _STEM: 30, _OPTIONAL_SEPARATOR: 1, "'?": 1}


def _lead(compound_tail: bool, before_key: tuple[str, ...]) -> int:
    """Characters a match of the entry can have before its key: 0 when it starts with the key."""
    lead = sum(_ATOM_WIDTH.get(atom, 1) for atom in before_key)
    return lead + 30 if compound_tail else lead


class _Matcher:
    """Finds the entries of a lexicon section (or several) in folded text.

    One expression over every entry is slow in Python's ``re``: it tries the whole trie at each
    position, about 5 µs for a 40-byte message with nothing in it. So matching runs in two
    stages. Each entry has a key, a literal word every match contains. An Aho-Corasick automaton
    (the ``ahocorasick_rs`` package, compiled code) finds every occurrence of every key in one
    pass over the text, in about a microsecond; most messages hold none and stop there. A key
    found, on a word boundary where it needs one, selects its bucket, the entries keyed on it,
    and only those run, as one small expression per bucket compiled when first needed.
    """

    def __init__(self, labelled: Iterable[tuple[str, str]]) -> None:
        buckets: dict[_Key, list[tuple[str, str]]] = {}
        leads: dict[_Key, int] = {}
        for entry, label in labelled:
            key, lead = _key(*_atoms(entry))
            buckets.setdefault(key, []).append((entry, label))
            leads[key] = max(leads.get(key, 0), lead)
        self._keys = list(buckets)
        self._entries = list(buckets.values())
        self._patterns: dict[int, re.Pattern[str]] = {}
        words = list(dict.fromkeys(key.word for key in self._keys))
        word_index = {word: at for at, word in enumerate(words)}
        by_word: list[list[tuple[int, bool, bool, int]]] = [[] for _ in words]
        for index, key in enumerate(self._keys):
            # A bucket whose entries all start with the key is tried at the key only, the others
            # from as far before it as they can start.
            by_word[word_index[key.word]].append((index, key.left_bound, key.right_bound, leads[key]))
        # Plain tuples: this loop runs for every key found and attribute access costs.
        self._candidates = tuple(map(tuple, by_word))
        automaton = ahocorasick_rs.AhoCorasick(words, implementation=ahocorasick_rs.Implementation.DFA)
        self._find_keys = automaton.find_matches_as_indexes

    def _pattern(self, bucket: int) -> re.Pattern[str]:
        pattern = self._patterns.get(bucket)
        if pattern is None:
            by_label: dict[str, list[str]] = {}
            for entry, label in self._entries[bucket]:
                by_label.setdefault(label, []).append(entry)
            order = sorted(by_label, key=_LABEL_ORDER.__getitem__)
            groups = "|".join(f"(?P<{label}>{_entries_pattern(by_label[label])})" for label in order)
            pattern = self._patterns[bucket] = re.compile(rf"(?<!\w)(?:{groups})")
        return pattern

    def find(self, folded: str, hits: list[tuple[int, int, int]] | None = None) -> list[tuple[int, int, str]]:
        """(start, end, label) of the entries found, leftmost-longest, not overlapping. ``hits`` are the
        (key word, start, end) of every key in ``folded``, overlapping ones included, when the caller
        already asked ``_find_keys``."""
        if hits is None:
            hits = self._find_keys(folded, True)
        if not hits:
            return []
        size = len(folded)
        found = []
        for word, start, end in hits:
            for index, left_bound, right_bound, lead in self._candidates[word]:
                if (left_bound and start and _WORD_CHAR(folded, start - 1)) or (
                    right_bound and end < size and _WORD_CHAR(folded, end)
                ):
                    continue
                pattern = self._patterns.get(index) or self._pattern(index)
                if not lead:
                    match = pattern.match(folded, start)
                    if match is not None:
                        found.append((start, -match.end(), _LABEL_ORDER[match.lastgroup], match.lastgroup))
                    continue
                for match in pattern.finditer(folded, max(0, start - lead)):
                    if match.start() > start:
                        break
                    found.append((match.start(), -match.end(), _LABEL_ORDER[match.lastgroup], match.lastgroup))
        if len(found) > 1:
            found.sort()
        result: list[tuple[int, int, str]] = []
        for start, negative_end, _, label in found:
            if not result or start >= result[-1][1]:
                result.append((start, -negative_end, label))
        return result


_WORD_CHAR = re.compile(r"\w").match
_LABEL_ORDER = {label: order for order, label in enumerate((*TYPES, EXCLUDE))}


def _entries_pattern(entries: Iterable[str]) -> str:
    heads, tails = [], []
    for entry in entries:
        compound_tail, atoms = _atoms(entry)
        (tails if compound_tail else heads).append(atoms)
    branches = [_trie_pattern(heads)] if heads else []
    if tails:
        branches.append(r"\w*?" + _trie_pattern(tails))
    return "|".join(branches) or "(?!)"


@functools.cache
def _matchers() -> tuple[_Matcher, _Matcher]:
    """(special categories, exclusions), built once."""
    entries = lexicon()
    special = _Matcher((entry, kind) for kind in TYPES for entry in entries[kind])
    exclusions = _Matcher((entry, EXCLUDE) for entry in entries[EXCLUDE])
    return special, exclusions


def find(text: str) -> list[Finding]:
    """Special-category findings in ``text``, in order, with character offsets into ``text``."""
    if not text:
        return []
    folded = fold(text)
    hits = _SPECIAL_KEYS(folded, True)  # the common case, no key at all, in as few calls as possible
    if not hits:
        return []
    found = _SPECIAL.find(folded, hits)
    if not found:
        return []
    excluded = _EXCLUSIONS.find(folded)
    if not excluded:
        return [Finding(start, end, kind) for start, end, kind in found]
    return [
        Finding(start=start, end=end, type=kind)
        for start, end, kind in found
        if not any(start < x_end and x_start < end for x_start, x_end, _ in excluded)
    ]


# Built at import, so that the first message does not pay for it (about a second).
_SPECIAL, _EXCLUSIONS = _matchers()
_SPECIAL_KEYS = _SPECIAL._find_keys
