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

Rotation (``manage.py rotate_master_key``, README "Rotating the master key"):
- ``FIELD_ENCRYPTION_KEY`` is the current master key: it wraps every new data
  key. ``FIELD_ENCRYPTION_KEYS_PREVIOUS`` lists older ones, which only unwrap.
  Each wrapped key records the id of the master key under which it was wrapped;
  one wrapped under a key no longer configured raises ``MasterKeyMissing``,
  never a silent empty read.
- The keyed-hash keys (``HASH_PURPOSES``) do not change with the master key:
  blind indexes, search tokens and the ledger's evidence hashes are stored
  values (the ledger's can never be recomputed), and a blind index that stopped
  matching would turn a returning customer into a new subject. They are derived
  once from the deployment's first master key and, from the first rotation on,
  kept in ``HashKey`` rows wrapped by the current master key. Holding the
  database and the new master key gives them, as holding it with the old key
  did; they never give the old master key or its wrapping key, so a retired key
  stays retired for old backups' data keys.
"""

import asyncio
import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

CIPHERTEXT_VERSION = 1
_NONCE_BYTES = 12


# Keys of keyed hashes whose results are stored: kept across master-key rotations (``HashKey``).
HASH_PURPOSES = ("blind-index", "evidence-hash", "ip-hash", "search-token", "verification-code")


class DecryptionFailed(Exception):
    """Ciphertext altered, moved to another row or field, or under another key."""


class MasterKeyMissing(DecryptionFailed, ImproperlyConfigured):
    """A key is wrapped under a master key neither in FIELD_ENCRYPTION_KEY nor FIELD_ENCRYPTION_KEYS_PREVIOUS."""


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


@lru_cache(maxsize=16)
def _key_id(encoded_master: str) -> str:
    return hashlib.sha256(_derive(encoded_master, b"key-id")).hexdigest()[:16]


def previous_master_keys() -> tuple[str, ...]:
    """The older master keys still configured for unwrapping, newest first."""
    configured = getattr(settings, "FIELD_ENCRYPTION_KEYS_PREVIOUS", ()) or ()
    if isinstance(configured, str):
        configured = configured.split(",")
    return tuple(key.strip() for key in configured if key.strip() and key.strip() != settings.FIELD_ENCRYPTION_KEY)


def master_keys() -> dict[str, str]:
    """Every configured master key by its id: the current one first."""
    keys = {_key_id(settings.FIELD_ENCRYPTION_KEY): settings.FIELD_ENCRYPTION_KEY}
    for encoded in previous_master_keys():
        keys.setdefault(_key_id(encoded), encoded)
    return keys


def master_key_id() -> str:
    """A short public fingerprint of the current master key, stored beside each wrapped key (for rotation)."""
    return _key_id(settings.FIELD_ENCRYPTION_KEY)


def _master_for(key_id: str, what: str) -> str:
    encoded = master_keys().get(key_id)
    if encoded is None:
        raise MasterKeyMissing(
            f"{what} is wrapped under master key {key_id}, which is neither FIELD_ENCRYPTION_KEY nor in "
            "FIELD_ENCRYPTION_KEYS_PREVIOUS: put that key back into FIELD_ENCRYPTION_KEYS_PREVIOUS until "
            "`manage.py rotate_master_key --check` says it can be retired"
        )
    return encoded


def derived_key(purpose: str) -> bytes:
    if purpose in HASH_PURPOSES:
        return _hash_keys(settings.FIELD_ENCRYPTION_KEY, previous_master_keys())[purpose]
    return _derive(settings.FIELD_ENCRYPTION_KEY, purpose.encode())


def origin_hash_keys() -> dict[str, bytes]:
    """The keyed-hash keys as first derived: from the oldest configured master key (the only one, until the first
    rotation pins them in ``HashKey``)."""
    previous = previous_master_keys()
    origin = previous[-1] if previous else settings.FIELD_ENCRYPTION_KEY
    return {purpose: _derive(origin, purpose.encode()) for purpose in HASH_PURPOSES}


# Where the pinned keyed-hash keys are read from: ``consent.models.vault`` registers its reader when the models load
# (this module is below the models and imports none of them). Returns the rows (purpose, wrapped key, master-key id)
# and whether data keys exist under a master key that is not configured.
HashKeyReader = Callable[[Collection[str]], tuple[list[tuple[str, bytes, str]], bool]]
_hash_key_reader: HashKeyReader | None = None


def register_hash_key_reader(reader: HashKeyReader) -> None:
    global _hash_key_reader  # set once, when the models load
    _hash_key_reader = reader
    _hash_keys.cache_clear()


def _stored_rows() -> tuple[list[tuple[str, bytes, str]], bool]:
    if _hash_key_reader is None:
        raise ImproperlyConfigured("consent.models is not loaded: the keyed-hash keys cannot be read")
    return _hash_key_reader(list(master_keys()))


def _stored_rows_in_thread() -> tuple[list[tuple[str, bytes, str]], bool]:
    from django.db import connections

    try:
        return _stored_rows()
    finally:
        connections.close_all()


@lru_cache(maxsize=8)
def _hash_keys(current: str, previous: tuple[str, ...]) -> dict[str, bytes]:
    """Read once per process and configuration: the keys never change, only the master key wrapping them."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        rows, unknown = _stored_rows()
    else:  # first use inside a consumer: the ORM refuses the event loop's thread, so ask from another one
        with ThreadPoolExecutor(max_workers=1) as pool:
            rows, unknown = pool.submit(_stored_rows_in_thread).result()
    if unknown:
        # Not pinned yet and data under a master key we do not have: deriving from the wrong key would make every
        # blind index miss (a returning customer would become a new subject). Refuse instead.
        raise MasterKeyMissing(
            "data keys are wrapped under a master key that is neither FIELD_ENCRYPTION_KEY nor in "
            "FIELD_ENCRYPTION_KEYS_PREVIOUS, and the keyed-hash keys are not pinned yet: configure the old key "
            "in FIELD_ENCRYPTION_KEYS_PREVIOUS and run `manage.py rotate_master_key`"
        )
    keys = origin_hash_keys()
    for purpose, wrapped, key_id in rows:
        keys[purpose] = _unwrap(_master_for(key_id, f"the {purpose} key"), wrapped, b"hash-key:" + purpose.encode())
    return keys


def derived_keys_in_use() -> dict[str, bytes]:
    """The keyed-hash keys this process uses (to pin or re-wrap them)."""
    return dict(_hash_keys(settings.FIELD_ENCRYPTION_KEY, previous_master_keys()))


def forget_cached_keys() -> None:
    """After the keyed-hash keys were pinned or re-wrapped in this process (the rotation command, tests)."""
    _hash_keys.cache_clear()


def _wrap(encoded_master: str, key: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(_derive(encoded_master, b"wrap")).encrypt(nonce, key, aad)


def _unwrap(encoded_master: str, wrapped: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(_derive(encoded_master, b"wrap")).decrypt(wrapped[:_NONCE_BYTES], wrapped[_NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise DecryptionFailed("key does not unwrap under this master key") from exc


def wrap_data_key(data_key: bytes, *, subject_ref: str) -> bytes:
    """Wrapped under the current master key (``master_key_id()``)."""
    return _wrap(settings.FIELD_ENCRYPTION_KEY, data_key, b"data-key:" + subject_ref.encode())


def unwrap_data_key(wrapped: bytes, *, subject_ref: str, key_id: str | None = None) -> bytes:
    """``key_id``: the master key the row says wrapped it (``DataKey.master_key_id``); the current one if unknown."""
    encoded = _master_for(key_id, "this data key") if key_id else settings.FIELD_ENCRYPTION_KEY
    return _unwrap(encoded, wrapped, b"data-key:" + subject_ref.encode())


def wrap_hash_key(key: bytes, *, purpose: str) -> bytes:
    return _wrap(settings.FIELD_ENCRYPTION_KEY, key, b"hash-key:" + purpose.encode())


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
