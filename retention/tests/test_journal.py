"""The erasure journal: written durably, read strictly, and kept apart from the database it outlives."""

import os
import stat

import pytest
from django.core.management import CommandError, call_command

from consent.models import Subject
from consent.tests.factories import SubjectFactory
from retention import journal
from retention.journal import JournalEntry, journal_append, journal_entries
from retention.models import ErasureReceipt
from retention.services import subject_erase
from tests.processes import manage, production_env

pytestmark = pytest.mark.django_db


@pytest.fixture
def journal_file(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ERASURE_JOURNAL_PATH = str(tmp_path / "journal" / "erasure-journal.jsonl")
    return tmp_path / "journal" / "erasure-journal.jsonl"


def test_reapply_refuses_a_missing_journal_while_the_database_holds_receipts(journal_file, settings, capsys):
    subject_erase(subject=SubjectFactory(), actor=None, reason="subject_request")
    back = SubjectFactory()  # as if the restored backup held someone erased since
    settings.ERASURE_JOURNAL_PATH = str(journal_file.parent / "elsewhere.jsonl")  # a misconfigured path

    with pytest.raises(CommandError, match=r"no erasure journal at .*elsewhere\.jsonl.*1 erasure receipt"):
        call_command("erasures_reapply")
    assert ErasureReceipt.objects.count() == 1 and Subject.objects.filter(pk=back.pk).exists()

    call_command("erasures_reapply", "--journal-known-empty")  # the operator knows
    assert "0 journal entries" in capsys.readouterr().out


def test_a_fresh_install_without_a_journal_reapplies_nothing(journal_file, capsys):
    assert not journal_file.exists() and not ErasureReceipt.objects.exists()
    call_command("erasures_reapply")
    out = capsys.readouterr().out
    assert "0 journal entries" in out and "0 subject(s) erased again" in out


def test_reapply_refuses_a_journal_that_lacks_receipts_the_database_holds(journal_file, settings):
    subject_erase(subject=SubjectFactory(), actor=None, reason="subject_request")
    back = SubjectFactory()
    other = journal_file.parent / "other-deployment.jsonl"
    other.write_text(f'{{"at": "2026-01-01T00:00:00+00:00", "receipt": "x", "subject": "{back.public_id}"}}\n')
    settings.ERASURE_JOURNAL_PATH = str(other)

    with pytest.raises(CommandError, match=r"lacks 1 of the 1 erasure receipts.*nothing done"):
        call_command("erasures_reapply")
    assert Subject.objects.filter(pk=back.pk).exists()  # refused before erasing anyone

    settings.ERASURE_JOURNAL_PATH = str(journal_file)  # the right one: every receipt has its line
    call_command("erasures_reapply")


def test_reapply_refuses_a_journal_it_cannot_read_whatever_the_flag(journal_file, settings):
    journal_file.parent.mkdir(parents=True)
    journal_file.mkdir()  # a directory where the file should be
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("erasures_reapply", "--journal-known-empty")
    garbled = journal_file.parent / "garbled.jsonl"
    garbled.write_text('{"subject": "a", "at": "b", "receipt": "c"}\nnot json\n')
    settings.ERASURE_JOURNAL_PATH = str(garbled)
    with pytest.raises(CommandError, match="line 2: not an entry"):
        call_command("erasures_reapply", "--journal-known-empty")


def test_creating_the_journal_syncs_its_directory_entries(journal_file, monkeypatch):
    synced: list[tuple[bool, int]] = []
    fsync = os.fsync

    def recording(fd: int) -> None:
        info = os.fstat(fd)
        synced.append((stat.S_ISDIR(info.st_mode), info.st_ino))
        fsync(fd)

    monkeypatch.setattr(journal.os, "fsync", recording)
    entry = JournalEntry(subject="s", at="2026-01-01T00:00:00+00:00", receipt="r")
    journal_append(entry)  # creates the directory and the file

    directories = {ino for is_dir, ino in synced if is_dir}
    assert os.stat(journal_file.parent).st_ino in directories  # the file's entry in its directory
    assert os.stat(journal_file.parent.parent).st_ino in directories  # the new directory's entry in its parent
    assert (False, os.stat(journal_file).st_ino) == synced[0]  # the data first
    assert stat.S_IMODE(os.stat(journal_file).st_mode) == 0o600

    synced.clear()
    journal_append(entry)  # appending to a file that exists: its data only
    assert synced == [(False, os.stat(journal_file).st_ino)]
    assert len(list(journal_entries())) == 2


def _deploy_check(**env: str):
    return manage("check", "--deploy", "--fail-level", "ERROR", **production_env(**env))


def test_without_debug_the_journal_must_be_set_absolute_and_away_from_the_database(tmp_path):
    from django.conf import settings

    unset = _deploy_check(ERASURE_JOURNAL_PATH="")
    assert unset.returncode != 0 and "retention.E001" in unset.stderr
    relative = _deploy_check(ERASURE_JOURNAL_PATH="journal.jsonl")
    assert relative.returncode != 0 and "retention.E002" in relative.stderr
    # The embedded SQLite database lives in var/: a journal beside it is backed up (and restored) with it.
    beside = _deploy_check(ERASURE_JOURNAL_PATH=str(settings.BASE_DIR / "var" / "erasure-journal.jsonl"))
    assert beside.returncode != 0 and "retention.E003" in beside.stderr
    elsewhere = _deploy_check(ERASURE_JOURNAL_PATH=str(tmp_path / "journal" / "erasure-journal.jsonl"))
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert "retention.E00" not in elsewhere.stdout + elsewhere.stderr
