"""The per-subject key vault: a subject's data key is made, stored wrapped, and destroyed here.

Fields are encrypted with it through their declarations (``consent.encrypted``); the instance unwraps the
key on first use (``Subject.unwrapped_key``).

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
from consent.models import DataKey, Subject


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


@transaction.atomic
def key_destroy(*, subject: Subject) -> None:
    """Crypto-shred: after this, nothing encrypted for the subject can be read again."""
    DataKey.objects.filter(subject_id=subject.pk).delete()
    subject._data_key_cache = None


def key_exists(*, subject: Subject) -> bool:
    return DataKey.objects.filter(subject_id=subject.pk).exists()
