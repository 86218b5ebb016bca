"""Benchmark: the deletion concept at size on PostgreSQL: export, erasure, purge, and webhooks during the purge.

Targets (issue "Deletion concept"), with 1,000,000 messages across 10,000 subjects: the export of a subject with
10,000 messages <= 3 s, its erasure <= 3 s; the purge of 500,000 expired messages at >= 20,000 rows/s and at
least half the rate of a plain batched ``DELETE`` by primary key over the same rows, its longest transaction
<= 1 s; single-message webhook throughput while the purge runs >= 0.7 of the same without it. Every figure is
printed beside a floor measured in the same run; the script asserts nothing about time, but stops when what
it measured is wrong (a count that does not add up, a webhook refused).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/lifecycle.py [--messages 1000000] [--subjects 10000] [--seconds 15]

The world (a scratch database ``<name>_bench_lifecycle``, dropped afterwards; media and the erasure journal in
a temporary directory): the subjects are created through ``consent.services.subject_create`` (key, contact
point, history); their conversations and messages are written in bulk (``COPY``), each message's content
encrypted under its subject's key by the model's own ``Encrypted`` field. Two "big" subjects hold 10,000
messages each over ten conversations in the last 20 days, 100 stored pictures (40 KB, encrypted) and 10
notes. Every other subject has one conversation resolved 200 to 400 days ago (its messages are expired: the
shipped rule keeps messages 180 days after the conversation is resolved; together exactly 500,000) and one
open conversation with the rest. A legal hold stands on one big subject, so the purge checks holds as it would
in production. Messages are numbered oldest first, as a live system numbers them.

What runs and is printed, in order:
1. **Export** of the first big subject (``subject_export``): seconds, ZIP size, records, the process's peak
   memory growth; floor: the plain ``SELECT`` of its messages with their decryption, plus reading and
   decrypting its 100 files.
2. **Erasure** of the same subject (``subject_erase``; the hold is on the other one); floor: plain SQL
   deleting the other big subject's attachments, notes, events, messages, conversations, contact point, key and row in
   one transaction.
3. **Purge floor**: ``DELETE FROM conversations_message WHERE id = ANY(<500 ids>)``, each batch its own
   transaction, over the 500,000 expired messages, then the expired conversations the same way; the rows are
   put back afterwards (saved beforehand, restored with ``INSERT ... SELECT``, then ``VACUUM ANALYZE`` of every
   table: on a server with autovacuum off, a table that grew from empty would keep plans made for an empty one).
4. **Purge** (``purge_expired()``, every rule, as ``manage.py purge_expired`` runs it): rows/s for the
   messages, the longest transaction from the run record, and a second run that must remove nothing. The
   rows are put back again.
5. **Webhooks during the purge**: ``uvicorn --workers 2``, ``wrk`` posting single-message webhooks from 1,000
   returning customers for ``--seconds``: without the purge, while it runs flat out (it starts first; wrk's
   window ends before it), without (after the rows are put back), while it runs paced (``duty=0.5``), and
   without. Each purge's ratio is to the mean of the runs either side of it. Every accepted POST must be a
   stored message, and none may fail.
"""

import argparse
import contextlib
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))
import ingest
import stack

BIG_MESSAGES = 10_000
BIG_CONVERSATIONS = 10
BIG_FILES = 100
FILE_BYTES = 40_000
EXPIRED_MESSAGES = 500_000
BATCH = 2000  # the purge's own batch size (retention.services.purge.DEFAULT_BATCH)


