"""Benchmark: the inbox list at size on PostgreSQL: its first page, a one-word search, and what the index costs ingest.

Targets (issue "Inbox list"), with 10,000 conversations and 1,000,000 messages visible to one supervisor: the
first page of the list answered in <= 200 ms (median and p95), a one-word search in <= 300 ms, each printed beside
a floor measured in the same run (the equivalent plain SQL through ``cursor.execute``: the same rows, without
Django, the rendering or the decryption); and ingest with the token index on at >= 0.85 of the rate with it off.
The script asserts nothing about time, but stops when an answer is wrong (a count that does not match the
generated data, a search plan that reads the whole token table).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/inbox.py [--conversations 10000] [--messages 1000000] [--runs 50] [--ingest 2000]

A full run takes about 10 minutes on 2 cores (most of it building the world); ``--conversations 1000
--messages 50000`` takes about one.

The world (a scratch database ``<name>_bench_inbox``, dropped afterwards): a team with one supervisor; each
conversation's subject created through ``consent.services.subject_create`` (key, contact point, history, and its
name's search tokens through the real hook); conversations in bulk; messages by ``COPY``, each encrypted by
``Message.content`` under its subject's key, eight words each drawn from a 5,000-word vocabulary with Zipf
frequencies (plus the rare word "fahrradschloss" in 1,000 messages); their tokens by ``COPY`` too, each the
real digest (``conversations.search.digests``) of the message's real text, so a search hashes the word it is
given and finds exactly the generated messages. Then the conversations' newest messages and ``VACUUM ANALYZE``.

What is measured and printed:
1. **First page**: ``GET /api/v1/conversations/?limit=50`` as the supervisor through Django's test client (the
   real URL, middleware, authentication, view, selector, rendering and decryption), ``--runs`` times after a
   warm-up; floor: the same three statements in plain SQL: the ``COUNT(*)``, the page's ids (ordered and limited
   the same way), the rows by id with subject, key, team, agent, contact point and newest message.
2. **Search**: ``GET /api/v1/conversations/?q=<word>&limit=50`` for the rare word and for a common one (each
   reported with how many conversations it finds); floor: the same filter in plain SQL. The plan of the ORM's
   query is checked to use the token index (no sequential scan of the tokens).
3. **Ingest**: ``--ingest`` messages from returning customers through ``conversations.services.ingest`` (one
   transaction each, as a webhook stores them), then the same through ``ingest_many`` in batches of 50,
   alternating ``SEARCH_INDEX_ENABLED`` off, on, off, on; messages/s for each and the ratio on/off.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import stack

RARE_WORD = "fahrradschloss"
RARE_MESSAGES = 1_000
VOCABULARY = 5_000
WORDS_PER_MESSAGE = 8
PAGE = 50


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50, help="timed requests per measurement (default 50)")
    parser.add_argument("--ingest", type=int, default=2_000, help="messages per ingest run (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.conversations < 10 or args.messages < max(args.conversations, RARE_MESSAGES) or args.runs < 5:
        parser.error("at least 10 conversations, as many messages and 1000, and 5 runs")
    return args


class Timer:
    def __enter__(self) -> "Timer":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.started


def vocabulary(rng: random.Random) -> list[str]:
    """Pronounceable made-up words, distinct after the search's normalisation, none of them the rare word."""
    consonants, vowels = "bdfgklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < VOCABULARY:
        length = rng.randint(2, 4)
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(length))
        if word != RARE_WORD:
            words.add(word)
    return sorted(words)


# --- the world -------------------------------------------------------------------------------------------------


