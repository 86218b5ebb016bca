"""Spot a data-protection request a customer writes into the chat, so the inbox can suggest recording it.

``request_suggested(text, language=...)`` returns the ``Right`` a message asks
to exercise ("Please delete my data" → ERASURE, "Ich möchte eine Kopie meiner
Daten" → ACCESS, "revogo meu consentimento" → WITHDRAWAL) or ``None``;
``request_suggestion`` returns the same with the language that matched and the
span to highlight. It is a *suggestion* for an agent to confirm, never an
action, and it runs on every inbound message, so precision comes first: a
false suggestion annoys an agent on every message like it, a missed one is
still read by the agent. When in doubt the answer is ``None``.

How a message is read:

* Normalised once: lower case, accents and invisible characters dropped
  (umlauts become a/o/u; the patterns also accept ae/oe/ue), apostrophes,
  hyphens, emoji and runs of spaces all separate words alike. A match's span
  is mapped back onto the original text.
* A request is an *action* and a *personal-data object* in one clause:
  "delete" + "my data", "Kopie" + "meiner Daten", "meus dados" + "excluídos",
  in the orders the language uses. Between them only filler may stand
  ("please", "all", "bitte", "Sie", "tutti", "por favor"): "delete the photo of
  my profile" has words that are not filler, so it is nothing. The object is
  the customer's data (my data, my personal information, everything you hold
  about me, meine Daten, mijn gegevens, i miei dati, meus dados...), for
  erasure also their account, for rectification also a field of theirs (name,
  address, number, e-mail, date of birth), for withdrawal their consent. An
  object qualified by an order, invoice, card or appointment ("meus dados do
  pedido", "copy of my details for the booking") is not their personal data
  in this sense, nor is "my data plan" / "meine mobilen Daten".
* Or a fixed legal phrase: "right to be forgotten", "Recht auf Löschung",
  "inzageverzoek"; a right's name beside a law's ("DSGVO-Auskunft", "LGPD
  exclusão"); an article citation ("Art. 17 GDPR", "art. 18, VI, da LGPD",
  "Auskunft nach Art. 15"), read against ``consent.rights.REFERENCES``.
* Not a request: a negation before the action in the same clause ("don't
  delete my data", "Ich möchte nicht, dass Sie meine Daten löschen"), or after
  it in German, Dutch and Portuguese ("löschen Sie meine Daten nicht", "apaga
  meus dados não"); a hypothetical or a question about our practice ("if I
  delete my account...", "do you delete my data when...", "wenn Sie meine
  Daten löschen"), unless the clause is a polite request ("if you could
  delete my data", "se puderem apagar meus dados"). Past tenses are not
  actions: "I deleted the app", "apaguei o app", "Sie haben meine Daten
  gelöscht".

Patterns are data, in ``consent.request_phrases``: one module per language
holds a ``Lexicon`` of named *slots* (the objects, the filler, the verbs, the
negation words) and, per right, a tuple of templates written with ``{slot}``
references, where a space stands for a word separator (the pattern language is
described in ``request_phrases.templating``). Adding a phrasing is adding a line
there and a test in ``consent/tests/test_request_intents.py``.

Speed: every template is compiled once, at import, and carries *anchors*,
literal words one of which every match contains; one Aho-Corasick pass over the
message finds which templates can match at all, and most messages ("where is
my order?") stop there, in a few microseconds. The rest is linear in the
message: each triggered template is one regular-expression search, and the
clause breaks the guards need are found once per message.

Decisions on borderline messages:

* Deleting the account ("I want to delete my account", "excluir minha conta",
  "Konto löschen") is ERASURE: in practice that is how customers ask for it,
  and the agent confirms the kind. Cancelling or closing an account or a
  contract is not ("cancel my account", "cancelar minha conta": a contract
  matter). "How do I delete my account/data?" is a request too: the customer
  wants it done.
* Changing or updating a field ("change my address", "update my number") is
  routine account care, not RECTIFICATION; a correction word ("correct my
  name", "corrigeer mijn naam") or a statement that a field of theirs is wrong
  ("mein Name ist falsch geschrieben", "meus dados estão errados") is.
  "meus dados do pedido estão errados" is about an order: ``None``.
* "Stop processing/using my data" is OBJECTION (the customer wants it to
  end); RESTRICTION needs restriction words ("restrict processing",
  "Einschränkung der Verarbeitung", "bloquear meus dados", LGPD blocking).
* A request that names a law but no right ("GDPR request", "DSGVO-Anfrage",
  "pedido LGPD", "I want to exercise my rights", "art. 18 da LGPD", a message
  that is only "LGPD") is suggested as ACCESS, the usual "subject access
  request", with ``generic=True`` so the inbox can ask the agent for the kind.
  It counts only when no specific right is found. A law's name alone in a
  sentence ("are you GDPR compliant?") is nothing.
* "STOP", "unsubscribe" and other bare consent keywords belong to
  ``consent.keywords``: nothing here (so are "cancellami" and "basta"). A marketing opt-out written as a
  sentence about their data ("stop using my data for marketing", "não usem
  meus dados para publicidade") is OBJECTION; "withdraw my consent" is
  WITHDRAWAL.
* Two rights in one message ("delete my data and send me a copy first"): the
  one the customer writes first wins (here ERASURE; the agent reads the rest).
  At the same position the longer phrase wins ("a copy of my data in
  machine-readable form" is PORTABILITY, not ACCESS), then the order of
  ``Right``.
* Languages: the conversation's language is tried first, then en, de, nl, it,
  pt-br; the first language with a match decides (customers mix languages,
  and a match in the expected one is the likelier reading). An article
  citation counts in every language (``language`` is None when a citation
  alone decides); one that comes before a phrase decides the right.
"""

