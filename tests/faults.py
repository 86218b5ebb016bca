"""What the fault tests share: real server and worker processes on the test run's PostgreSQL database, a private
Redis, a loopback TCP proxy that plays a PostgreSQL restart, and a sender of signed webhooks that retries as Meta
does. Everything on 127.0.0.1, on ports the system picked, stopped by the tests themselves."""

import asyncio
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest
from django.conf import settings

from conversations.providers.whatsapp.signature import signature_for
from devtools.fakegraph import webhook_envelope

ROOT = Path(__file__).resolve().parents[1]
APP_SECRET = "fault-test-secret"
PHONE_NUMBER_ID = "106540352242922"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def require_redis_server() -> str:
    path = shutil.which("redis-server")
    if path is None:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("REQUIRE_REDIS=1 but redis-server is not installed")
        pytest.skip("needs the redis-server binary (CI has it)")
    return path


def database_url_for(*, port: int | None = None) -> str:
    """The test run's own database (pytest-django created it), optionally through another port (the proxy)."""
    database = settings.DATABASES["default"]
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:{port or database['PORT']}"
        f"/{database['NAME']}"
    )


def server_env(*, database_url: str, redis_url: str = "", **extra: str) -> dict[str, str]:
    """A production server's environment (DEBUG off) on the test database, with the test run's keys."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,
        FIELD_ENCRYPTION_KEY=settings.FIELD_ENCRYPTION_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        WHATSAPP_APP_SECRET=APP_SECRET,
        WHATSAPP_PHONE_NUMBER_ID=PHONE_NUMBER_ID,
        WHATSAPP_ACCESS_TOKEN="fault-access-token",
        WHATSAPP_API_BASE="http://127.0.0.1:9",
        EMAIL_URL="smtp://127.0.0.1:9",  # required with DEBUG off; nothing is mailed here
        ERASURE_JOURNAL_PATH=str(Path(tempfile.gettempdir()) / f"fault-journal-{os.getpid()}.jsonl"),
        PUBLIC_BASE_URL="http://127.0.0.1",
        CHANNEL_LAYER_PREFIX=f"fault{os.getpid()}",
        LOG_LEVEL="WARNING",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    env.update(extra)
    return env


def start_server(env: dict[str, str], *, port: int | None = None) -> tuple[subprocess.Popen, str]:
    """uvicorn with the project's ASGI app, as production runs it; (process, base URL) once /healthz answers."""
    port = port or free_port()
    command = [sys.executable, "-m", "uvicorn", "contactcenter.asgi:application", "--host", "127.0.0.1",
               "--port", str(port), "--log-level", "warning", "--lifespan", "off"]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return process, f"http://127.0.0.1:{port}"
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            break
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"server on port {port} did not become healthy")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class PrivateRedis:
    """A redis-server of this test's own on a free loopback port (never the shared one): killed and started
    again at will, on the same port, with nothing persisted."""

    def __init__(self) -> None:
        self.binary = require_redis_server()
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        command = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no",
                   "--dir", tempfile.gettempdir()]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)


class PostgresProxy:
    """A loopback TCP proxy in front of PostgreSQL. ``outage(seconds)`` is what clients see when the server
    restarts: every open connection is cut and new ones are refused until it is back."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.connections = 0
        self.thread = threading.Thread(target=self.loop.run_forever, name="pg-proxy", daemon=True)

    def start(self) -> "PostgresProxy":
        self.thread.start()
        self._call(self._listen())
        return self

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.close()
            return
        self.writers |= {writer, upstream_writer}

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))
        self.writers -= {writer, upstream_writer}

    async def _cut(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in list(self.writers):
            transport = writer.transport
            transport.abort()  # a reset, as a dying server's sockets give
        self.writers.clear()

    def outage(self) -> None:
        """Cut every connection and refuse new ones (the port is closed) until ``restore``."""
        self._call(self._cut())

    def restore(self) -> None:
        self._call(self._listen())

    def stop(self) -> None:
        try:
            self._call(self._cut())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)


def inbound_payload(messages: list[tuple[str, str, str]]) -> bytes:
    """One webhook carrying ``messages`` [(wa_id, wamid, text)], one change per customer as Meta batches them."""
    by_customer: dict[str, list[dict]] = {}
    for wa_id, wamid, text in messages:
        by_customer.setdefault(wa_id, []).append(
            {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
        )
    values = [
        {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550783881", "phone_number_id": PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": "Fault Test"}, "wa_id": wa_id}],
            "messages": entries,
        }
        for wa_id, entries in by_customer.items()
    ]
    return json.dumps(webhook_envelope(*values)).encode()


class Delivery:
    """What one webhook's delivery went through: the status of every try, in order (0: timed out / refused)."""

    def __init__(self) -> None:
        self.statuses: list[int] = []


async def deliver(
    http: httpx.AsyncClient, url: str, body: bytes, *, timeout: float = 5.0, give_up_after: float = 60.0
) -> Delivery:
    """POST a signed webhook until it is answered 200, retrying 5xx, timeouts and refused connections with a short
    backoff, as Meta does (over days there; seconds here)."""
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature_for(body, secret=APP_SECRET)}
    delivery, delay = Delivery(), 0.2
    deadline = time.monotonic() + give_up_after
    while True:
        try:
            response = await http.post(url, content=body, headers=headers, timeout=timeout)
            delivery.statuses.append(response.status_code)
            if response.status_code == 200:
                return delivery
            if response.status_code < 500:
                raise AssertionError(f"webhook refused with {response.status_code}: {response.text}")
        except httpx.TransportError:
            delivery.statuses.append(0)
        if time.monotonic() > deadline:
            raise AssertionError(f"webhook never accepted: {delivery.statuses}")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0)
