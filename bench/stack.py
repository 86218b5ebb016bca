"""A production-like stack on loopback for the benchmarks: scratch PostgreSQL database, Redis, uvicorn workers.

Used by ``ingest.py`` and ``realtime.py``. The database named in DATABASE_URL is
never written to: a ``<name>_<suffix>`` database is created beside it and
dropped afterwards. Servers bind 127.0.0.1 only and are stopped on exit.
"""

import base64
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

PROJECT_DIR = Path(__file__).resolve().parent.parent
APP_SECRET = "bench-app-secret"


@dataclass(frozen=True)
class Stack:
    database_url: str
    redis_url: str
    env: dict[str, str]


def require_services() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if urlsplit(database_url).scheme not in ("postgres", "postgresql") or not redis_url.startswith("redis://"):
        print("Set DATABASE_URL=postgres://... and REDIS_URL=redis://... (the production stack); nothing was run.")
        sys.exit(2)
    return database_url, redis_url


def _maintenance(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


@contextlib.contextmanager
def scratch_stack(suffix: str) -> Iterator[Stack]:
    database_url, redis_url = require_services()
    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/') or 'postgres'}_{suffix}"
    scratch_url = urlunsplit(parts._replace(path="/" + name))
    with psycopg.connect(_maintenance(database_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    env = {
        **os.environ,
        "DATABASE_URL": scratch_url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_PREFIX": f"bench{secrets.token_hex(3)}",
        "DJANGO_DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_API_BASE": "http://127.0.0.1:9",  # nothing is sent in these benchmarks
        "EMAIL_URL": "smtp://127.0.0.1:9",  # required with DEBUG off; nothing is mailed either
        "LOG_LEVEL": "WARNING",
        "DATABASE_POOL_MAX": "10",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=PROJECT_DIR, env=env, check=True)
    try:
        yield Stack(database_url=scratch_url, redis_url=redis_url, env=env)
    finally:
        with psycopg.connect(_maintenance(database_url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(stack: Stack) -> None:
    """This process joins the stack (same database and keys) to seed data and read results."""
    for key in ("DATABASE_URL", "REDIS_URL", "DJANGO_DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY",
                "DJANGO_ALLOWED_HOSTS", "DJANGO_SECURE_SSL_REDIRECT", "WHATSAPP_APP_SECRET", "CHANNEL_LAYER_PREFIX",
                "LOG_LEVEL", "EMAIL_URL"):  # fmt: skip
        os.environ[key] = stack.env[key]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def server(stack: Stack, *, workers: int = 2, port: int | None = None, app: str = "contactcenter.asgi:application",
           app_dir: str = ".") -> Iterator[str]:  # fmt: skip
    port = port or free_port()
    command = [
        sys.executable, "-m", "uvicorn", app, "--app-dir", app_dir, "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--log-level", "warning", "--lifespan", "off",
        "--ws-per-message-deflate", "false",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=stack.env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError("server did not start")
        time.sleep(1.0)  # let every worker finish importing
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def sign(body: bytes) -> str:
    from conversations.providers.whatsapp.signature import signature_for

    return signature_for(body, secret=APP_SECRET)


def whatsapp_payload(messages: list[tuple[str, str, str, str]]) -> bytes:
    """A Cloud API webhook carrying ``messages`` as (wa_id, name, wamid, text), shaped like Meta's own
    (the fake Graph API's builders; call after ``setup_django``)."""
    from devtools.fakegraph import webhook_envelope

    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id} for wa_id, name, _, _ in messages],
        "messages": [
            {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
            for wa_id, _, wamid, text in messages
        ],
    }
    return json.dumps(webhook_envelope(value)).encode()


# Valid-length mobile numbers per customer language (fictional ranges), as WhatsApp sends wa_ids.
_NUMBER_PLANS = {"en": ("1415555", 4), "de": ("4915155", 5), "nl": ("3161255", 4), "it": ("3931255", 5),
                 "pt-br": ("55119550", 5)}  # fmt: skip
LANGUAGES = tuple(_NUMBER_PLANS)


def customer_number(language: str, index: int) -> str:
    prefix, digits = _NUMBER_PLANS[language]
    return f"{prefix}{index % 10**digits:0{digits}d}"


def percentile(ordered: list[float], q: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]
