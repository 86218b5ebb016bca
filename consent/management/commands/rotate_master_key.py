"""Re-wrap every key under the current master key (FIELD_ENCRYPTION_KEY), while the app keeps serving.

Run it once every process runs with the new key in FIELD_ENCRYPTION_KEY and the old one in
FIELD_ENCRYPTION_KEYS_PREVIOUS (README, "Rotating the master key"); ``--check`` says whether the old one can be
retired. Prints counts and master-key ids only.
"""

from django.core.management.base import BaseCommand, CommandError

from consent import crypto
from consent.rotation import data_keys_rewrap_batch, hash_keys_pin, rotation_status


class Command(BaseCommand):
    help = "Re-wrap every data key and keyed-hash key under FIELD_ENCRYPTION_KEY; --check: can the old keys go?"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="Only report; exit 1 while a key is not re-wrapped.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, check: bool, batch_size: int, **options) -> None:
        status = rotation_status()
        if status.unknown:
            raise CommandError(
                f"keys are wrapped under master key(s) {', '.join(sorted(status.unknown))}, which are not configured: "
                "put them into FIELD_ENCRYPTION_KEYS_PREVIOUS (nothing was changed)"
            )
        if check:
            self._report(status)
            return
        pinned = hash_keys_pin()
        total = lost = 0
        # Passes until one finds nothing: rows written meanwhile by processes still on the old key come last.
        for _ in range(10):
            after_pk, found = 0, 0
            while True:
                after_pk, rewrapped, gone = data_keys_rewrap_batch(after_pk=after_pk, batch_size=batch_size)
                if not after_pk:
                    break
                found += rewrapped + gone
                total, lost = total + rewrapped, lost + gone
                self.stdout.write(f"re-wrapped {total} data keys so far")
            if not found:
                break
        self.stdout.write(
            f"keyed-hash keys written: {pinned}; data keys re-wrapped: {total}; erased or changed meanwhile: {lost}"
        )
        self._report(rotation_status())

    def _report(self, status) -> None:
        self.stdout.write(f"current master key: {status.current}")
        for key_id in sorted({*status.data_keys, *status.hash_keys}):
            role = "current" if key_id == status.current else "previous"
            self.stdout.write(
                f"  {key_id} ({role}): {status.data_keys.get(key_id, 0)} data keys, "
                f"{status.hash_keys.get(key_id, 0)} keyed-hash keys"
            )
        if not status.hash_keys_pinned:
            raise CommandError("the keyed-hash keys are not stored yet: run `manage.py rotate_master_key`")
        if status.remaining:
            raise CommandError(f"{status.remaining} keys are still wrapped under a previous master key")
        previous = crypto.previous_master_keys()
        if previous:
            self.stdout.write(
                f"nothing is wrapped under the {len(previous)} previous key(s) any more: remove "
                "FIELD_ENCRYPTION_KEYS_PREVIOUS from every process, then destroy the old key"
            )
        else:
            self.stdout.write("everything is wrapped under the current master key")
