"""Cryptographic primitives of the key vault (DESIGN decision 1).

Invariants:
- The master key (``FIELD_ENCRYPTION_KEY``, 32 bytes, URL-safe base64) never
  encrypts data itself. HKDF derives from it one key per job: wrapping data
  keys, blind indexes, IP hashing. Compromising one derived key does not give
  the others.
- Every subject has its own random 256-bit data key, stored only wrapped
  (AES-256-GCM under the wrapping key, bound to the subject by the associated
  data). Personal fields are AES-256-GCM ciphertext under the data key, bound
  to the subject and the field by the associated data, so a ciphertext copied
  to another row or field fails to decrypt instead of leaking.
- Blind indexes are HMAC-SHA256 of the normalised value under the index key:
  deterministic (exact lookups, uniqueness) but useless without the key.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CIPHERTEXT_VERSION = 1
_NONCE_BYTES = 12


class DecryptionFailed(Exception):
    """Ciphertext altered, moved to another row or field, or under another key."""


def generate_master_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@lru_cache(maxsize=4)
def _master_key(encoded: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(encoded.encode())
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is not URL-safe base64") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must decode to 32 bytes (manage.py generate_master_key)")
    return raw


@lru_cache(maxsize=16)
def _derive(encoded_master: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"contactcenter/" + purpose).derive(
        _master_key(encoded_master)
    )


def derived_key(purpose: str) -> bytes:
    return _derive(settings.FIELD_ENCRYPTION_KEY, purpose.encode())


def master_key_id() -> str:
    """A short public fingerprint of the master key, stored beside each wrapped key (for rotation)."""
    return hashlib.sha256(derived_key("key-id")).hexdigest()[:16]


def wrap_data_key(data_key: bytes, *, subject_ref: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(derived_key("wrap")).encrypt(nonce, data_key, b"data-key:" + subject_ref.encode())


def unwrap_data_key(wrapped: bytes, *, subject_ref: str) -> bytes:
    try:
        return AESGCM(derived_key("wrap")).decrypt(
            wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], b"data-key:" + subject_ref.encode()
        )
    except InvalidTag as exc:
        raise DecryptionFailed("data key does not unwrap under this master key") from exc


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encrypt(data_key: bytes, plaintext: bytes, *, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return bytes([CIPHERTEXT_VERSION]) + nonce + AESGCM(data_key).encrypt(nonce, plaintext, aad)


def decrypt(data_key: bytes, ciphertext: bytes, *, aad: bytes) -> bytes:
    if not ciphertext or ciphertext[0] != CIPHERTEXT_VERSION:
        raise DecryptionFailed("unknown ciphertext version")
    nonce, body = ciphertext[1 : 1 + _NONCE_BYTES], ciphertext[1 + _NONCE_BYTES :]
    try:
        return AESGCM(data_key).decrypt(nonce, body, aad)
    except InvalidTag as exc:
        raise DecryptionFailed("ciphertext does not authenticate") from exc


def blind_index(value: str, *, scope: str) -> str:
    """Keyed hash for exact-match lookups; ``scope`` keeps equal values of different kinds apart."""
    message = f"{scope}\x00{value}".encode()
    return hmac.new(derived_key("blind-index"), message, hashlib.sha256).hexdigest()


def evidence_hash(value: str) -> str:
    """Keyed hash of a provider's message id for consent evidence. A WhatsApp id encodes the customer's number,
    and ledger events outlive an erasure: kept hashed, the id is provable (hash Meta's id again) but not readable."""
    return hmac.new(derived_key("evidence-hash"), value.encode(), hashlib.sha256).hexdigest()


def ip_hash(ip: str) -> str:
    """Keyed hash of an IP address for consent evidence: provable on request, not reversible."""
    return hmac.new(derived_key("ip-hash"), ip.encode(), hashlib.sha256).hexdigest()