import bisect
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import ahocorasick_rs

from consent.request_phrases import LEXICONS, Lexicon, citations
from consent.request_phrases.templating import anchors, fold, regex, word_regex
from consent.rights import Right

__all__ = ["LANGUAGES", "RequestSuggestion", "request_suggested", "request_suggestion"]

LANGUAGES = tuple(LEXICONS)
_LANGUAGE_ALIASES = {"pt": "pt-br"}


@dataclass(frozen=True, slots=True)
class RequestSuggestion:
    """What the inbox shows the agent. It holds offsets, never the customer's words, so it can go into an
    event or a log line as it is (DESIGN decision 6)."""

    right: Right
    # The language whose phrases matched; None for a citation or a law's name on its own ("Art. 17 GDPR").
    language: str | None
    # Offsets into the original text of the phrase that matched, for the inbox to highlight.
    start: int
    end: int
    # The message asks under a law without naming the right ("GDPR request"): ACCESS by convention.
    generic: bool = False


# --- Compiled rules ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: re.Pattern[str]
    language: str | None  # None: an article citation
    right: Right | None  # None: generic (ACCESS, flagged), or a citation (the right is read from the match)


@dataclass(frozen=True, slots=True)
class _Guards:
    negation: re.Pattern[str]
    trailing_negation: re.Pattern[str] | None
    hypothetical: re.Pattern[str] | None
    polite: re.Pattern[str] | None


def _compile(template: str, lexicon: Lexicon) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + regex(template, lexicon.slots) + r")(?!\w)")


def _language_rules(code: str, lexicon: Lexicon) -> Iterator[_Rule]:
    for right, templates in lexicon.rights.items():
        noun = lexicon.right_nouns[right]
        # A right's name beside a law's, in one clause: "DSGVO-Auskunft", "Löschung nach DSGVO".
        beside_law = (rf"(?:{{law}}) (?:\w+ ){{0,3}}(?:{noun})", rf"(?:{noun}) (?:\w+ ){{0,3}}(?:{{law}})")
        for template in (*templates, *beside_law):
            yield _Rule(_compile(template, lexicon), code, right)
    for template in lexicon.generic:
        yield _Rule(_compile(template, lexicon), code, None)


def _guards(lexicon: Lexicon) -> _Guards:
    negation = word_regex(lexicon.negation, lexicon.slots)
    if negation is None:
        raise ValueError("every language needs its negation words")
    return _Guards(
        negation,
        word_regex(lexicon.trailing_negation, lexicon.slots),
        word_regex(lexicon.hypothetical, lexicon.slots),
        word_regex(lexicon.polite, lexicon.slots),
    )


