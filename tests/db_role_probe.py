"""Run as the application's database role (``tests/test_database_roles.py`` starts it with that DATABASE_URL).

The app's normal flows through its services: a customer's first WhatsApp message (subject, key, conversation,
message, events), consent granted and withdrawn (two ledger appends), the ledger verified, the customer erased
(rows deleted, ledger events kept). Then what the role must not do to the ledger, in raw SQL. Prints one JSON
object: what each step gave, and for each refused statement PostgreSQL's SQLSTATE.
"""

import json
import os
import sys
from datetime import UTC, datetime

import django


def main(purpose_code: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    django.setup()
    import psycopg
    from django.db import connection, transaction

    from consent import services as consent_services
    from consent.ledger import ledger_verify
    from consent.models import ConsentEvent, Purpose
    from conversations import services
    from conversations.providers.base import InboundMessage
    from retention.services import subject_erase

    report: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        report["user"] = cursor.fetchone()[0]
    inbound = InboundMessage(
        provider="whatsapp", provider_message_id="wamid.role-probe-1", contact_kind="whatsapp",
        sender="4915112345678", timestamp=datetime.now(UTC), type="text", text="Hallo", profile_name="Probe",
    )  # fmt: skip
    result = services.ingest(inbound=inbound)
    subject = result.message.conversation.subject
    report["ingested"] = result.message.pk is not None
    purpose = Purpose.objects.get(code=purpose_code)
    granted = consent_services.consent_grant(subject=subject, purpose=purpose, channel="whatsapp")
    withdrawn = consent_services.consent_withdraw(subject=subject, purpose=purpose, channel="whatsapp")
    report["consent"] = [granted.status, withdrawn.status]
    report["ledger_events"] = ConsentEvent.objects.filter(subject_id=subject.public_id).count()
    report["ledger_intact"] = ledger_verify().intact
    receipt = subject_erase(subject=subject, actor=None, reason="subject_request", reference="request 1")
    report["erased"] = receipt.pk is not None
    report["ledger_events_after_erasure"] = ConsentEvent.objects.filter(subject_id=subject.public_id).count()

    refused = {}
    for name, sql in {
        "update": "UPDATE consent_consentevent SET channel = 'admin'",
        "delete": "DELETE FROM consent_consentevent",
        "truncate": "TRUNCATE consent_consentevent",
        "disable_trigger": "ALTER TABLE consent_consentevent DISABLE TRIGGER consent_ledger_append_only",
    }.items():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql)
            refused[name] = None
        except django.db.Error as exc:
            cause = exc.__cause__
            refused[name] = cause.sqlstate if isinstance(cause, psycopg.Error) else repr(exc)
    report["refused"] = refused
    report["ledger_events_at_end"] = ConsentEvent.objects.filter(subject_id=subject.public_id).count()
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