def rss_peak_reset() -> None:
    """Reset this process's peak resident size (Linux: writing 5 to clear_refs), so a later read is the peak
    of what came after."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def rss_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Timer:
    def __enter__(self) -> "Timer":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.started


# --- The world ----------------------------------------------------------------------------------------------

MESSAGE_COLUMNS = (
    "conversation_id", "direction", "type", "content_enc", "provider", "provider_message_id",
    "reply_to_provider_id", "status", "error_code", "error_title", "template_name", "template_language",
    "attempts", "provider_timestamp", "created_at", "findings", "special_category", "may_contain_special",
    "redacted",
)  # fmt: skip


def _subjects(count: int) -> list:
    from consent.services import subject_create

    subjects = []
    with Timer() as timer:
        for index in range(count):
            number = "+" + stack.customer_number(stack.LANGUAGES[index % 5], index)
            subjects.append(subject_create(kind="whatsapp", value=number, display_name=f"Customer {index}", actor=None))
    print(f"  {count} subjects through subject_create in {timer.seconds:.1f} s")
    return subjects


def _conversation_rows(subjects: list, now: datetime) -> tuple[list, dict]:
    """Bulk-created conversations; returns (every conversation, {"expired": [...], "open": [...], "big": {...}})."""
    from conversations.models import Conversation

    rows, kinds = [], {"expired": [], "open": [], "big": {}}
    big = subjects[-2:]
    for subject in subjects[:-2]:
        resolved = now - timedelta(days=200 + subject.pk % 200)
        expired = Conversation(subject=subject, contact_point=subject.first_contact, channel="whatsapp",
                               status="resolved", resolved_at=resolved, last_message_at=resolved,
                               last_inbound_at=resolved)  # fmt: skip
        current = Conversation(subject=subject, contact_point=subject.first_contact, channel="whatsapp",
                               status="open", last_message_at=now, last_inbound_at=now)  # fmt: skip
        rows += [expired, current]
        kinds["expired"].append(expired)
        kinds["open"].append(current)
    for subject in big:
        kinds["big"][subject.pk] = []
        for n in range(BIG_CONVERSATIONS):
            last = n == BIG_CONVERSATIONS - 1
            at = now - timedelta(days=2 * (BIG_CONVERSATIONS - n))
            conversation = Conversation(subject=subject, contact_point=subject.first_contact, channel="whatsapp",
                                        status="open" if last else "resolved", resolved_at=None if last else at,
                                        last_message_at=at, last_inbound_at=at)  # fmt: skip
            rows.append(conversation)
            kinds["big"][subject.pk].append(conversation)
    Conversation.objects.bulk_create(rows, batch_size=5000)
    return rows, kinds


def _spread(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (i < extra) for i in range(parts)]


def _messages(kinds: dict, *, total: int, now: datetime) -> None:
    """COPY the messages, oldest first, each content encrypted by ``Message.content`` under its subject's key."""
    from django.db import connection

    from conversations.models import Message

    encrypt = Message.content.encrypt
    plan: list[tuple[object, int, datetime, timedelta]] = []  # (conversation, count, first at, step)
    for conversation, count in zip(kinds["expired"], _spread(EXPIRED_MESSAGES, len(kinds["expired"])), strict=True):
        plan.append((conversation, count, conversation.resolved_at - timedelta(hours=count), timedelta(hours=1)))
    big_conversations = [c for conversations in kinds["big"].values() for c in conversations]
    for conversation in big_conversations:
        count = BIG_MESSAGES // BIG_CONVERSATIONS
        plan.append((conversation, count, conversation.last_message_at - timedelta(seconds=count),
                     timedelta(seconds=1)))  # fmt: skip
    rest = total - EXPIRED_MESSAGES - BIG_MESSAGES * len(kinds["big"])
    for conversation, count in zip(kinds["open"], _spread(rest, len(kinds["open"])), strict=True):
        plan.append((conversation, count, now - timedelta(minutes=count + 60), timedelta(minutes=1)))
    plan.sort(key=lambda entry: entry[2])
    written = 0
    with Timer() as timer, connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY conversations_message ({', '.join(MESSAGE_COLUMNS)}) FROM STDIN") as copy:
            for conversation, count, first, step in plan:
                holder = SimpleNamespace(conversation=conversation)
                for n in range(count):
                    inbound = n % 2 == 0
                    at = first + step * n
                    text = f"Message {written} about order {conversation.pk}-{n}: where is my parcel?"
                    copy.write_row((
                        conversation.pk, "in" if inbound else "out", "text", encrypt(holder, {"text": text}),
                        "whatsapp", f"wamid.bench.{written}", "", "received" if inbound else "delivered", "", "",
                        "", "", 0, at, at, "[]", False, False, False,
                    ))  # fmt: skip
                    written += 1
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as after any bulk load: hint bits set, statistics current
    print(f"  {written} messages encrypted and copied in {timer.seconds:.1f} s (then VACUUM ANALYZE)")


def _files_and_notes(subject, conversations: list) -> None:
    """100 stored, encrypted pictures on the subject's messages and 10 notes, through the services' code."""
    from conversations.models import Attachment, Message, Note
    from conversations.services.media import _store

    messages = list(Message.objects.filter(conversation__in=conversations, direction="in").order_by("pk")[:BIG_FILES])
    for n, message in enumerate(messages):
        message.conversation.subject = subject  # the key in hand
        attachment = Attachment.objects.create(message=message, provider_media_id=f"media-{message.pk}",
                                               mime_type="image/jpeg")  # fmt: skip
        _store(attachment, data=os.urandom(FILE_BYTES - 16) + n.to_bytes(16), mime_type="image/jpeg")
    for n, conversation in enumerate(conversations):
        conversation.subject = subject
        note = Note(conversation=conversation)
        note.body = f"Note {n}: call back after five"
        note.save()


