"""The database roles of the production guide, applied to the test database and used.

``scripts/db-roles.sql`` (as a superuser, like an operator) makes an application role; ``manage.py
db_grant_app_role`` (as the owner, which here is the test database's owner) grants it its privileges. A separate
process then runs the app's services as that role (``tests/db_role_probe.py``): the flows work, and PostgreSQL
itself refuses UPDATE, DELETE, TRUNCATE and disabling the trigger on the ledger with "insufficient privilege"
(42501), not the trigger's error: the role lacks the right, whatever the trigger does.

Roles belong to the whole cluster: the role's name is unique to this run and it is dropped at the end. The
superuser is ``POSTGRES_SUPERUSER`` (default ``postgres``, as CI's loopback cluster has it) on the test
database's host and port.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from consent.tests.factories import PurposeFactory

ROOT = Path(__file__).resolve().parent.parent
INSUFFICIENT_PRIVILEGE = "42501"

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _superuser_psql(*args: str) -> subprocess.CompletedProcess:
    db = connection.settings_dict
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if os.environ.get("POSTGRES_SUPERUSER_PASSWORD"):
        env["PGPASSWORD"] = os.environ["POSTGRES_SUPERUSER_PASSWORD"]
    command = ["psql", "-X", "-q", "-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
               "-U", os.environ.get("POSTGRES_SUPERUSER", "postgres"), "-v", "ON_ERROR_STOP=1", *args]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        pytest.fail(f"psql as the superuser failed: {result.stderr.strip()}")
    return result


@pytest.fixture
def app_role(require_postgres):
    """A login role made by scripts/db-roles.sql for the test database, with the owner's grants; dropped after."""
    database = connection.settings_dict["NAME"]
    owner = connection.settings_dict["USER"]
    role = f"cc_app_test_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    _superuser_psql("-d", "postgres", "-v", f"database={database}", "-v", f"owner_role={owner}",
                    "-v", "owner_password=unused-owner-exists", "-v", f"app_role={role}",
                    "-v", f"app_password={password}", "-f", str(ROOT / "scripts" / "db-roles.sql"))  # fmt: skip
    try:
        call_command("db_grant_app_role", role)
        yield role, password
    finally:
        # DROP OWNED revokes what was granted to it here (tables, default privileges, the database's CONNECT).
        _superuser_psql("-d", database, "-c", f'DROP OWNED BY "{role}"', "-c", f'DROP ROLE IF EXISTS "{role}"')


def _privileges(role: str, table: str) -> dict[str, bool]:
    kinds = ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(["has_table_privilege(%s, %s, %s)"] * len(kinds)),
                       [value for kind in kinds for value in (role, table, kind)])  # fmt: skip
        return dict(zip(kinds, cursor.fetchone(), strict=True))


def test_the_app_role_may_only_read_and_append_the_ledger(app_role, notices, tmp_path):
    role, password = app_role
    assert _privileges(role, "consent_consentevent") == {
        "SELECT": True, "INSERT": True, "UPDATE": False, "DELETE": False, "TRUNCATE": False,
    }  # fmt: skip
    # Elsewhere it reads and writes what purges and erasures need, and owns nothing.
    assert _privileges(role, "conversations_message") == {
        "SELECT": True, "INSERT": True, "UPDATE": True, "DELETE": True, "TRUNCATE": False,
    }  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)",
                       [role])  # fmt: skip
        assert cursor.fetchone()[0] == 0

    purpose = PurposeFactory(code="role-probe", label="Probe", about="Answering requests", contract=False)
    db = connection.settings_dict
    url = f"postgres://{role}:{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "ERASURE_JOURNAL_PATH": str(tmp_path / "journal.jsonl"),
           "DJANGO_MEDIA_ROOT": str(tmp_path / "media"), "REDIS_URL": ""}  # fmt: skip
    probe = subprocess.run([sys.executable, "-m", "tests.db_role_probe", purpose.code], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert probe.returncode == 0, probe.stderr[-3000:]
    report = json.loads(probe.stdout.strip().splitlines()[-1])

    assert report["user"] == role
    assert report["ingested"] and report["erased"]
    assert report["consent"] == ["granted", "withdrawn"]
    assert report["ledger_events"] == 2 and report["ledger_intact"]
    # The erasure kept the ledger's events (pseudonymous proof) and needed no right to change them.
    assert report["ledger_events_after_erasure"] == 2
    assert report["refused"] == {
        "update": INSUFFICIENT_PRIVILEGE, "delete": INSUFFICIENT_PRIVILEGE, "truncate": INSUFFICIENT_PRIVILEGE,
        "disable_trigger": INSUFFICIENT_PRIVILEGE,
    }  # fmt: skip
    assert report["ledger_events_at_end"] == 2


def test_the_grants_refuse_the_owner_itself(require_postgres):
    """Granting to the role that runs migrations would leave the app connecting as the owner: refused."""
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="must not connect as the owner"):
        call_command("db_grant_app_role", connection.settings_dict["USER"])
