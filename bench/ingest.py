"""Benchmark: WhatsApp webhook ingest through the full pipeline on PostgreSQL + Redis.

Targets (issue "Conversations"): >= 300 single-message POSTs/s (the bare view doing only
HMAC + one insert + one publish made about 475/s on this machine class, DESIGN.md), and
>= 1,000 messages/s in POSTs carrying 50 messages. Prints figures; asserts nothing about time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/ingest.py [--seconds 20] [--connections 16] [--workers 2]

What runs: uvicorn with ``--workers`` processes serving ``contactcenter.asgi:application`` on
127.0.0.1 against a scratch database. First, each of ``--customers`` customers writes a first
message (first contact: subject, key, contact point and conversation are created), sent by 16
client threads; its rate is printed on its own. Then ``wrk`` (Debian package) posts unique,
pre-signed payloads from those returning customers (every message id distinct), and the script
counts what was stored: every 200 must be a stored message. Last, POSTs of 50 "delivered"
statuses, each for a different message an agent sent (arranged in the database beforehand): Meta
reports sent, delivered and read for every message we send, so real traffic carries more statuses
than customers' messages; every 200 must be 50 messages moved to delivered.
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack

LUA = r"""
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  requests = {}
  local f = io.open(args[1] .. "/t" .. id .. ".txt", "r")
  for line in f:lines() do
    local sig, body = line:match("^(%S+)\t(.*)$")
    requests[#requests + 1] = wrk.format("POST", "/webhooks/whatsapp/",
      {["Content-Type"] = "application/json", ["X-Hub-Signature-256"] = sig}, body)
  end
  f:close()
  i = 0
  exhausted = 0
end
function request()
  i = i + 1
  if i > #requests then
    i = 1
    exhausted = exhausted + 1
  end
  return requests[i]
end
function done(summary, latency, requests)
  local wrapped = 0
  for _, thread in ipairs(threads) do wrapped = wrapped + thread:get("exhausted") end
  io.write(string.format("WRAPPED %d\n", wrapped))
end
"""


CUSTOMERS = 1000


def customer_numbers() -> list[str]:
    return [stack.customer_number(stack.LANGUAGES[i % 5], i) for i in range(CUSTOMERS)]


def first_contacts(base: str) -> None:
    """Every customer's first message (creates subject, key, contact point, conversation)."""
    import httpx

    bodies = [
        stack.whatsapp_payload([(number, f"Customer {index}", f"wamid.first.{uuid.uuid4().hex}", "Hello")])
        for index, number in enumerate(customer_numbers())
    ]
    # One client for all threads (it is thread-safe): a client per request would make its own SSL
    # context each time and measure this script more than the server.
    with httpx.Client(timeout=60, limits=httpx.Limits(max_connections=16)) as client:

        def post(body: bytes) -> int:
            return client.post(
                base + "/webhooks/whatsapp/", content=body,
                headers={"Content-Type": "application/json", "X-Hub-Signature-256": stack.sign(body)},
            ).status_code  # fmt: skip

        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=16) as pool:
            statuses = list(pool.map(post, bodies))
    elapsed = time.monotonic() - started
    ok = sum(s == 200 for s in statuses)
    print(f"first contacts: {len(statuses)} customers in {elapsed:.1f} s = {ok / elapsed:.0f} accepted per s "
          f"({len(statuses) - ok} non-200, not counted in the rate)")  # fmt: skip


def make_payloads(directory: Path, *, threads: int, per_thread: int, batch: int, tag: str) -> None:
    customers = customer_numbers()
    counter = 0
    for thread in range(1, threads + 1):
        with open(directory / f"t{thread}.txt", "w") as handle:
            for _ in range(per_thread):
                messages = []
                for _ in range(batch):
                    counter += 1
                    wa_id = customers[counter % len(customers)]
                    wamid = f"wamid.{tag}.{uuid.uuid4().hex}"
                    messages.append(
                        (wa_id, f"Customer {counter % CUSTOMERS}", wamid, f"Question number {counter} about my order")
                    )
                body = stack.whatsapp_payload(messages)
                handle.write(stack.sign(body) + "\t" + body.decode() + "\n")


def seed_sent_messages(count: int, tag: str) -> list[str]:
    """``count`` agent messages Meta has taken ("sent"), spread over the customers' conversations and
    arranged directly in the database (sending is not what is measured here); returns their wamids."""
    from conversations.models import Conversation, Message

    conversations = list(Conversation.objects.order_by("pk").values_list("pk", flat=True))
    wamids = [f"wamid.out.{tag}.{uuid.uuid4().hex}" for _ in range(count)]
    Message.objects.bulk_create(
        [
            Message(
                conversation_id=conversations[n % len(conversations)],
                direction="out",
                provider="whatsapp",
                provider_message_id=wamid,
                status="sent",
            )
            for n, wamid in enumerate(wamids)
        ],
        batch_size=5000,
    )
    return wamids