def build_world(*, messages: int, subjects: int) -> SimpleNamespace:
    from consent import services as consent_services
    from conversations import services

    print("building the world:")
    services.team_create(name="Care", slug="care", is_default=True, auto_assign=False, actor=None)
    now = datetime.now(tz=UTC)
    people = _subjects(subjects)
    with Timer() as timer:
        _, kinds = _conversation_rows(people, now)
    print(f"  {len(kinds['expired']) + len(kinds['open']) + BIG_CONVERSATIONS * 2} conversations in "
          f"{timer.seconds:.1f} s")  # fmt: skip
    _messages(kinds, total=messages, now=now)
    exported, other = people[-2], people[-1]
    with Timer() as timer:
        for subject in (exported, other):
            _files_and_notes(subject, kinds["big"][subject.pk])
    print(f"  {BIG_FILES} files of {FILE_BYTES // 1000} KB and {BIG_CONVERSATIONS} notes for each big subject in "
          f"{timer.seconds:.1f} s")  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the files' rows and events too (autovacuum may be off: it is in CI here)
    consent_services.legal_hold_place(subject=other, actor=None, reason="bench: a litigation hold",
                                      until=None)  # fmt: skip
    return SimpleNamespace(exported=exported, other=other, kinds=kinds, now=now)


# --- 1 and 2: export and erasure -----------------------------------------------------------------------------


def export_floor(subject) -> tuple[float, int]:
    """The plain SELECT of the subject's messages with their decryption, and its files read and decrypted."""
    from django.core.files.storage import default_storage
    from django.db import connection

    from consent.models import Subject
    from conversations.models import Attachment, Message

    with Timer() as timer:
        fresh = Subject.objects.select_related("data_key").get(pk=subject.pk)
        holder = SimpleNamespace(conversation=SimpleNamespace(subject=fresh))
        attachment_holder = SimpleNamespace(message=holder)
        decrypted = 0
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT m.id, m.content_enc FROM conversations_message m JOIN conversations_conversation c "
                "ON c.id = m.conversation_id WHERE c.subject_id = %s ORDER BY m.id", [subject.pk],
            )  # fmt: skip
            for _, ciphertext in cursor.fetchall():
                Message.content.decrypt(holder, ciphertext)
                decrypted += 1
            cursor.execute(
                "SELECT a.file FROM conversations_attachment a JOIN conversations_message m ON m.id = a.message_id "
                "JOIN conversations_conversation c ON c.id = m.conversation_id WHERE c.subject_id = %s", [subject.pk],
            )  # fmt: skip
            for (name,) in cursor.fetchall():
                with default_storage.open(name, "rb") as handle:
                    Attachment.data.decrypt(attachment_holder, handle.read())
    return timer.seconds, decrypted


