"""Regular expressions a DPO writes (watch terms of kind "pattern"), run on every message with a time limit.

A pattern is code a person typed into the admin, run against text customers control. In Python's ``re`` a
pattern such as ``(a|aa)+$`` takes exponential time on "aaaa…!" and would stall message intake. So patterns are
compiled with the ``regex`` package, which accepts the same syntax and can stop a search after a time limit:

- ``compile_pattern`` refuses, with a reason a DPO can act on, a pattern that is invalid, matches empty text (it
  would match every message), or exceeds the limit on one of a few texts known to trip backtracking.
- ``search`` runs a compiled pattern with the limit (``timeout``, seconds: the caller passes the project's
  ``WATCH_PATTERN_TIMEOUT``) and raises ``PatternTimeout`` when it is reached; the caller skips that pattern
  for that message and says so without the text. A message is never lost or held up for longer than the
  limit per pattern.
"""

import regex

# Texts on which catastrophic backtracking shows: long runs of one kind of character, then one that fails the match.
_PROBES = tuple(
    run * (4000 // len(run)) + end
    for run in ("a", "1", " ", "ab", "a1", "a ", "1 ", "a.", "-a", "é")
    for end in ("!", "\n")
)


class PatternError(ValueError):
    """A pattern refused, with the reason in words; ``reason`` says which refusal it is (``invalid``, ``empty``,
    ``slow``) and ``detail`` the regular-expression engine's own words, for a caller that shows the refusal in the
    reader's language (this library knows no translations)."""

    def __init__(self, message: str, *, reason: str, detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail


class PatternTimeout(Exception):
    """A search stopped at the time limit."""


def compile_pattern(value: str, *, timeout: float, probe: bool = True) -> regex.Pattern:
    """``value`` compiled (case ignored), or ``PatternError`` saying why it cannot be a watch pattern.

    ``timeout``: seconds the pattern may take on each backtracking probe. ``probe=False`` skips the probes
    (a pattern loaded to run, validated when saved)."""
    try:
        compiled = regex.compile(value, regex.IGNORECASE | regex.VERSION0)
    except regex.error as exc:
        raise PatternError(f"Not a valid regular expression: {exc.msg}.", reason="invalid", detail=exc.msg) from None
    if compiled.search("") is not None:
        raise PatternError("This pattern matches empty text, so it would match every message.", reason="empty")
    for text in _PROBES if probe else ():
        try:
            compiled.search(text, timeout=timeout)
        except TimeoutError:
            raise PatternError(
                "This pattern takes too long on some texts (nested repetition such as (a|aa)+ or (a+)+); simplify it.",
                reason="slow",
            ) from None
    return compiled


def search(compiled: regex.Pattern, text: str, *, timeout: float) -> regex.Match | None:
    try:
        return compiled.search(text, timeout=timeout)
    except TimeoutError:
        raise PatternTimeout from None
