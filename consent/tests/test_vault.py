"""Encryption at rest and crypto-shredding (DESIGN decision 1)."""

import pytest
from django.db import connection

from consent import crypto, services, vault
from consent.exceptions import KeyDestroyed
from consent.models import ContactPoint, DataKey, Subject
from consent.selectors import subject_get_by_contact


def raw(sql: str, params: list) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return b"".join(bytes(row[0]) for row in cursor.fetchall() if row[0] is not None)


def test_round_trip_and_nothing_in_clear_in_the_database(subject_de):
    subject = Subject.objects.get(pk=subject_de.pk)  # fresh instance: no cached key
    assert subject.display_name == "Erika Mustermann"
    assert subject.contact_points.get().value == "+4915123456789"
    stored = raw("SELECT display_name_enc FROM consent_subject WHERE id = %s", [subject.pk])
    stored += raw("SELECT value_enc FROM consent_contactpoint WHERE subject_id = %s", [subject.pk])
    stored += raw("SELECT display_name_enc FROM consent_historicalsubject WHERE id = %s", [subject.pk])
    stored += raw("SELECT value_enc FROM consent_historicalcontactpoint WHERE subject_id = %s", [subject.pk])
    assert stored and b"Mustermann" not in stored and b"15123456789" not in stored
    index = ContactPoint.objects.get(subject=subject).value_index
    assert "15123456789" not in index and len(index) == 64


def test_each_subject_has_its_own_key(subject_de, subject_br):
    keys = {bytes(k.wrapped_key) for k in DataKey.objects.all()}
    assert len(keys) == 2
    # Ciphertext moved to another subject's row does not decrypt under that subject's key.
    moved = Subject.objects.get(pk=subject_br.pk)
    moved.display_name_enc = Subject.objects.get(pk=subject_de.pk).display_name_enc
    with pytest.raises(crypto.DecryptionFailed):
        _ = moved.display_name


def test_ciphertext_is_bound_to_its_field(subject_de):
    contact = subject_de.contact_points.get()
    subject_de.display_name_enc = contact.value_enc  # the number's ciphertext, moved into the name's column
    with pytest.raises(crypto.DecryptionFailed):
        _ = subject_de.display_name
    contact.kind = "email"  # bound to the kind too: a phone number does not pass for an e-mail address
    with pytest.raises(crypto.DecryptionFailed):
        _ = contact.value


def test_every_encrypted_field_declares_a_label_of_its_own():
    """Each model declares its labels once (``consent.encrypted.Encrypted``); no two fields share one."""
    from django.apps import apps

    from consent.encrypted import encrypted_fields

    declared = {(model, field.name): field for model in apps.get_models() for field in encrypted_fields(model)}
    names = {(model.__name__, name) for model, name in declared}
    assert {("Subject", "display_name"), ("ContactPoint", "value"), ("AccessRecord", "reason"), ("Note", "body"),
            ("Message", "content"), ("Attachment", "data"), ("SensitiveAlert", "excerpt")} <= names  # fmt: skip
    labels = [field.label for field in declared.values() if isinstance(field.label, str)]
    assert len(labels) == len(set(labels))


def test_nothing_but_the_declarations_encrypts_a_field():
    """A label typed at a call site could differ from the one the reader uses: data written so is unreadable."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    allowed = {root / "consent" / "crypto.py", root / "consent" / "encrypted.py"}
    callers = [
        path.relative_to(root).as_posix()
        for top in ("consent", "conversations", "retention", "contactcenter", "devtools")
        for path in (root / top).rglob("*.py")
        if path not in allowed and "tests" not in path.parts
        and re.search(r"\bcrypto\.(en|de)crypt\(|from consent\.crypto import[^\n]*\b(en|de)crypt\b", path.read_text())
    ]  # fmt: skip
    assert callers == []


def test_crypto_shredding_makes_every_copy_unreadable(subject_de, subject_br):
    history_ciphertexts = [bytes(h.display_name_enc) for h in subject_de.history.all() if h.display_name_enc]
    assert history_ciphertexts
    vault.key_destroy(subject=subject_de)

    fresh = Subject.objects.get(pk=subject_de.pk)
    with pytest.raises(KeyDestroyed):
        _ = fresh.display_name
    with pytest.raises(KeyDestroyed):
        _ = fresh.contact_points.get().value
    for ciphertext in history_ciphertexts:  # history rows and backups hold only this
        fresh.display_name_enc = ciphertext
        with pytest.raises(KeyDestroyed):
            _ = fresh.display_name
    # The blind index still finds the row (erasure deletes it next), other subjects are untouched.
    assert subject_get_by_contact(kind="whatsapp", value="+4915123456789").pk == subject_de.pk
    assert Subject.objects.get(pk=subject_br.pk).display_name == "Maria Silva"


def test_data_key_does_not_unwrap_under_another_master_key(subject_de, settings):
    settings.FIELD_ENCRYPTION_KEY = crypto.generate_master_key()
    with pytest.raises(crypto.DecryptionFailed):
        _ = Subject.objects.get(pk=subject_de.pk).display_name


@pytest.mark.django_db  # the keyed-hash keys are read from the database once (HashKey, consent.crypto)
def test_blind_index_depends_on_the_master_key(settings):
    first = crypto.blind_index("+4915123456789", scope="contact:whatsapp")
    assert first == crypto.blind_index("+4915123456789", scope="contact:whatsapp")
    assert first != crypto.blind_index("+4915123456789", scope="contact:email")
    settings.FIELD_ENCRYPTION_KEY = crypto.generate_master_key()
    assert first != crypto.blind_index("+4915123456789", scope="contact:whatsapp")


def test_display_name_update_is_encrypted_and_audited(subject_de, dpo):
    services.subject_update(subject=subject_de, display_name="Erika M.", actor=dpo, reason="customer asked")
    fresh = Subject.objects.get(pk=subject_de.pk)
    assert fresh.display_name == "Erika M."
    latest = fresh.history.first()
    assert latest.history_user == dpo and latest.history_change_reason == "customer asked"


@pytest.mark.parametrize("bad", ["", "short", "!!!not-base64!!!", "AAAA"])
def test_master_key_must_be_32_bytes(settings, bad):
    from django.core.exceptions import ImproperlyConfigured

    settings.FIELD_ENCRYPTION_KEY = bad
    with pytest.raises(ImproperlyConfigured):
        crypto.derived_key("wrap")