def export_and_erase(world: SimpleNamespace, directory: Path) -> None:
    from django.db import connection, transaction

    from consent.models import Subject
    from conversations.models import Message
    from retention.services.erasure import subject_erase
    from retention.services.export import subject_export

    floor_seconds, decrypted = export_floor(world.exported)
    rss_peak_reset()
    before = rss_kb("VmRSS")
    with Timer() as timer:
        result = subject_export(subject=world.exported, path=directory / "export.zip")
    growth = rss_kb("VmHWM") - before
    if result.counts.get("messages") != BIG_MESSAGES or result.media_files != BIG_FILES:
        sys.exit(f"export incomplete: {result.counts.get('messages')} messages, {result.media_files} files")
    print(f"export of a subject with {BIG_MESSAGES} messages and {BIG_FILES} files:")
    print(f"  subject_export        {timer.seconds:6.2f} s   (target <= 3 s)  ZIP {result.size / 1e6:.1f} MB, "
          f"{sum(result.counts.values())} records in {len(result.counts)} categories, "
          f"peak memory +{growth / 1024:.0f} MB")  # fmt: skip
    print(f"  floor                 {floor_seconds:6.2f} s   (SELECT of its {decrypted} messages and decryption, "
          f"its {BIG_FILES} files read and decrypted)")  # fmt: skip

    with Timer() as timer:
        receipt = subject_erase(subject=world.exported, actor=None, reason="subject_request", reference="bench 1")
    left = Message.objects.filter(conversation__subject=world.exported.pk).count()
    if left or receipt.counts.get("messages") != BIG_MESSAGES:
        sys.exit(f"erasure incomplete: {left} messages left, receipt {receipt.counts}")
    big = [c.pk for c in world.kinds["big"][world.other.pk]]
    with Timer() as floor, connection.cursor() as cursor:
        with transaction.atomic():
            cursor.execute(
                "DELETE FROM conversations_attachment WHERE message_id IN "
                "(SELECT id FROM conversations_message WHERE conversation_id = ANY(%s))", [big],
            )  # fmt: skip
            cursor.execute("DELETE FROM conversations_note WHERE conversation_id = ANY(%s)", [big])
            cursor.execute("DELETE FROM conversations_conversationevent WHERE conversation_id = ANY(%s)", [big])
            cursor.execute("DELETE FROM conversations_message WHERE conversation_id = ANY(%s)", [big])
            cursor.execute("DELETE FROM conversations_conversation WHERE id = ANY(%s)", [big])
            cursor.execute("DELETE FROM consent_legalhold WHERE subject_id = %s", [world.other.pk])
            cursor.execute("DELETE FROM consent_contactpoint WHERE subject_id = %s", [world.other.pk])
            cursor.execute("DELETE FROM consent_datakey WHERE subject_id = %s", [world.other.pk])
            cursor.execute("DELETE FROM consent_subject WHERE id = %s", [world.other.pk])
    if Subject.objects.filter(pk=world.other.pk).exists():
        sys.exit("the floor's erasure did not remove the subject")
    print(f"erasure of that subject ({sum(receipt.counts.values())} rows in {len(receipt.counts)} categories, "
          f"{BIG_FILES} files):")  # fmt: skip
    print(f"  subject_erase         {timer.seconds:6.2f} s   (target <= 3 s)")
    print(f"  floor                 {floor.seconds:6.2f} s   (plain SQL: the other big subject's attachments, notes, "
          f"messages, conversations, contact point, key and row deleted in one transaction; no files, no history)")  # fmt: skip


# --- 3, 4 and 5: purge ---------------------------------------------------------------------------------------


def save_expired(world: SimpleNamespace) -> int:
    from django.db import connection

    expired = [c.pk for c in world.kinds["expired"]]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_saved_conversation AS SELECT * FROM conversations_conversation "
                       "WHERE id = ANY(%s)", [expired])  # fmt: skip
        cursor.execute("CREATE TABLE bench_saved_message AS SELECT * FROM conversations_message "
                       "WHERE conversation_id = ANY(%s)", [expired])  # fmt: skip
        cursor.execute("SELECT count(*) FROM bench_saved_message")
        saved = cursor.fetchone()[0]
    if saved != EXPIRED_MESSAGES:
        sys.exit(f"{saved} expired messages, not {EXPIRED_MESSAGES}")
    return saved


def restore_expired() -> float:
    """The expired conversations and messages back as they were (same ids), then VACUUM ANALYZE."""
    from django.db import connection, transaction

    with Timer() as timer:
        with connection.cursor() as cursor:
            with transaction.atomic():
                cursor.execute("INSERT INTO conversations_conversation SELECT * FROM bench_saved_conversation "
                               "ON CONFLICT DO NOTHING")  # fmt: skip
                cursor.execute("INSERT INTO conversations_message SELECT * FROM bench_saved_message "
                               "ON CONFLICT DO NOTHING")  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # every table: the outbox grew under the webhooks too
    return timer.seconds


def expired_in_place() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM conversations_message WHERE id IN (SELECT id FROM bench_saved_message)")
        return cursor.fetchone()[0]


def checkpoint() -> None:
    """Flush dirty pages, so every measured deletion starts from the same state (full-page images in the WAL
    after a checkpoint would otherwise fall on whichever ran first)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def purge_floor() -> tuple[float, float]:
    """Batched DELETE by primary key over the expired rows (ids read beforehand), each batch its own transaction:
    (seconds for the messages, seconds for the conversations)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM bench_saved_message ORDER BY id")
        messages = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT id FROM bench_saved_conversation ORDER BY id")
        conversations = [row[0] for row in cursor.fetchall()]
    seconds = []
    checkpoint()
    for table, ids in (("conversations_message", messages), ("conversations_conversation", conversations)):
        with Timer() as timer, connection.cursor() as cursor:
            for start in range(0, len(ids), BATCH):
                cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids[start : start + BATCH]])
        seconds.append(timer.seconds)
    return seconds[0], seconds[1]


