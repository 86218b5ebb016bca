"""Benchmark: ingest throughput with the sensitive-data scan on and off (target: on >= 90% of off).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/scan_ingest.py [--messages 3000] [--rounds 5]

Runs in this process against a scratch PostgreSQL database (no HTTP in between, so the scan's
share of the work is as large as it gets): 500 returning customers, their messages taken from the
labelled corpora (identifiers, special categories, look-alikes) mixed with plain chat lines, the
way traffic looks (most lines carry nothing). Events are published to the in-memory layer. After
an unmeasured warm-up (one measurement of each kind with each setting), each round stores the same
number of fresh messages once with ``SENSITIVE_SCAN_ENABLED`` on and once off, in single-message
webhooks and in 50-message webhooks through the same group-commit path the server uses; rounds
alternate which setting goes first. Prints the median messages/s over the rounds and each round's
figure, the process's CPU time per message (the scan's own cost, without PostgreSQL's noise), and
exits with status 1 if any message was not stored.
"""

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack

CORPUS_DIR = stack.PROJECT_DIR / "sensitive" / "tests" / "corpus"
PLAIN = [
    "Hallo, wo ist meine Bestellung?", "Hi, my parcel has not arrived yet", "Obrigado pela ajuda!",
    "Buongiorno, vorrei cambiare l'indirizzo di consegna", "Kunt u mij helpen met mijn retour?",
    "ok thanks", "Wann kommt der Techniker?", "Posso pagare in contanti alla consegna?",
    "A minha encomenda chegou danificada", "Is de winkel op zondag open?", "👍", "Perfekt, danke!",
]  # fmt: skip


def texts(count: int) -> list[str]:
    corpus = []
    for name in ("identifiers.jsonl", "special.jsonl"):
        path = CORPUS_DIR / name
        if path.exists():
            corpus += [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    rng = random.Random(7)
    # One line in five from the corpora (most of which hold something), the rest plain chat.
    return [rng.choice(corpus) if corpus and rng.random() < 0.2 else rng.choice(PLAIN) for _ in range(count)]


def run(batches: list[bytes], *, messages: int) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) to store ``batches``; exits with status 1 unless every
    one of their ``messages`` was stored."""
    from conversations.providers.whatsapp.parser import parse_webhook
    from conversations.webhooks import _apply_committed

    stored = 0
    started, cpu_started = time.perf_counter(), time.process_time()
    for body in batches:
        stored += sum(counts[0] for counts in _apply_committed([parse_webhook(json.loads(body))]))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if stored != messages:
        sys.exit(f"stored {stored} of {messages} messages: a rate over messages not stored would mean nothing")
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with stack.scratch_stack("bench_scan_ingest") as st:
        stack.setup_django(st)
        from django.conf import settings
        from django.db import connections

        # Publishing is measured by bench/realtime.py; here it would only add this script's event-loop
        # start-up per call (the server keeps one loop), so events go to the in-memory layer.
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

        from conversations import services

        services.team_create(name="Care", slug="care", is_default=True, auto_assign=False, actor=None)
        customers = [stack.customer_number(stack.LANGUAGES[i % 5], i) for i in range(500)]

        def batches(size: int, count: int) -> list[bytes]:
            lines = texts(count)
            return [
                stack.whatsapp_payload([
                    (customers[(n + k) % len(customers)], "Bench Customer", f"wamid.s.{uuid.uuid4().hex}", lines[n + k])
                    for k in range(size)
                ])
                for n in range(0, count, size)
            ]  # fmt: skip

        settings.SENSITIVE_SCAN_ENABLED = False
        run(batches(1, len(customers)), messages=len(customers))  # first contacts
        # Warm-up, not measured: one full measurement of each kind with each setting, so the first measured
        # round does not pay for cold caches and query plans (without it, a first round measured 30% slower than the next).
        for size in (1, 50):
            for enabled in (True, False):
                settings.SENSITIVE_SCAN_ENABLED = enabled
                run(batches(size, args.messages), messages=args.messages)
        print(f"{args.messages} messages per measurement, {args.rounds} rounds, PostgreSQL, in-process")
        for size in (1, 50):
            rates: dict[bool, list[float]] = {True: [], False: []}
            cpu_us: dict[bool, list[float]] = {True: [], False: []}
            for round_ in range(args.rounds):
                # Alternate which goes first, so neither setting always gets the warmer (or the fuller) database.
                for enabled in (True, False) if round_ % 2 == 0 else (False, True):
                    settings.SENSITIVE_SCAN_ENABLED = enabled
                    seconds, cpu = run(batches(size, args.messages), messages=args.messages)
                    rates[enabled].append(args.messages / seconds)
                    cpu_us[enabled].append(cpu / args.messages * 1e6)
            # Medians: single measurements of a few seconds swing by +-10% on this machine (checkpoints,
            # autovacuum, the other core's load), more than the scan costs; the best of a few would pick noise.
            on, off = statistics.median(rates[True]), statistics.median(rates[False])
            verdict = "PASS" if on >= 0.9 * off else "FAIL"
            print(f"{size:>2}-message webhooks: scan on {on:.0f} msg/s, off {off:.0f} msg/s, "
                  f"ratio {on / off:.3f} (target >= 0.90) {verdict}")  # fmt: skip
            print("    rounds, msg/s: on " + " ".join(f"{r:.0f}" for r in rates[True])
                  + ", off " + " ".join(f"{r:.0f}" for r in rates[False]))  # fmt: skip
            # This process's CPU time per message does not wait for PostgreSQL, so it shows the scan's own
            # cost with far less noise than the rates.
            cpu_on, cpu_off = statistics.median(cpu_us[True]), statistics.median(cpu_us[False])
            print(f"    CPU of this process per message (median): on {cpu_on:.0f} µs, off {cpu_off:.0f} µs, "
                  f"the scan and its consequences {cpu_on - cpu_off:+.0f} µs")  # fmt: skip
        connections.close_all()


if __name__ == "__main__":
    main()
