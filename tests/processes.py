"""Run the project as an operator would, in a child process: ``manage.py`` commands and snippets of Python.

The child gets this environment without the test run's database, channel layer and debug settings, so it
sees the embedded default unless a test passes other values.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_DROPPED = ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "DEVTOOLS", "DJANGO_ALLOW_ASYNC_UNSAFE")


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    return subprocess.run(argv, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120)


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "-c", code], env)


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return _run([sys.executable, "manage.py", *args], env)


def production_env(**extra: str) -> dict[str, str]:
    """Settings an operator gives a production server: DEBUG off, the secrets from the environment."""
    import base64

    return {
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": base64.urlsafe_b64encode(os.urandom(48)).decode(),
        "DJANGO_ALLOWED_HOSTS": "cc.example.org",
        "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        # Outside the database's directory, as `check --deploy` requires (retention.checks); never written here.
        "ERASURE_JOURNAL_PATH": "/var/lib/contactcenter-journal/erasure-journal.jsonl",
        # Tasks in a worker, mail to a relay (contactcenter.checks); nothing here queues or sends.
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "PUBLIC_BASE_URL": "https://cc.example.org",
        **extra,
    }
