"""Meta's webhook signature: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>``.

Checked on the raw bytes before anything parses them, in constant time.
"""

import hashlib
import hmac

HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def signature_for(body: bytes, *, secret: str) -> str:
    """The header value Meta sends for ``body`` (the fake Graph API and ``play_customer`` sign with it)."""
    return _PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, header: str | None, *, secret: str) -> bool:
    if not secret or not header:
        return False
    # compare_digest on the whole header: no early exit that would leak how many characters matched.
    return hmac.compare_digest(signature_for(body, secret=secret).encode(), header.strip().encode())