_RULES: tuple[_Rule, ...] = (
    *(rule for code, lexicon in LEXICONS.items() for rule in _language_rules(code, lexicon)),
    *(_Rule(pattern, None, None) for pattern in citations.PATTERNS),
)
_GUARDS = {code: _guards(lexicon) for code, lexicon in LEXICONS.items()}


def _prefilter() -> tuple[ahocorasick_rs.AhoCorasick, tuple[tuple[int, ...], ...]]:
    rules_of: dict[str, list[int]] = {}
    for index, rule in enumerate(_RULES):
        for anchor in anchors(rule.pattern.pattern):
            rules_of.setdefault(anchor, []).append(index)
    keys = sorted(rules_of)
    return ahocorasick_rs.AhoCorasick(keys), tuple(tuple(rules_of[key]) for key in keys)


_AUTOMATON, _RULES_OF_ANCHOR = _prefilter()


def _triggered(folded: str) -> list[_Rule]:
    """The rules whose anchors occur in ``folded``, in the order of ``_RULES``."""
    hits = {
        index
        for hit, _, _ in _AUTOMATON.find_matches_as_indexes(folded, overlapping=True)
        for index in _RULES_OF_ANCHOR[hit]
    }
    return [_RULES[index] for index in sorted(hits)]


# --- Matching ------------------------------------------------------------------------------------

_CLAUSE_BREAK = re.compile(r"[.,;:!?\n\r]|(?<!\w)(?:but|however|aber|jedoch|sondern|maar|ma|mas|pero)(?!\w)")
# "Ich möchte nicht, dass...": the negation is in the clause before the comma.
_SUBORDINATE = re.compile(r"\s*(?:dass|dat|that|che|que)(?!\w)")
# The law's name is the whole message ("LGPD", "DSGVO!"): someone invoking it.
_BARE_LAW = re.compile(r"[^\w?]*(?:(?:uk\W?)?gdpr|ds\W?gvo|avg|rgpd|lgpd)[^\w?]*")
# Between two phrases at one position, the longer wins; then the order of Right.
_RANK = {right: index for index, right in enumerate(Right)}


@dataclass(frozen=True, slots=True, order=True)
class _Candidate:
    start: int
    length: int  # negative: the longer phrase sorts first
    rank: int
    right: Right = field(compare=False)
    language: str | None = field(compare=False)
    generic: bool = field(compare=False, default=False)


def _candidate(match: re.Match[str], right: Right, language: str | None, generic: bool = False) -> _Candidate:
    return _Candidate(match.start(), match.start() - match.end(), _RANK[right], right, language, generic)


class _Clauses:
    """The clause breaks of one message, found once, for the guards of every phrase in it."""

    __slots__ = ("_ends", "_kinds", "_starts", "folded")

    def __init__(self, folded: str) -> None:
        self.folded = folded
        self._starts: list[int] | None = None  # found when a phrase first needs them
        self._ends: list[int] = []
        self._kinds: list[str] = []

    def _find(self) -> list[int]:
        if self._starts is None:
            found = list(_CLAUSE_BREAK.finditer(self.folded))
            self._starts = [match.start() for match in found]
            self._ends = [match.end() for match in found]
            self._kinds = [match.group() for match in found]
        return self._starts

    def start(self, position: int) -> tuple[int, int | None]:
        """Where the clause holding ``position`` starts, and where the one before it does when a comma parts them."""
        self._find()
        index = bisect.bisect_right(self._ends, position)
        if index == 0:
            return 0, None
        previous = (self._ends[index - 2] if index > 1 else 0) if self._kinds[index - 1] == "," else None
        return self._ends[index - 1], previous

    def end(self, position: int) -> int:
        starts = self._find()
        index = bisect.bisect_left(starts, position)
        return starts[index] if index < len(starts) else len(self.folded)


