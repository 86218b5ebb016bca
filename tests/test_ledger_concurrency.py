"""Concurrent consent changes on PostgreSQL keep one gap-free, verifiable chain."""

import threading

import pytest
from django.db import connection

from consent import services
from consent.ledger import ledger_verify
from consent.models import ConsentEvent, ConsentState
from consent.tests.factories import texts

WORKERS, CHANGES = 4, 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_appends_serialise_on_the_ledger_head(require_postgres):
    purpose = services.purpose_create(
        code="parallel", name=texts("n"), description=texts("d"),
        legal_bases={"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"}, actor=None,
    )  # fmt: skip
    notice = services.notice_create(language="en", jurisdiction="GDPR", title="t", text="x", actor=None)
    services.notice_publish(notice=notice, actor=None)
    subjects = [
        services.subject_create(kind="email", value=f"worker{i}@example.org", language="en", actor=None)
        for i in range(WORKERS)
    ]
    errors: list[BaseException] = []
    start = threading.Barrier(WORKERS)

    def work(subject) -> None:
        try:
            start.wait()
            for _ in range(CHANGES // 2):
                services.consent_grant(subject=subject, purpose=purpose, channel="web", notice=notice)
                services.consent_withdraw(subject=subject, purpose=purpose, channel="web")
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(s,)) for s in subjects]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert list(ConsentEvent.objects.values_list("seq", flat=True)) == list(range(1, WORKERS * CHANGES + 1))
    report = ledger_verify()
    assert report.intact and report.checked == WORKERS * CHANGES
    assert set(ConsentState.objects.values_list("status", flat=True)) == {"withdrawn"}
