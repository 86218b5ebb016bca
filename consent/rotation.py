"""Master-key rotation: every wrapped key moves from the previous master keys to the current one.

Invariants:
- Only the wrapping changes: a data key, and so every ciphertext of its subject, is the same before and after;
  so are the keyed-hash keys (blind indexes, search tokens, ledger hashes keep matching, ``consent.crypto``).
- Each batch is one short transaction over rows locked ``FOR UPDATE`` (PostgreSQL) and written back only if
  unchanged (compare-and-set on the wrapped bytes): a subject erased meanwhile has no row left to lock or to
  update, so a rotation never brings an erased subject's key back; a subject created meanwhile by a process
  still on the old configuration is picked up by a later batch or the next run.
- Resumable and idempotent: a row already under the current key is never touched; stopping between batches
  loses nothing. Output holds counts and master-key ids (public fingerprints), never a key or personal data.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from consent import crypto
from consent.models import DataKey, HashKey


@dataclass(frozen=True, slots=True)
class RotationStatus:
    current: str
    data_keys: dict[str, int]  # master-key id -> data keys wrapped under it
    hash_keys: dict[str, int]
    unknown: set[str]  # ids of master keys no longer configured that still wrap something

    @property
    def remaining(self) -> int:
        return sum(n for key_id, n in {**self.data_keys}.items() if key_id != self.current) + sum(
            n for key_id, n in self.hash_keys.items() if key_id != self.current
        )

    @property
    def hash_keys_pinned(self) -> bool:
        return sum(self.hash_keys.values()) == len(crypto.HASH_PURPOSES)


def rotation_status() -> RotationStatus:
    def counts(model: type) -> dict[str, int]:
        rows = model.objects.values_list("master_key_id").order_by()
        found: dict[str, int] = {}
        for (key_id,) in rows.iterator():
            found[key_id] = found.get(key_id, 0) + 1
        return found

    data_keys, hash_keys = counts(DataKey), counts(HashKey)
    configured = crypto.master_keys()
    unknown = {key_id for key_id in {*data_keys, *hash_keys} if key_id not in configured}
    return RotationStatus(crypto.master_key_id(), data_keys, hash_keys, unknown)


@transaction.atomic
def hash_keys_pin(*, actor: None = None) -> int:
    """Store the keyed-hash keys wrapped under the current master key (first rotation), or re-wrap them.
    Returns how many rows were written."""
    current = crypto.master_key_id()
    keys = crypto.derived_keys_in_use()
    existing = {row.purpose: row for row in HashKey.objects.select_for_update()}
    written = 0
    for purpose in crypto.HASH_PURPOSES:
        row = existing.get(purpose)
        if row is not None and row.master_key_id == current:
            continue
        wrapped = crypto.wrap_hash_key(keys[purpose], purpose=purpose)
        if row is None:
            HashKey.objects.create(purpose=purpose, wrapped_key=wrapped, master_key_id=current)
        else:
            HashKey.objects.filter(pk=row.pk).update(wrapped_key=wrapped, master_key_id=current)
        written += 1
    transaction.on_commit(crypto.forget_cached_keys)
    return written


def data_keys_rewrap_batch(*, after_pk: int, batch_size: int, actor: None = None) -> tuple[int, int, int]:
    """Re-wrap up to ``batch_size`` data keys with a pk above ``after_pk`` not under the current master key.
    Returns (last pk seen, rows re-wrapped, rows gone or changed meanwhile); last pk 0 when none is left."""
    current = crypto.master_key_id()
    with transaction.atomic():
        rows = DataKey.objects.exclude(master_key_id=current).filter(pk__gt=after_pk).order_by("pk")
        if connection.features.has_select_for_update_of:
            rows = rows.select_for_update(of=("self",))
        batch = list(rows.values_list("pk", "subject__public_id", "wrapped_key", "master_key_id")[:batch_size])
        rewrapped = lost = 0
        for pk, public_id, wrapped, key_id in batch:
            data_key = crypto.unwrap_data_key(bytes(wrapped), subject_ref=str(public_id), key_id=key_id)
            new = crypto.wrap_data_key(data_key, subject_ref=str(public_id))
            updated = DataKey.objects.filter(pk=pk, master_key_id=key_id, wrapped_key=bytes(wrapped)).update(
                wrapped_key=new, master_key_id=current
            )
            rewrapped += updated
            lost += 1 - updated
    return (batch[-1][0] if batch else 0), rewrapped, lost