def _counts(counts: dict) -> str:
    return ", ".join(f"{category} {n}" for category, n in counts.items())


def purge_once(duty: float = 1.0, rests: list | None = None) -> tuple[float, object]:
    """One ``purge_expired``, timed; paced, each rest it takes is appended to ``rests``."""
    from retention.services.purge import purge_expired

    def sleep(seconds: float) -> None:
        if rests is not None:
            rests.append(seconds)
        time.sleep(seconds)

    checkpoint()
    with Timer() as timer:
        run = purge_expired(batch_size=BATCH, duty=duty, sleep=sleep)
    return timer.seconds, run


def purge(world: SimpleNamespace, args: argparse.Namespace, st: stack.Stack) -> None:
    from django.db import connections

    saved = save_expired(world)
    floor_messages, floor_conversations = purge_floor()
    if expired_in_place():
        sys.exit("the floor left expired messages")
    restore = restore_expired()
    if expired_in_place() != saved:
        sys.exit("the expired messages were not restored")

    seconds, run = purge_once()
    purged = run.counts.get("messages", 0)
    if purged != saved or expired_in_place():
        sys.exit(f"the purge removed {purged} messages of {saved} expired: {run.counts}")
    again_seconds, again = purge_once()
    floor_rate = saved / floor_messages
    rate = purged / seconds
    print(f"purge of {saved} expired messages and {len(world.kinds['expired'])} conversations (batches of {BATCH}):")
    print(f"  purge_expired         {seconds:6.2f} s   {rate:,.0f} messages/s (target >= 20,000/s and >= "
          f"{floor_rate / 2:,.0f}/s, half the floor): {rate / floor_rate:.2f} of the floor; "
          f"longest transaction {run.longest_transaction_ms} ms (target <= 1,000); removed {_counts(run.counts)}")  # fmt: skip
    print(f"  floor                 {floor_messages:6.2f} s   {floor_rate:,.0f} messages/s (DELETE ... WHERE id = "
          f"ANY(<{BATCH} ids>), a transaction each; the conversations after: {floor_conversations:.2f} s); rows "
          f"restored for the next step in {restore:.1f} s")  # fmt: skip
    print(f"  second run            {again_seconds:6.2f} s   removed {_counts(again.counts) or 'nothing'}"
          f" (idempotent)")  # fmt: skip
    if again.counts:
        sys.exit("the second purge removed something")
    restore_expired()
    connections.close_all()
    webhooks_during_purge(args, st)