def build_world(args: argparse.Namespace) -> dict:
    from django.db import connection, transaction

    from consent.services import subject_create
    from contactcenter import roles
    from conversations import services
    from conversations.models import Conversation, Message, TeamMembership
    from conversations.search import digests, token_digest

    rng = random.Random(args.seed)
    print("building the world:")
    team = services.team_create(name="Care", slug="care", is_default=True, auto_assign=False, actor=None)
    supervisor = _user("super1", roles.SUPERVISOR)
    services.team_member_add(team=team, user=supervisor, role=TeamMembership.Role.SUPERVISOR, actor=None)
    with Timer() as timer, transaction.atomic():  # one commit: the bench measures reads, not fsyncs
        subjects = [
            subject_create(
                kind="whatsapp",
                value="+" + stack.customer_number(stack.LANGUAGES[n % 5], n),
                display_name=f"Kunde{n} Nachname{n % 97}",
                actor=None,
            )
            for n in range(args.conversations)
        ]
    print(f"  {len(subjects)} subjects through subject_create (with their name tokens) in {timer.seconds:.1f} s")
    now = datetime.now(tz=UTC)
    conversations = Conversation.objects.bulk_create(
        [
            Conversation(
                subject=s,
                contact_point=s.first_contact,
                channel="whatsapp",
                team=team,
                status="open",
                last_inbound_at=now,
                last_message_at=now - timedelta(seconds=n),
            )
            for n, s in enumerate(subjects)
        ],
        batch_size=5000,
    )
    words = vocabulary(rng)
    weights = [1 / rank for rank in range(1, len(words) + 1)]
    common = words[30]  # about 0.4 % of all draws: in some 3 % of the messages
    digest_of = {word: token_digest(word) for word in [*words, RARE_WORD]}
    assert all(digests(w) == [d] for w, d in list(digest_of.items())[:50])  # the bench's digests are the index's
    rare_at = set(rng.sample(range(args.messages), RARE_MESSAGES))
    encrypt = Message.content.encrypt
    per_conversation = args.messages // len(conversations)
    rare_conversations: set[int] = set()
    common_conversations: set[int] = set()
    tokens_written = 0
    with Timer() as timer, connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM conversations_message")
        first_id = cursor.fetchone()[0] + 1
        columns = ("id", "conversation_id", "direction", "type", "content_enc", "provider", "provider_message_id",
                   "reply_to_provider_id", "status", "error_code", "error_title", "template_name",
                   "template_language", "attempts", "provider_timestamp", "created_at", "findings",
                   "special_category", "may_contain_special", "redacted")  # fmt: skip
        token_rows: list[tuple] = []
        with cursor.cursor.copy(f"COPY conversations_message ({', '.join(columns)}) FROM STDIN") as copy:
            for n in range(args.messages):
                conversation = conversations[min(n // per_conversation, len(conversations) - 1)]
                drawn = rng.choices(words, weights, k=WORDS_PER_MESSAGE)
                if n in rare_at:
                    drawn[rng.randrange(WORDS_PER_MESSAGE)] = RARE_WORD
                text = " ".join(drawn).capitalize() + "?"
                at = conversation.last_message_at - timedelta(minutes=per_conversation - n % per_conversation)
                inbound = n % 2 == 0
                message_id = first_id + n
                copy.write_row((
                    message_id, conversation.pk, "in" if inbound else "out", "text",
                    encrypt(_Holder(conversation), {"text": text}), "whatsapp", f"wamid.bench.{n}", "",
                    "received" if inbound else "delivered", "", "", "", "", 0, at, at, "[]", False, False, False,
                ))  # fmt: skip
                for word in dict.fromkeys(w.casefold() for w in drawn):
                    token_rows.append((None, conversation.pk, message_id, digest_of[word], at))
                if RARE_WORD in drawn:
                    rare_conversations.add(conversation.pk)
                if common in drawn:
                    common_conversations.add(conversation.pk)
        cursor.execute("SELECT setval(pg_get_serial_sequence('conversations_message', 'id'), %s)",
                       [first_id + args.messages])  # fmt: skip
    print(f"  {args.messages} messages encrypted and copied in {timer.seconds:.1f} s")
    with connection.cursor() as cursor:
        with Timer() as timer:
            tokens_written = _copy_tokens(cursor, token_rows)
        print(f"  {tokens_written} tokens copied (indexes rebuilt after) in {timer.seconds:.1f} s")
        cursor.execute(
            "UPDATE conversations_conversation c SET last_message_id = m.newest FROM (SELECT conversation_id, "
            "MAX(id) AS newest FROM conversations_message GROUP BY conversation_id) m WHERE m.conversation_id = c.id"
        )
        with Timer() as timer:
            cursor.execute("VACUUM ANALYZE")
        print(f"  VACUUM ANALYZE in {timer.seconds:.1f} s")
    return {"team": team, "supervisor": supervisor, "subjects": subjects, "conversations": conversations,
            "rare": rare_conversations, "common": common, "common_conversations": common_conversations}  # fmt: skip


class _Holder:
    """What ``Message.content.encrypt`` reads: the conversation, whose subject holds the key."""

    def __init__(self, conversation) -> None:
        self.conversation = conversation


def _user(username: str, role: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username=username)  # force_login: no password needed
    user.groups.add(Group.objects.get(name=role))
    return user


def _copy_tokens(cursor, rows: list[tuple]) -> int:
    """COPY the tokens with the table's secondary indexes dropped, then rebuilt (as a bulk load is done)."""
    cursor.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'conversations_searchtoken' "
        "AND indexname NOT LIKE '%%_pkey'"
    )
    indexes = cursor.fetchall()
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    columns = "subject_id, conversation_id, message_id, digest, created_at"
    with cursor.cursor.copy(f"COPY conversations_searchtoken ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    for _, definition in indexes:
        cursor.execute(definition)
    return len(rows)


# --- measuring -------------------------------------------------------------------------------------------------


def timed(call, runs: int) -> list[float]:
    for _ in range(3):
        call()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return sorted(samples)


def line(label: str, samples: list[float], target: float | None = None) -> str:
    median, p95 = statistics.median(samples), stack.percentile(samples, 0.95)
    verdict = ""
    if target is not None:
        verdict = f"  target <= {target:.0f} ms: {'met' if p95 <= target else 'MISSED'}"
    return f"  {label:<44} median {median:7.1f} ms  p95 {p95:7.1f} ms{verdict}"


FLOOR_SELECT = """
SELECT c.*, s.*, k.wrapped_key, t.name, u.username, p.value_enc, m.*, a.username
FROM conversations_conversation c
JOIN consent_subject s ON s.id = c.subject_id
LEFT JOIN consent_datakey k ON k.subject_id = s.id
LEFT JOIN conversations_team t ON t.id = c.team_id
LEFT JOIN auth_user u ON u.id = c.assigned_agent_id
LEFT JOIN consent_contactpoint p ON p.id = c.contact_point_id
LEFT JOIN conversations_message m ON m.id = c.last_message_id
LEFT JOIN auth_user a ON a.id = m.author_id
WHERE c.id = ANY(%(ids)s)
"""
FLOOR_IDS = """
SELECT c.id FROM conversations_conversation c
WHERE (c.assigned_agent_id = %(user)s OR c.team_id = ANY(%(teams)s)) {search}
ORDER BY c.last_message_at DESC NULLS LAST, c.id DESC LIMIT 51
"""
FLOOR_COUNT = """
SELECT COUNT(*) FROM conversations_conversation c
WHERE (c.assigned_agent_id = %(user)s OR c.team_id = ANY(%(teams)s)) {search}
"""
FLOOR_SEARCH = """AND (c.id IN (SELECT conversation_id FROM conversations_searchtoken WHERE digest = %(digest)s)
OR c.subject_id IN (SELECT subject_id FROM conversations_searchtoken WHERE digest = %(digest)s
AND message_id IS NULL))"""


def floor(params: dict, *, search: bool) -> None:
    from django.db import connection

    clause = FLOOR_SEARCH if search else ""
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_COUNT.format(search=clause), params)
        cursor.fetchone()
        cursor.execute(FLOOR_IDS.format(search=clause), params)
        ids = [row[0] for row in cursor.fetchall()]
        cursor.execute(FLOOR_SELECT, {"ids": ids})
        cursor.fetchall()


def measure_list(world: dict, args: argparse.Namespace) -> None:
    from django.db import connection
    from django.test import Client

    from conversations import selectors
    from conversations.search import token_digest

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(world["supervisor"])
    total = len(world["conversations"])

    def page(q: str = "") -> dict:
        response = client.get("/api/v1/conversations/", {"limit": PAGE, **({"q": q} if q else {})})
        assert response.status_code == 200, response.status_code
        return response.json()

    first = page()
    assert first["count"] == total and len(first["results"]) == PAGE and first["next"], "the first page is wrong"
    newest = sorted(world["conversations"], key=lambda c: (c.last_message_at, c.pk), reverse=True)[:PAGE]
    assert [r["id"] for r in first["results"]] == [c.pk for c in newest], "the first page is not the newest"
    assert all(r["preview"] and r["preview"]["text"] for r in first["results"]), "a row without its preview"
    params = {"user": world["supervisor"].pk, "teams": [world["team"].pk]}
    print(f"\n1. first page of {total} conversations ({PAGE} rows, with the total), {args.runs} runs:")
    print(line("GET /api/v1/conversations/?limit=50", timed(page, args.runs), 200))
    print(line("floor: plain SELECT page + COUNT(*)", timed(lambda: floor(params, search=False), args.runs)))

    print("\n2. one-word search:")
    for word, expected in ((RARE_WORD, world["rare"]), (world["common"], world["common_conversations"])):
        answer = page(word)
        assert answer["count"] == len(expected), (word, answer["count"], len(expected))
        assert {r["id"] for r in answer["results"]} <= expected
        rows = selectors.conversation_search(selectors.conversation_list(user=world["supervisor"]), q=word)
        plan = rows.explain()
        assert "Seq Scan on conversations_searchtoken" not in plan, plan
        searched = {**params, "digest": token_digest(word)}
        print(f"  {word!r}: in {len(expected)} of {total} conversations; plan uses "
              f"{'search_token_digest_conv' if 'search_token_digest_conv' in plan else 'another index'}")  # fmt: skip
        print(line(f"GET ...?q={word}&limit=50", timed(lambda w=word: page(w), args.runs), 300))
        print(line("floor: plain SELECT page + COUNT(*)", timed(lambda p=searched: floor(p, search=True), args.runs)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('conversations_searchtoken')), "
                       "pg_size_pretty(pg_total_relation_size('conversations_message'))")  # fmt: skip
        tokens, messages = cursor.fetchone()
    print(f"  size on disk: tokens with their indexes {tokens}, messages with theirs {messages}")


def measure_ingest(world: dict, args: argparse.Namespace) -> None:
    from django.conf import settings
    from django.db import transaction

    from conversations import services
    from conversations.providers.base import InboundMessage

    rng = random.Random(args.seed + 1)
    words = vocabulary(random.Random(args.seed))
    numbers = [c.first_contact.value.lstrip("+") for c in world["subjects"][:500]]
    counter = iter(range(10**9))

    def inbound() -> InboundMessage:
        return InboundMessage(
            provider="whatsapp", provider_message_id=f"wamid.ingest.{next(counter)}", contact_kind="whatsapp",
            sender=rng.choice(numbers), timestamp=datetime.now(tz=UTC), type="text",
            text=" ".join(rng.choices(words, k=12)).capitalize() + ".", profile_name="Kunde",
        )  # fmt: skip

    def one_by_one() -> float:
        batch = [inbound() for _ in range(args.ingest)]
        with Timer() as timer:
            for message in batch:
                with transaction.atomic():
                    assert services.ingest(inbound=message).created
        return args.ingest / timer.seconds

    def batched() -> float:
        batch = [inbound() for _ in range(args.ingest)]
        with Timer() as timer:
            for start in range(0, len(batch), 50):
                with transaction.atomic():
                    assert all(r.created for r in services.ingest_many(inbounds=batch[start : start + 50]))
        return args.ingest / timer.seconds

    print(f"\n3. ingest of {args.ingest} messages per run from 500 returning customers, index off / on / off / on:")
    for label, run in (("ingest (one transaction each)", one_by_one), ("ingest_many (batches of 50)", batched)):
        rates: dict[bool, list[float]] = {False: [], True: []}
        run()  # warm-up
        for enabled in (False, True, False, True):
            settings.SEARCH_INDEX_ENABLED = enabled
            rates[enabled].append(run())
        settings.SEARCH_INDEX_ENABLED = True
        off, on = statistics.mean(rates[False]), statistics.mean(rates[True])
        ratio = on / off
        print(f"  {label:<32} off {off:7.0f} msg/s  on {on:7.0f} msg/s  ratio {ratio:.2f}  "
              f"target >= 0.85: {'met' if ratio >= 0.85 else 'MISSED'}")  # fmt: skip


def main() -> None:
    args = parse_args()
    started = time.perf_counter()
    with stack.scratch_stack("bench_inbox") as st:
        stack.setup_django(st)
        try:
            world = build_world(args)
            measure_list(world, args)
            measure_ingest(world, args)
        finally:
            from django.db import connections

            for conn in connections.all(initialized_only=True):
                conn.close()
                if hasattr(conn, "close_pool"):
                    conn.close_pool()
    print(f"\ndone in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