def make_status_payloads(directory: Path, *, threads: int, per_thread: int, batch: int, tag: str) -> None:
    """Webhooks of ``batch`` "delivered" statuses each, every one for a different sent message."""
    from devtools.fakegraph import status_value, webhook_envelope

    wamids = iter(seed_sent_messages(threads * per_thread * batch, tag))
    for thread in range(1, threads + 1):
        with open(directory / f"t{thread}.txt", "w") as handle:
            for _ in range(per_thread):
                values = [
                    status_value(
                        message_id=next(wamids), status="delivered", recipient="0", phone_number_id="106540352242922"
                    )
                    for _ in range(batch)
                ]
                value = values[0] | {"statuses": [entry for v in values for entry in v["statuses"]]}
                body = json.dumps(webhook_envelope(value)).encode()
                handle.write(stack.sign(body) + "\t" + body.decode() + "\n")


TIME_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def run_wrk(base: str, directory: Path, *, seconds: int, connections: int, threads: int) -> dict[str, float]:
    """wrk's figures. Its Requests/sec counts every response, non-2xx included, so the rate
    reported here is ``ok_rps``: (requests - non-2xx) / the duration wrk measured."""
    script = directory / "post.lua"
    script.write_text(LUA)
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", "--timeout", "10s",
               "-s", str(script), base, "--", str(directory)]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    figures: dict[str, float] = {}
    # "  12345 requests in 20.01s, 4.56MB read"; the duration is wrk's own, unit us/ms/s/m/h.
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h),", output)
    if total is None:
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    figures["requests"] = float(total.group(1))
    figures["duration"] = float(total.group(2)) * TIME_UNITS[total.group(3)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["non2xx"] = float(non2xx.group(1)) if non2xx else 0.0
    figures["ok_requests"] = figures["requests"] - figures["non2xx"]
    figures["ok_rps"] = figures["ok_requests"] / figures["duration"]
    errors = re.search(r"Socket errors: (.*)", output)
    figures["socket_errors"] = errors.group(1) if errors else "none"
    for label in ("50", "90", "99"):
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", output, re.M)
        if found:
            value, unit = float(found.group(1)), found.group(2)
            figures[f"p{label}_ms"] = value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
    wrapped = re.search(r"WRAPPED (\d+)", output)
    figures["wrapped"] = float(wrapped.group(1)) if wrapped else 0.0
    return figures


def stored_messages(statuses: bool = False) -> int:
    """Customers' messages stored, or with ``statuses`` agents' messages moved to delivered."""
    from conversations.models import Message

    if statuses:
        return Message.objects.filter(direction="out", status="delivered").count()
    return Message.objects.filter(direction="in").count()


def settled_stored_messages(statuses: bool = False) -> int:
    """The count once POSTs still in flight when wrk stopped have been stored (it holds still for 1 s)."""
    count = stored_messages(statuses)
    for _ in range(30):
        time.sleep(1)
        previous, count = count, stored_messages(statuses)
        if count == previous:
            break
    return count


def scenario(
    st: stack.Stack, base: str, *, batch: int, seconds: int, connections: int, label: str, statuses: bool = False
) -> None:
    """wrk on unique payloads: ``batch`` customers' messages per POST, or with ``statuses`` ``batch``
    delivery statuses per POST, each for a different message an agent sent."""
    threads = 2
    expected_rps = 900 if batch == 1 else 80 if statuses else 60
    per_thread = int(expected_rps * (seconds + 5) / threads) + 200
    make = make_status_payloads if statuses else make_payloads
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm"
        warm.mkdir()
        make(warm, threads=threads, per_thread=max(200, per_thread // 6), batch=batch, tag=f"w{batch}")
        run_wrk(base, warm, seconds=3, connections=connections, threads=threads)
        # Settled, or the warm-up's last POSTs would be counted as stored by the measured run.
        before = settled_stored_messages(statuses)
        measured = Path(tmp) / "run"
        measured.mkdir()
        make(measured, threads=threads, per_thread=per_thread, batch=batch, tag=f"m{batch}")
        figures = run_wrk(base, measured, seconds=seconds, connections=connections, threads=threads)
    stored = settled_stored_messages(statuses) - before
    ok_requests = figures["ok_requests"]
    duration = figures["duration"]
    unit = "statuses" if statuses else "messages"
    print(f"{label}:")
    print(f"  POSTs/s        {figures['ok_rps']:.0f} accepted  ({ok_requests:.0f} of {figures['requests']:.0f} POSTs "
          f"in {duration:.2f} s were 2xx; {figures['non2xx']:.0f} non-2xx not counted; "
          f"socket errors: {figures['socket_errors']})")  # fmt: skip
    print(f"  {unit + '/s':<15}{figures['ok_rps'] * batch:.0f} accepted (accepted POSTs/s x {batch}), "
          f"{stored / duration:.0f} stored (stored / {duration:.2f} s; includes POSTs in flight at the end)")  # fmt: skip
    print(f"  latency ms     p50 {figures.get('p50_ms', float('nan')):.1f}  p90 {figures.get('p90_ms', float('nan')):.1f}"
          f"  p99 {figures.get('p99_ms', float('nan')):.1f}")  # fmt: skip
    print(
        f"  stored         {stored} {unit} for {ok_requests:.0f} accepted POSTs x {batch} "
        f"= {ok_requests * batch:.0f} expected{'' if figures['wrapped'] == 0 else ' (payloads wrapped: duplicates)'}"
    )


def bare(st: stack.Stack, args: argparse.Namespace) -> None:
    """DESIGN.md's baseline on the same stack: HMAC + parse + one insert + one publish (bench/bare_asgi.py)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_bare_webhook (id bigserial PRIMARY KEY, body text NOT NULL)")
    for middleware in ("project", "none"):
        st.env["BENCH_BARE_MIDDLEWARE"] = middleware
        with stack.server(st, workers=args.workers, app="bare_asgi:application", app_dir="bench") as base:
            print(f"bare baseline (bench/bare_asgi.py, Django middleware: {middleware}): uvicorn x{args.workers}; "
                  f"wrk 2 threads x {args.connections} connections; {args.seconds} s after a 3 s warm-up")  # fmt: skip
            with tempfile.TemporaryDirectory() as tmp:
                warm, run = Path(tmp) / "warm", Path(tmp) / "run"
                warm.mkdir()
                run.mkdir()
                make_payloads(warm, threads=2, per_thread=500, batch=1, tag=f"bw{middleware}")
                run_wrk(base, warm, seconds=3, connections=args.connections, threads=2)
                make_payloads(
                    run, threads=2, per_thread=int(900 * (args.seconds + 5) / 2), batch=1, tag=f"bm{middleware}"
                )
                figures = run_wrk(base, run, seconds=args.seconds, connections=args.connections, threads=2)
        print(f"  POSTs/s        {figures['ok_rps']:.0f} accepted  ({figures['ok_requests']:.0f} of "
              f"{figures['requests']:.0f} in {figures['duration']:.2f} s; {figures['non2xx']:.0f} non-2xx not counted)")  # fmt: skip
        print(f"  latency ms     p50 {figures.get('p50_ms', float('nan')):.1f}  "
              f"p99 {figures.get('p99_ms', float('nan')):.1f}")  # fmt: skip
    from django.db import connections

    connections.close_all()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--customers", type=int, default=CUSTOMERS)
    parser.add_argument("--bare", action="store_true", help="measure DESIGN.md's bare view instead (the baseline)")
    args = parser.parse_args()
    globals()["CUSTOMERS"] = args.customers
    if shutil.which("wrk") is None:
        print("needs wrk (apt-get install wrk)")
        sys.exit(2)
    started = time.monotonic()
    with stack.scratch_stack("bench_ingest") as st:
        stack.setup_django(st)
        from conversations import services

        services.team_create(name="Care", slug="care", is_default=True, auto_assign=False, actor=None)
        if args.bare:
            bare(st, args)
            return
        with stack.server(st, workers=args.workers) as base:
            print(f"uvicorn x{args.workers} on {base}; PostgreSQL + Redis pub/sub; wrk 2 threads x {args.connections} "
                  f"connections; {args.seconds} s each after a 3 s warm-up")  # fmt: skip
            first_contacts(base)
            scenario(
                st, base, batch=1, seconds=args.seconds, connections=args.connections, label="single-message POSTs"
            )
            scenario(st, base, batch=50, seconds=args.seconds, connections=args.connections, label="50-message POSTs")
            scenario(
                st, base, batch=50, seconds=args.seconds, connections=args.connections, label="50-status POSTs",
                statuses=True,
            )  # fmt: skip
        from django.db import connections

        connections.close_all()
    print(
        "baseline, quoted from DESIGN.md (not measured by this run): bare view, HMAC + parse + one insert + one "
        "publish, ~475 POSTs/s on this machine class; run --bare for this machine's figure"
    )
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
