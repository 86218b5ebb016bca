"""The per-subject key vault: encrypt and decrypt a subject's personal fields.

Invariants:
- A data key exists from the subject's creation until its erasure;
  ``key_destroy`` deletes it, after which every ciphertext of that subject
  (rows, history rows, backups) raises ``KeyDestroyed`` for good.
- Unwrapped keys are cached on the model instance only, never process-wide,
  so a key destroyed by one server process is gone for every other one at
  its next query.
"""

from django.db import transaction

from consent import crypto
from consent.exceptions import KeyDestroyed
from consent.models import DataKey, Subject


def _aad(subject: Subject, field: str) -> bytes:
    return f"{field}|{subject.public_id}".encode()


def key_generate(*, subject: Subject) -> None:
    """A fresh data key for a subject not saved yet: fields can be encrypted before the first insert.
    ``key_create`` stores it (wrapped) once the subject has its id."""
    subject._data_key_cache = crypto.new_data_key()


def key_create(*, subject: Subject) -> None:
    data_key = getattr(subject, "_data_key_cache", None) or crypto.new_data_key()
    DataKey.objects.create(
        subject=subject,
        wrapped_key=crypto.wrap_data_key(data_key, subject_ref=str(subject.public_id)),
        master_key_id=crypto.master_key_id(),
    )
    subject._data_key_cache = data_key


def _data_key(subject: Subject) -> bytes:
    cached = getattr(subject, "_data_key_cache", None)
    if cached is not None:
        return cached
    loaded = subject._state.fields_cache.get("data_key")  # fetched with select_related("data_key")
    if loaded is not None:
        wrapped = loaded.wrapped_key
    else:
        wrapped = DataKey.objects.filter(subject_id=subject.pk).values_list("wrapped_key", flat=True).first()
    if wrapped is None:
        raise KeyDestroyed(f"subject #{subject.pk} has no data key (erased)")
    data_key = crypto.unwrap_data_key(bytes(wrapped), subject_ref=str(subject.public_id))
    subject._data_key_cache = data_key
    return data_key


def field_encrypt(subject: Subject, value: str, *, field: str) -> bytes:
    return crypto.encrypt(_data_key(subject), value.encode(), aad=_aad(subject, field))


def field_decrypt(subject: Subject, ciphertext: bytes, *, field: str) -> str:
    return crypto.decrypt(_data_key(subject), ciphertext, aad=_aad(subject, field)).decode()


@transaction.atomic
def key_destroy(*, subject: Subject) -> None:
    """Crypto-shred: after this, nothing encrypted for the subject can be read again."""
    DataKey.objects.filter(subject_id=subject.pk).delete()
    subject._data_key_cache = None


def key_exists(*, subject: Subject) -> bool:
    return DataKey.objects.filter(subject_id=subject.pk).exists()
