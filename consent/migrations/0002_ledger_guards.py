"""The ledger refuses UPDATE and DELETE in the database too (PostgreSQL), and its head row exists.

The model layer refuses already; the trigger also stops raw SQL, other
applications and an ORM ``update()`` from a careless shell. TRUNCATE is left
to the table owner: the application's database role should not own the table
in production (see README, "Database roles").
"""

from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION consent_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'consent ledger is append-only: % refused on event %', TG_OP, OLD.seq
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER consent_ledger_append_only
    BEFORE UPDATE OR DELETE ON consent_consentevent
    FOR EACH ROW EXECUTE FUNCTION consent_ledger_refuse_change();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS consent_ledger_append_only ON consent_consentevent;
DROP FUNCTION IF EXISTS consent_ledger_refuse_change();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL, params=None)


def create_head(apps, schema_editor):
    apps.get_model("consent", "LedgerHead").objects.get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [
        migrations.RunPython(add_trigger, drop_trigger),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