def webhooks_during_purge(args: argparse.Namespace, st: stack.Stack) -> None:
    """wrk without the purge, during it flat out, during it paced (duty 0.5), and without again; the expired rows
    put back between the two purges; stored messages counted after each."""
    figures: dict[str, dict] = {}
    purges: dict[str, dict] = {}

    def measured(base: str, label: str, duty: float | None) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            per_thread = int(900 * (args.seconds + 5) / 2) + 200
            tag = f"run{uuid.uuid4().hex[:8]}"
            ingest.make_payloads(directory, threads=2, per_thread=per_thread, batch=1, tag=tag)
            worker = None
            if duty is not None:
                outcome = purges[label] = {"rests": [], "run_duty": duty}
                worker = threading.Thread(target=lambda: outcome.update(zip(("seconds", "run"), purge_once(
                    duty, outcome["rests"]), strict=True)))  # fmt: skip
                worker.start()
                time.sleep(1.0)  # the purge is under way before the first POST
            figures[label] = ingest.run_wrk(base, directory, seconds=args.seconds, connections=args.connections,
                                            threads=2)  # fmt: skip
            if worker is not None:
                purges[label]["outlasted"] = worker.is_alive()
                worker.join()
        stored = settled_stored(tag)
        # wrk counts the POSTs answered in its window; those in flight when it stops are stored too.
        accepted = figures[label]["ok_requests"]
        if figures[label]["non2xx"] or not accepted <= stored <= accepted + args.connections:
            sys.exit(f"{label}: {figures[label]['non2xx']:.0f} webhooks refused, {stored} stored for "
                     f"{accepted:.0f} accepted")  # fmt: skip
        figures[label]["stored"] = stored

    with stack.server(st, workers=2) as base:
        ingest.run_wrk(base, warm_up(), seconds=3, connections=args.connections, threads=2)
        measured(base, "without purge (before)", None)
        measured(base, "during the purge", 1.0)
        restore_expired()
        measured(base, "without purge (between)", None)
        measured(base, "during it, duty 0.5", 0.5)
        measured(base, "without purge (after)", None)
    # Each purge against the runs on either side of it: the rate drifts by a third within minutes here.
    sides = {"during the purge": ("without purge (before)", "without purge (between)"),
             "during it, duty 0.5": ("without purge (between)", "without purge (after)")}  # fmt: skip
    print(
        f"single-message webhooks, uvicorn x2, wrk 2 threads x {args.connections} connections, {args.seconds} s each:"
    )
    for label, figure in figures.items():
        print(f"  {label:<23}{figure['ok_rps']:5.0f} POSTs/s  p50 {figure.get('p50_ms', float('nan')):.1f} ms  "
              f"p99 {figure.get('p99_ms', float('nan')):.1f} ms  ({figure['ok_requests']:.0f} accepted, "
              f"{figure['stored']:.0f} stored with those in flight at the end, none refused)")  # fmt: skip
    for label, outcome in purges.items():
        run = outcome["run"]
        baseline = sum(figures[side]["ok_rps"] for side in sides[label]) / 2
        print(f"  ratio {label:<17}{figures[label]['ok_rps'] / baseline:5.2f} of the runs either side (target >= 0.7); "
              f"the purge {'outlasted' if outcome['outlasted'] else 'ended inside'} wrk's window, took "
              f"{outcome['seconds']:.1f} s ({run.counts.get('messages', 0) / outcome['seconds']:,.0f} messages/s), "
              f"longest transaction {run.longest_transaction_ms} ms")  # fmt: skip
        if rests := sorted(outcome["rests"]):  # paced: each rest is its batch's time x (1/duty - 1)
            scale = 1 / (1 / outcome["run_duty"] - 1)
            print(f"    its {len(rests)} batches: p50 {stack.percentile(rests, 0.5) * scale * 1000:.0f} ms, p90 "
                  f"{stack.percentile(rests, 0.9) * scale * 1000:.0f} ms, max {rests[-1] * scale * 1000:.0f} ms")  # fmt: skip


def settled_stored(tag: str) -> int:
    """The messages of this run (their ids carry its tag) once nothing more arrives for a second."""
    from conversations.models import Message

    count = -1
    for _ in range(30):
        previous, count = count, Message.objects.filter(provider_message_id__startswith=f"wamid.{tag}.").count()
        if count == previous:
            break
        time.sleep(1)
    return count


_WARM = None


def warm_up() -> Path:
    global _WARM
    _WARM = tempfile.TemporaryDirectory()
    ingest.make_payloads(Path(_WARM.name), threads=2, per_thread=500, batch=1, tag=f"warm.{uuid.uuid4().hex[:6]}")
    return Path(_WARM.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--subjects", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=15, help="each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--expired", type=int, default=EXPIRED_MESSAGES, help="of them expired (a smoke test: fewer)")
    parser.add_argument("--batch", type=int, default=BATCH, help="the purge's batch size, and the floor's")
    parser.add_argument("--big", type=int, default=BIG_MESSAGES, help="messages of each big subject")
    args = parser.parse_args()
    globals().update(EXPIRED_MESSAGES=args.expired, BIG_MESSAGES=args.big, BATCH=args.batch)
    if shutil.which("wrk") is None:
        print("needs wrk (apt-get install wrk)")
        sys.exit(2)
    if args.messages < EXPIRED_MESSAGES + 2 * BIG_MESSAGES + args.subjects:
        sys.exit(f"--messages must be at least {EXPIRED_MESSAGES + 2 * BIG_MESSAGES + args.subjects}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp, stack.scratch_stack("bench_lifecycle") as st:
        directory = Path(tmp)
        extra = {"DJANGO_MEDIA_ROOT": str(directory / "media"), "ERASURE_JOURNAL_PATH": str(directory / "journal")}
        st.env.update(extra)
        os.environ.update(extra)
        stack.setup_django(st)
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            autovacuum = cursor.fetchone()[0]
        print(f"PostgreSQL + Redis on loopback; {os.cpu_count()} CPUs; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; autovacuum {autovacuum} (the script runs "
              f"ANALYZE after each load itself)")  # fmt: skip
        world = build_world(messages=args.messages, subjects=args.subjects)
        ingest.CUSTOMERS = min(1000, args.subjects - 2)  # the returning customers: open conversations, never purged
        export_and_erase(world, directory)
        purge(world, args, st)
        from django.db import connections

        connections.close_all()
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
