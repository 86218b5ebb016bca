"""The retention app's domain errors (STYLE rule 4): the edge maps them to HTTP answers by ``code``.

Messages name internal ids only, never a number, an address or a code: they may end up in logs and error pages.
"""

from consent.exceptions import DomainError


class VerificationError(DomainError, code="verification_error"):
    """The base of the one-time code's refusals (``retention.services.verification``)."""


class WrongCode(VerificationError, code="wrong_code", http_status=400):
    """Not the code of this challenge; ``extra["attempts_left"]`` says how many tries remain."""


class ChallengeExpired(VerificationError, code="challenge_expired", http_status=410):
    """The code's 10 minutes are over (or there is no such challenge): ask for a new code."""


class ChallengeLocked(VerificationError, code="challenge_locked", http_status=423):
    """Five wrong codes: this challenge is dead, even for the right code; ask for a new code."""


class ChallengeUsed(VerificationError, code="challenge_used", http_status=409):
    """The code was right once already: a code proves control once."""


class RateLimited(VerificationError, code="rate_limited", http_status=429):
    """Too many codes asked for this identifier or from this address within the hour;
    ``extra["retry_after"]`` is in seconds. Refused alike whether or not we know the identifier."""