def _accepted(clauses: _Clauses, match: re.Match[str], guards: _Guards) -> bool:
    """Whether a phrase is asked for: not negated, not a condition or a question about our practice."""
    folded = clauses.folded
    start, end = match.span()
    clause, previous = clauses.start(start)
    before = folded[clause:start]
    if guards.negation.search(before):
        return False
    if previous is not None and _SUBORDINATE.match(before) and guards.negation.search(folded, previous, clause):
        return False
    if guards.hypothetical and guards.hypothetical.search(before):
        if not (guards.polite and guards.polite.search(folded, clause, clauses.end(end))):
            return False
    if guards.trailing_negation:
        # Right after the phrase or one word on: "löschen Sie meine Daten (bitte) nicht".
        for word in folded[end : clauses.end(end)].split()[:2]:
            if guards.trailing_negation.fullmatch(word.strip("'\"-*")):
                return False
    return True


def _first(pattern: re.Pattern[str], clauses: _Clauses, guards: _Guards) -> re.Match[str] | None:
    """The first accepted match; a refused one ("don't delete my data") does not hide a later one."""
    position = 0
    while (match := pattern.search(clauses.folded, position)) is not None:
        if _accepted(clauses, match, guards):
            return match
        position = match.start() + 1
    return None


@functools.lru_cache(maxsize=64)
def _language_order(language: str | None) -> tuple[str, ...]:
    code = (language or "").strip().casefold().replace("_", "-")
    for candidate in (code, code.split("-", 1)[0]):
        candidate = _LANGUAGE_ALIASES.get(candidate, candidate)
        if candidate in LEXICONS:
            return (candidate, *(other for other in LANGUAGES if other != candidate))
    return LANGUAGES


def _suggestion(candidate: _Candidate, origin: list[int] | None, language: str | None) -> RequestSuggestion:
    start, end = candidate.start, candidate.start - candidate.length
    if origin is not None:
        start, end = origin[start], origin[end - 1] + 1
    return RequestSuggestion(candidate.right, language, start, end, candidate.generic)


def _bare_law(text: str, folded: str) -> RequestSuggestion | None:
    if len(text) <= 24 and _BARE_LAW.fullmatch(folded):
        return RequestSuggestion(Right.ACCESS, None, 0, len(text), generic=True)
    return None


def request_suggestion(text: str, *, language: str | None = None) -> RequestSuggestion | None:
    """The subject request ``text`` asks for, with the language and the span that show it, or None.

    ``language`` is the conversation's language ("en", "de", "nl", "it", "pt-br"; "pt", "de-AT" and
    other regional codes count as their base language), tried first; None or an unknown code tries
    all in the order of ``LANGUAGES``.
    """
    if not text:
        return None
    folded, origin = fold(text)
    triggered = _triggered(folded)
    if not triggered:
        return _bare_law(text, folded)
    order = _language_order(language)
    clauses = _Clauses(folded)
    cited: list[_Candidate] = []
    for rule in triggered:
        if rule.language is None:
            for match in rule.pattern.finditer(folded):
                if found := citations.cited(match):
                    cited.append(_candidate(match, found.right, None, found.generic))
    specific_citations = [c for c in cited if not c.generic]
    for code in order:
        guards = _GUARDS[code]
        found = [
            _candidate(match, rule.right, code)
            for rule in triggered
            if rule.language == code and rule.right is not None and (match := _first(rule.pattern, clauses, guards))
        ]
        if found:
            # A citation before the phrase still decides the right, in this language's message.
            return _suggestion(min(found + specific_citations), origin, code)
    if cited:
        return _suggestion(min(specific_citations or cited), origin, None)
    for code in order:
        guards = _GUARDS[code]
        for rule in triggered:
            if rule.language == code and rule.right is None and (match := _first(rule.pattern, clauses, guards)):
                return _suggestion(_candidate(match, Right.ACCESS, code, generic=True), origin, code)
    return _bare_law(text, folded)


def request_suggested(text: str, *, language: str | None = None) -> Right | None:
    """The right ``text`` asks to exercise ("please delete my data" → ERASURE), or None; see the module docstring."""
    suggestion = request_suggestion(text, language=language)
    return suggestion.right if suggestion else None
