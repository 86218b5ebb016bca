"""Give the application's PostgreSQL role what it needs, and on the consent ledger no more than SELECT and INSERT.

Run as the database owner (the role that ran ``migrate``) after every ``migrate``: a migration may add tables, and
the owner's default privileges (``scripts/db-roles.sql``) would give a new ledger table UPDATE and DELETE too.
Idempotent. The role itself is made once by a superuser with ``scripts/db-roles.sql`` (README, "Production").

What the app may do: read and write every table of the schema (it purges, anonymises and erases), use its
sequences; on the append-only ledger tables only read and append. Neither UPDATE nor DELETE nor TRUNCATE: the
trigger (consent migration 0002) already refuses the first two, but a table's owner can disable a trigger and may
truncate; a role that owns nothing and lacks those privileges can do neither.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from consent.models import ConsentEvent

# The tables whose rows are evidence and never change: the app's role gets SELECT, INSERT only.
APPEND_ONLY_MODELS = (ConsentEvent,)


def append_only_tables() -> list[str]:
    return [model._meta.db_table for model in APPEND_ONLY_MODELS]


class Command(BaseCommand):
    help = "Grant the app's PostgreSQL role its privileges, SELECT and INSERT only on the consent ledger (as owner)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the application's role (the user in its DATABASE_URL)")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("database roles exist on PostgreSQL only (DATABASE_URL=postgres://…)")
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_schema()")
            owner, schema = cursor.fetchone()
            if role == owner:
                raise CommandError(f"{role} is the role running this: the app must not connect as the owner")
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            row = cursor.fetchone()
            if row is None:
                raise CommandError(f"there is no role {role}: create it first (scripts/db-roles.sql)")
            if row[0]:
                raise CommandError(f"{role} is a superuser: privileges mean nothing to it")
            with transaction.atomic():
                cursor.execute(f"GRANT USAGE ON SCHEMA {quote(schema)} TO {quote(role)}")
                cursor.execute(
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quote(schema)} TO {quote(role)}"
                )
                cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quote(schema)} TO {quote(role)}")
                for table in append_only_tables():
                    cursor.execute(
                        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {quote(table)} FROM {quote(role)}"
                    )
        tables = ", ".join(append_only_tables())
        self.stdout.write(f"{role}: all tables of {schema} read and write; {tables} SELECT, INSERT only")
