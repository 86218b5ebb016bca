"""Master-key rotation (``manage.py rotate_master_key``): everything re-wrapped, everything still read and found."""

import threading

import pytest
from django.core.management import CommandError, call_command

from consent import crypto, vault
from consent.models import DataKey, HashKey, Subject
from consent.selectors import subject_get_by_contact
from consent.services import subject_get_or_create_by_contact
from consent.tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def keys(settings):
    """Switch this process's master keys as an operator switches a server's environment. The keyed-hash keys stay
    cached per configuration, as in a server process that started under it (one not restarted yet keeps its own)."""

    def configure(current: str, *previous: str) -> None:
        settings.FIELD_ENCRYPTION_KEY = current
        settings.FIELD_ENCRYPTION_KEYS_PREVIOUS = list(previous)

    crypto.forget_cached_keys()
    yield configure
    crypto.forget_cached_keys()


def rotate(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rotate_master_key", *args, stdout=out)
    return out.getvalue()


def fresh(subject: Subject) -> Subject:
    return Subject.objects.get(pk=subject.pk)


def test_rotation_rewraps_every_key_and_everything_still_reads_and_is_found(keys, settings):
    old, new = settings.FIELD_ENCRYPTION_KEY, crypto.generate_master_key()
    customers = [SubjectFactory(value=f"+49 151 2345{n:04d}", display_name=f"Kunde {n}") for n in range(7)]
    ledger_hash, ip = crypto.evidence_hash("wamid.R1"), crypto.ip_hash("203.0.113.9")
    keys(new, old)
    output = rotate("--batch-size", "3")
    new_id = crypto.master_key_id()
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {new_id}
    assert set(HashKey.objects.values_list("master_key_id", flat=True)) == {new_id}
    assert "data keys re-wrapped: 7" in output and "remove FIELD_ENCRYPTION_KEYS_PREVIOUS" in output
    for text in ("Kunde", "+49", "2345"):  # counts and key ids only
        assert text not in output
    assert rotate("--check")  # exit 0: the old key can go
    keys(new)  # retired
    for n, customer in enumerate(customers):
        assert fresh(customer).display_name == f"Kunde {n}"
        assert fresh(customer).contact_points.get().value == f"+4915123450{n:03d}"
        # A returning customer is the same subject, not a new one.
        assert subject_get_by_contact(kind="whatsapp", value=f"+49 151 2345{n:04d}").pk == customer.pk
    assert crypto.evidence_hash("wamid.R1") == ledger_hash and crypto.ip_hash("203.0.113.9") == ip
    again, created = subject_get_or_create_by_contact(kind="whatsapp", value="+49 151 23450003", actor=None)
    assert (again.pk, created) == (customers[3].pk, False)
    assert Subject.objects.count() == 7


def test_a_second_run_changes_nothing_and_a_third_rotation_works(keys, settings):
    first, second, third = settings.FIELD_ENCRYPTION_KEY, crypto.generate_master_key(), crypto.generate_master_key()
    customer = SubjectFactory(value="+49 151 99990000", display_name="Erika")
    index = crypto.blind_index("+4915199990000", scope="contact:whatsapp")
    keys(second, first)
    rotate()
    wrapped = DataKey.objects.get().wrapped_key
    assert "data keys re-wrapped: 0" in rotate() and DataKey.objects.get().wrapped_key == wrapped  # idempotent
    keys(third, second)
    rotate()
    keys(third)
    assert fresh(customer).display_name == "Erika"
    assert crypto.blind_index("+4915199990000", scope="contact:whatsapp") == index


def test_an_erased_subject_stays_erased(keys, settings):
    old, new = settings.FIELD_ENCRYPTION_KEY, crypto.generate_master_key()
    kept, erased = SubjectFactory(display_name="Kept"), SubjectFactory(display_name="Gone")
    vault.key_destroy(subject=erased)
    keys(new, old)
    rotate()
    assert not DataKey.objects.filter(subject_id=erased.pk).exists()
    assert DataKey.objects.filter(subject_id=kept.pk).exists()
    from consent.exceptions import KeyDestroyed

    with pytest.raises(KeyDestroyed):
        _ = fresh(erased).display_name


def test_a_subject_created_under_the_old_key_during_the_rotation_is_rewrapped_by_the_next_run(keys, settings):
    old, new = settings.FIELD_ENCRYPTION_KEY, crypto.generate_master_key()
    SubjectFactory(value="+49 151 77770001", display_name="Before")  # this process started on the old key
    keys(new, old)
    rotate()
    keys(old)  # a process not restarted yet, still on the old key alone
    late = SubjectFactory(value="+49 151 77770000", display_name="Late")
    keys(new, old)
    with pytest.raises(CommandError, match="1 keys are still wrapped under a previous master key"):
        rotate("--check")
    rotate()
    rotate("--check")
    keys(new)
    assert fresh(late).display_name == "Late"
    assert subject_get_by_contact(kind="whatsapp", value="+49 151 77770000").pk == late.pk


def test_removing_the_old_key_before_the_rotation_fails_loudly(keys, settings):
    old, new = settings.FIELD_ENCRYPTION_KEY, crypto.generate_master_key()
    customer = SubjectFactory(value="+49 151 55550000", display_name="Erika")
    keys(new)  # the operator forgot FIELD_ENCRYPTION_KEYS_PREVIOUS
    with pytest.raises(crypto.MasterKeyMissing, match="FIELD_ENCRYPTION_KEYS_PREVIOUS"):
        _ = fresh(customer).display_name
    # No blind index from the wrong key: a returning customer would silently become a new subject.
    with pytest.raises(crypto.MasterKeyMissing):
        subject_get_or_create_by_contact(kind="whatsapp", value="+49 151 55550000", actor=None)
    with pytest.raises(CommandError, match="not configured"):
        rotate()
    assert Subject.objects.count() == 1
    # Half-way: the keyed-hash keys are re-wrapped, one data key is still under the old key.
    keys(old)
    other = SubjectFactory(display_name="Other")
    keys(new, old)
    rotate()
    keys(old)
    late = SubjectFactory(display_name="Late")
    keys(new)
    assert fresh(other).display_name == "Other"
    with pytest.raises(crypto.MasterKeyMissing, match="put that key back"):
        _ = fresh(late).display_name
    with pytest.raises(CommandError, match="not configured"):
        rotate("--check")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_app_keeps_serving_while_the_rotation_runs(require_postgres, keys, settings):
    """Threads find returning customers, read their names and take new ones on while the command re-wraps."""
    old, new = settings.FIELD_ENCRYPTION_KEY, crypto.generate_master_key()
    customers = [SubjectFactory(value=f"+49 152 1000{n:04d}", display_name=f"K{n}") for n in range(300)]
    keys(new, old)
    errors: list[Exception] = []
    served = {"reads": 0, "new": 0}
    done = threading.Event()

    def serve(worker: int) -> None:
        from django.db import connection

        n = 0
        try:
            while not done.is_set() or n < 20:
                customer = customers[(worker * 97 + n) % len(customers)]
                found, created = subject_get_or_create_by_contact(
                    kind="whatsapp", value=f"+49 152 1000{customers.index(customer):04d}", actor=None
                )
                assert not created and found.pk == customer.pk
                assert fresh(customer).display_name == f"K{customers.index(customer)}"
                subject_get_or_create_by_contact(kind="whatsapp", value=f"+49 153 {worker}{n:06d}", actor=None)
                served["reads"] += 1
                served["new"] += 1
                n += 1
        except Exception as exc:  # noqa: BLE001 - any failure in a thread is reported by the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=serve, args=(worker,)) for worker in range(3)]
    for thread in threads:
        thread.start()
    rotate("--batch-size", "25")
    done.set()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors[:1]
    rotate()  # what the threads created under the new key needs nothing; the check passes
    rotate("--check")
    keys(new)
    assert served["reads"] >= 60
    assert Subject.objects.count() == 300 + served["new"]
    assert all(fresh(c).display_name == f"K{n}" for n, c in enumerate(customers))
