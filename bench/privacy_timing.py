"""Benchmark: does the self-service page's answer time tell who is a customer?

Issue "Subject rights": the page answers "the same way, in the same time, whether or not we know the number or
address". This posts the code request (``POST /privacy/``) for known and unknown e-mail addresses, interleaved,
over HTTP to ``uvicorn --workers 2`` on PostgreSQL, and prints both answer-time distributions side by side,
with the floor measured in the same run: the difference between two halves of the unknown addresses alone
(what chance gives on this machine). Twice:

1. **production**: ``TASKS_BACKEND=django_tasks_db.DatabaseBackend`` with a ``db_worker`` sending the codes
   beside the server (``check --deploy`` requires it);
2. **in-process**: the ``ImmediateBackend`` of ``make run``, which sends a known address's code inside the
   request (``contactcenter.E002`` refuses it with DEBUG off): the leak the first setting closes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/privacy_timing.py [--requests 300]

Every request comes from its own client address (``X-Forwarded-For`` behind the trusted loopback proxy), and
every address asks once, so no rate limit is reached; a request that is not answered with the redirect to the
code step stops the run. Mail goes to files in a temporary directory (the worker's sends are real, the
server's answer is what is timed). The script asserts nothing about time.
"""

import argparse
import contextlib
import http.client
import itertools
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack


def seed(known: int) -> list[str]:
    from consent import services

    addresses = [f"customer{n}@bench.example.org" for n in range(known)]
    for address in addresses:
        services.subject_get_or_create_by_contact(kind="email", value=address, language="en", actor=None)
    return addresses


_CLIENTS = itertools.count()


def _client_address() -> str:
    """A fresh client address (198.18.0.0/15, the benchmarking range) for every request of the run."""
    n = next(_CLIENTS)
    return f"198.{18 + n // 62500}.{n // 250 % 250}.{n % 250 + 1}"


def _cookies(response: http.client.HTTPResponse, jar: dict[str, str]) -> None:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";", 1)[0]


def measure(base: str, known: list[str], unknown: list[str]) -> tuple[list[float], list[float]]:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    jar: dict[str, str] = {}
    connection.request("GET", "/privacy/?lang=en")
    page = connection.getresponse()
    _cookies(page, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.read()).group(1).decode()
    order = [("known", a) for a in known] + [("unknown", a) for a in unknown]
    random.Random(7).shuffle(order)
    times: dict[str, list[float]] = {"known": [], "unknown": []}
    for n, (kind, address) in enumerate(order):
        body = urlencode({"csrfmiddlewaretoken": token, "kind": "access", "channel": "email", "identifier": address})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={jar['csrftoken']}",
                   "X-Forwarded-For": _client_address()}  # fmt: skip
        started = time.perf_counter()
        connection.request("POST", "/privacy/?lang=en", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 302 or "/privacy/code/" not in (response.getheader("Location") or ""):
            raise SystemExit(f"request {n} ({kind}) answered {response.status}: the run is void")
        times[kind].append(elapsed * 1000)
        time.sleep(0.01)  # a person's pace, not a flood: the worker keeps up
    connection.close()
    return times["known"], times["unknown"]


def _drained(timeout: float = 60) -> None:
    """Wait until the worker has run every queued send (the count of codes mailed is then complete)."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + timeout
    while DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def describe(label: str, values: list[float]) -> str:
    ordered = sorted(values)
    p = lambda q: stack.percentile(ordered, q)  # noqa: E731
    return f"{label:<22} n={len(values):>4}  p10 {p(0.1):6.2f}  median {p(0.5):6.2f}  p90 {p(0.9):6.2f} ms"


def report(title: str, known: list[float], unknown: list[float]) -> None:
    half = len(unknown) // 2
    first, second = unknown[:half], unknown[half:]
    gap = statistics.median(known) - statistics.median(unknown)
    floor = abs(statistics.median(first) - statistics.median(second))
    print(f"\n{title}")
    print("  " + describe("known addresses", known))
    print("  " + describe("unknown addresses", unknown))
    print(f"  median gap known - unknown: {gap:+.2f} ms; floor (unknown, one half against the other): {floor:.2f} ms")


def run(st: stack.Stack, *, backend: str, known: list[str], unknown: list[str], mail_dir: str) -> tuple:
    env = {**st.env, "TASKS_BACKEND": backend, "EMAIL_URL": f"filemail://{mail_dir}",
           "DJANGO_TRUSTED_PROXIES": "127.0.0.1", "PUBLIC_BASE_URL": "https://cc.example.org"}  # fmt: skip
    configured = stack.Stack(database_url=st.database_url, redis_url=st.redis_url, env=env)
    worker = None
    if backend.startswith("django_tasks_db"):
        worker = subprocess.Popen([sys.executable, "manage.py", "db_worker", "--interval", "0.1"],
                                  cwd=stack.PROJECT_DIR, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        with stack.server(configured, workers=2) as base:
            for round_ in range(4):  # a connection each: uvicorn's workers take turns at accepting, so both warm up
                measure(base, [], [f"warm{round_}-{n}@bench.example.org" for n in range(5)])
            timed = measure(base, known, unknown)
            if worker is not None:
                _drained()
            return timed
    finally:
        if worker is not None:
            worker.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                worker.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="per kind (known, unknown) and per setting")
    args = parser.parse_args()
    with stack.scratch_stack("bench_privacy") as st:
        stack.setup_django(st)
        known = seed(2 * args.requests)
        with tempfile.TemporaryDirectory(prefix="bench-mail-") as mail_dir:
            settings = (("production: database task backend and db_worker", "django_tasks_db.DatabaseBackend"),
                        ("in-process (make run): ImmediateBackend", "django.tasks.backends.immediate.ImmediateBackend"))  # fmt: skip
            for round_, (title, backend) in enumerate(settings):
                chosen = known[round_ * args.requests : (round_ + 1) * args.requests]
                strangers = [f"stranger{round_}-{n}@bench.example.org" for n in range(args.requests)]
                known_ms, unknown_ms = run(st, backend=backend, known=chosen, unknown=strangers, mail_dir=mail_dir)
                report(title, known_ms, unknown_ms)
            # Django's file backend appends a connection's messages to one file: count the messages.
            sent = sum(path.read_text(errors="replace").count("\nSubject: ") for path in Path(mail_dir).iterdir())
            print(f"\ncodes e-mailed: {sent} of {2 * args.requests} known addresses (none to a stranger)")


if __name__ == "__main__":
    main()
