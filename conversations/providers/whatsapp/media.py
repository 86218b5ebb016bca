"""Inbound media from the WhatsApp Cloud API: the two-step Graph download, verified.

``GET {WHATSAPP_API_BASE}/{media_id}`` with the bearer token answers a short-lived URL and the expected
sha256 and size; ``GET url`` (bearer token again) answers the bytes. ``media_download`` returns them only
when the size is within the limit and the sha256 matches: we never keep what the provider did not vouch for.
Raises ``RetryableMediaError`` for what may work later (5xx, 429, timeouts, connection errors) and
``PermanentMediaError`` for what never will (4xx, no URL, too large, mismatch). Errors name HTTP codes and
exception classes, never a URL (it carries the media id) or content.
"""

import base64
import binascii
import hashlib

import httpx
from django.conf import settings

from conversations.providers.base import PermanentMediaError, RetryableMediaError


def _sha256_matches(data: bytes, expected: str) -> bool:
    """Graph's media endpoint gives a hex digest; webhooks give base64: accept either form."""
    digest = hashlib.sha256(data).digest()
    if expected.lower() == digest.hex():
        return True
    try:
        return base64.b64decode(expected, validate=True) == digest
    except (binascii.Error, ValueError):
        return False


def _get(client: httpx.Client, url: str, token: str) -> httpx.Response:
    try:
        response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    except httpx.TransportError as exc:  # timeouts, refused connections, resets
        raise RetryableMediaError(type(exc).__name__) from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise RetryableMediaError(f"http {response.status_code}")
    if not response.is_success:
        raise PermanentMediaError(f"http {response.status_code}")
    return response


def media_download(media_id: str, *, max_bytes: int) -> tuple[bytes, str]:
    """(bytes, mime type) of a media id through the two-step Graph flow."""
    token = settings.WHATSAPP_ACCESS_TOKEN
    with httpx.Client(timeout=settings.WHATSAPP_TIMEOUT_SECONDS) as client:
        info_response = _get(client, f"{settings.WHATSAPP_API_BASE.rstrip('/')}/{media_id}", token)
        try:
            info = info_response.json()
            url = str(info["url"])
        except (ValueError, KeyError, TypeError) as exc:
            raise PermanentMediaError("media info without a url") from exc
        declared = info.get("file_size")
        if isinstance(declared, int) and declared > max_bytes:
            raise PermanentMediaError("media larger than the limit")
        data = _get(client, url, token).content
    if len(data) > max_bytes:
        raise PermanentMediaError("media larger than the limit")
    expected = str(info.get("sha256") or "")
    if expected and not _sha256_matches(data, expected):
        raise PermanentMediaError("sha256 mismatch")
    return data, str(info.get("mime_type") or "")
