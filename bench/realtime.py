"""Benchmark: webhook-to-agent-socket latency, 50 agents in 5 teams, 100 messages/s.

Target (issue "Conversations"): p50 <= 15 ms and p99 <= 60 ms delivery. For scale, DESIGN.md
measured Channels' Redis pub/sub layer (what production uses and what runs here) at p50 21 ms
with 50 sockets at 100 messages/s on this machine class, the default core layer at 650 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/realtime.py [--seconds 20] [--rate 100] [--workers 2]

The 500 customers (100 per language) first write once each, so the measured messages come from
returning customers (first contact is measured in bench/ingest.py). Latency is measured from just before the signed webhook POST leaves this process to the
moment an agent's socket (one of the 10 in the team serving the customer's language)
receives the ``conversation.message`` event: ingest, commit, publish, fan-out, all of it.
Every (message, agent) delivery is one sample.
"""

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack

LANGUAGES = stack.LANGUAGES
AGENTS_PER_TEAM = 10


def seed() -> list[tuple[str, str]]:
    """Five teams (one per language), ten agents each; returns (language, session cookie) per agent."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from conversations import services

    agents = []
    role = Group.objects.get(name="Agent")
    for index, language in enumerate(LANGUAGES):
        team = services.team_create(
            name=f"Team {language}", slug=f"team-{language}", is_default=index == 0, auto_assign=True, actor=None
        )
        team.languages = [language]
        team.save(update_fields=["languages"])
        for n in range(AGENTS_PER_TEAM):
            user = get_user_model().objects.create_user(f"agent-{language}-{n}")
            user.groups.add(role)
            services.team_member_add(team=team, user=user, actor=None)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            agents.append((language, session.session_key))
    return agents


async def agent(base: str, cookie: str, sent: dict[str, float], samples: list[float], ready: asyncio.Event,
                connected: list[int], stop: asyncio.Event) -> None:  # fmt: skip
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://") + "/ws/agent/"
    async with connect(url, additional_headers=[("Cookie", f"sessionid={cookie}"), ("Origin", base)]) as socket:
        await socket.send(json.dumps({"type": "resume", "last_event_id": 10**12}))
        connected.append(1)
        if len(connected) == 50:
            ready.set()
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(socket.recv(), timeout=0.5)
            except TimeoutError:
                continue
            arrived = time.perf_counter()
            frame = json.loads(raw)
            event = frame.get("event") or {}
            message = event.get("message") or {}
            if event.get("kind") != "conversation.message" or message.get("direction") != "in":
                continue
            token = message.get("text", "").rsplit(" ", 1)[-1]
            if token in sent:
                samples.append((arrived - sent[token]) * 1000)


CUSTOMERS = [(lang, stack.customer_number(lang, i)) for lang in LANGUAGES for i in range(100)]


async def first_contacts(base: str) -> None:
    """Every customer writes once before the measurement: first contact (subject, key, contact
    point, conversation, auto-assignment) is a different path, measured by bench/ingest.py."""
    import httpx

    started = time.perf_counter()
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:

        async def post(wa_id: str) -> int:
            body = stack.whatsapp_payload([(wa_id, "Bench Customer", f"wamid.first.{uuid.uuid4().hex}", "Hello")])
            async with gate:
                response = await client.post(
                    "/webhooks/whatsapp/", content=body,
                    headers={"Content-Type": "application/json", "X-Hub-Signature-256": stack.sign(body)},
                )  # fmt: skip
            return response.status_code

        statuses = await asyncio.gather(*(post(wa_id) for _, wa_id in CUSTOMERS))
    print(f"first contacts: {len(statuses)} customers in {time.perf_counter() - started:.1f} s, "
          f"{sum(s != 200 for s in statuses)} non-200")  # fmt: skip


async def load(
    base: str, *, rate: int, seconds: int, sent: dict[str, float], phase: str, answered: list[float] | None = None
) -> tuple[int, int]:
    """Posts ``rate * seconds`` messages whose text ends in the token ``<phase>-<seq>``; the agents
    time only tokens in the measured run's ``sent``, so a late warm-up delivery is never a sample."""
    import httpx

    customers = CUSTOMERS
    ok = failed = 0
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=httpx.Limits(max_connections=64)) as client:

        async def post(seq: int) -> None:
            nonlocal ok, failed
            _, wa_id = random.choice(customers)
            token = f"{phase}-{seq}"
            body = stack.whatsapp_payload([(wa_id, "Bench Customer", f"wamid.rt.{uuid.uuid4().hex}", f"Hello {token}")])
            headers = {"Content-Type": "application/json", "X-Hub-Signature-256": stack.sign(body)}
            sent[token] = time.perf_counter()
            response = await client.post("/webhooks/whatsapp/", content=body, headers=headers)
            if response.status_code == 200:
                ok += 1
                if answered is not None:
                    answered.append((time.perf_counter() - sent[token]) * 1000)
            else:
                failed += 1

        tasks = []
        start = time.perf_counter()
        for seq in range(rate * seconds):
            delay = start + seq / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post(seq)))
        await asyncio.gather(*tasks)
    return ok, failed


async def measure(base: str, cookies: list[tuple[str, str]], *, rate: int, seconds: int) -> None:
    sent: dict[str, float] = {}
    samples: list[float] = []
    ready, stop = asyncio.Event(), asyncio.Event()
    connected: list[int] = []
    agents = [asyncio.create_task(agent(base, cookie, sent, samples, ready, connected, stop)) for _, cookie in cookies]
    await asyncio.wait_for(ready.wait(), timeout=30)
    await first_contacts(base)
    warm: dict[str, float] = {}
    await load(base, rate=rate, seconds=2, sent=warm, phase="warm")  # warm-up: connections, pools
    await asyncio.sleep(1)
    answered: list[float] = []
    ok, failed = await load(base, rate=rate, seconds=seconds, sent=sent, phase="run", answered=answered)
    await asyncio.sleep(2)
    stop.set()
    await asyncio.gather(*agents, return_exceptions=True)
    ordered = sorted(samples)
    expected = ok * AGENTS_PER_TEAM
    print(f"webhooks: {ok} accepted, {failed} refused, at {rate}/s for {seconds} s")
    answered.sort()
    print(f"webhook answered (200, after commit and publish) ms: p50 {stack.percentile(answered, 0.5):.1f}  "
          f"p99 {stack.percentile(answered, 0.99):.1f}")  # fmt: skip
    print(f"deliveries: {len(ordered)} of {expected} expected (each message to the 10 agents of its team)")
    print(
        f"latency ms: p50 {stack.percentile(ordered, 0.5):.1f}  p90 {stack.percentile(ordered, 0.9):.1f}  "
        f"p99 {stack.percentile(ordered, 0.99):.1f}  max {ordered[-1] if ordered else float('nan'):.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.monotonic()
    with stack.scratch_stack("bench_realtime") as st:
        stack.setup_django(st)
        cookies = seed()
        with stack.server(st, workers=args.workers) as base:
            print(f"uvicorn x{args.workers} on {base}; PostgreSQL + Redis pub/sub; 50 agents in 5 teams")
            asyncio.run(measure(base, cookies, rate=args.rate, seconds=args.seconds))
        from django.db import connections

        connections.close_all()
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
