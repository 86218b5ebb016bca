"""Benchmark: ``consent_state`` against a consent ledger of 1,000,000 events on PostgreSQL.

Acceptance point: "with 1,000,000 ledger events on PostgreSQL, median ``consent_state``
lookup <= 1 ms". The script prints figures and asserts nothing about timing (machines
differ); it does refuse to time a wrong answer, so correctness is checked first.

Usage::

    DATABASE_URL=postgres://user@host:5432/dbname .venv/bin/python bench/consent_state.py \\
        [--events 1000000] [--subjects 200000] [--lookups 20000] [--keep] [--seed 1]

The database named in DATABASE_URL is never written to: the script creates
``<dbname>_bench`` beside it (dropping a leftover one first), migrates it, loads it and
drops it again at the end unless ``--keep`` is given.
"""

import argparse
import heapq
import json
import math
import os
import platform
import random
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import psycopg
from psycopg import sql

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The schemes django-environ maps to the PostgreSQL backend (see contactcenter.settings).
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql", "psql"})
GENERATION_BATCH = 20_000
PROGRESS_EVERY = 100_000
LEDGER_SPAN = timedelta(days=730)  # the generated history covers the last two years
WARMUP_LOOKUPS = 1_000
SAMPLE_CHECKS = 100


# --- Command line and the benchmark database ----------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000, help="ledger events to generate (default 1000000)")
    parser.add_argument("--subjects", type=int, default=200_000, help="subjects to create (default 200000)")
    parser.add_argument("--lookups", type=int, default=20_000, help="timed lookups per variant (default 20000)")
    parser.add_argument("--keep", action="store_true", help="keep the <dbname>_bench database afterwards")
    parser.add_argument("--seed", type=int, default=1, help="random seed, for a reproducible data set")
    args = parser.parse_args(argv)
    for name in ("events", "subjects", "lookups"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


@dataclass(frozen=True, slots=True)
class Target:
    maintenance_url: str  # libpq URI of the server; the script connects to its "postgres" database
    bench_name: str
    bench_url: str  # DATABASE_URL for Django, naming the benchmark database


def refuse(message: str) -> None:
    print(f"bench/consent_state.py: {message}", file=sys.stderr)
    sys.exit(2)


def target_from_env() -> Target:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in POSTGRES_SCHEMES:
        refuse(
            "needs a PostgreSQL database: set DATABASE_URL=postgres://user[:password]@host:port/dbname "
            "(the benchmark runs in a separate <dbname>_bench database it creates and drops)"
        )
    dbname = unquote(parts.path.lstrip("/"))
    if not dbname:
        refuse("DATABASE_URL names no database: postgres://user@host:port/dbname")
    bench_name = f"{dbname}_bench"
    # libpq understands only the postgres:// and postgresql:// spellings.
    maintenance = urlunsplit(parts._replace(scheme="postgresql"))
    bench_url = urlunsplit(parts._replace(path="/" + quote(bench_name)))
    return Target(maintenance_url=maintenance, bench_name=bench_name, bench_url=bench_url)


def recreate_database(target: Target, *, drop_only: bool = False) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction, nor while connected to that
    # database: hence the maintenance database and autocommit.
    with psycopg.connect(target.maintenance_url, dbname="postgres", autocommit=True) as conn:
        # FORCE (PostgreSQL 13+) ends sessions a crashed earlier run may have left behind.
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target.bench_name)))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.bench_name)))


def setup_django(target: Target) -> None:
    # Settings read DATABASE_URL when they are imported, so it must point at the
    # benchmark database before django.setup(); the .env file does not override it.
    os.environ["DATABASE_URL"] = target.bench_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "contactcenter.settings"
    sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()


def close_django() -> None:
    from django.db import connections

    # The settings give PostgreSQL a psycopg pool that keeps connections open in the
    # background; close it, or DROP DATABASE has to kill them.
    for conn in connections.all(initialized_only=True):
        conn.close()
        if hasattr(conn, "close_pool"):
            conn.close_pool()


# --- Reference data: purposes, the notice, subjects -------------------------------------------


def _texts(en: str, de: str, nl: str, it: str, pt_br: str) -> dict[str, str]:
    return {"en": en, "de": de, "nl": nl, "it": it, "pt-br": pt_br}


CONSENT_BASES = {"GDPR": "gdpr-6-1-a", "LGPD": "lgpd-7-i"}
PURPOSES: list[dict[str, Any]] = [
    {
        "code": "bench-marketing-whatsapp",
        "name": _texts(
            "Offers on WhatsApp", "Angebote per WhatsApp", "Aanbiedingen via WhatsApp", "Offerte su WhatsApp",
            "Ofertas pelo WhatsApp",
        ),
        "description": _texts(
            "Offers and news on WhatsApp; reply STOP at any time.",
            "Angebote und Neuigkeiten per WhatsApp; antworten Sie jederzeit STOPP.",
            "Aanbiedingen en nieuws via WhatsApp; antwoord op elk moment STOP.",
            "Offerte e novità su WhatsApp; risponda STOP in qualsiasi momento.",
            "Ofertas e novidades pelo WhatsApp; responda PARAR a qualquer momento.",
        ),
        "is_marketing": True,
        "requires_double_opt_in": True,
        "keywords": {"opt_out": ["STOP"], "opt_in": ["START"], "confirm": ["YES"]},
    },
    {
        "code": "bench-satisfaction-surveys",
        "name": _texts(
            "Satisfaction surveys", "Zufriedenheitsumfragen", "Tevredenheidsonderzoeken",
            "Sondaggi di soddisfazione", "Pesquisas de satisfação",
        ),
        "description": _texts(
            "A short survey after a conversation.", "Eine kurze Umfrage nach einem Gespräch.",
            "Een korte enquête na een gesprek.", "Un breve sondaggio dopo una conversazione.",
            "Uma pesquisa curta após um atendimento.",
        ),
    },
    {
        "code": "bench-call-recording",
        "name": _texts(
            "Call recording", "Gesprächsaufzeichnung", "Opname van gesprekken", "Registrazione delle chiamate",
            "Gravação de chamadas",
        ),
        "description": _texts(
            "Recording voice calls for training.", "Aufzeichnung von Anrufen zu Schulungszwecken.",
            "Opnemen van gesprekken voor training.", "Registrazione delle chiamate per la formazione.",
            "Gravação de chamadas para treinamento.",
        ),
    },
    {
        "code": "bench-product-research",
        "name": _texts(
            "Product research", "Produktforschung", "Productonderzoek", "Ricerca sui prodotti", "Pesquisa de produtos",
        ),
        "description": _texts(
            "Invitations to test new products.", "Einladungen zum Testen neuer Produkte.",
            "Uitnodigingen om nieuwe producten te testen.", "Inviti a provare nuovi prodotti.",
            "Convites para testar novos produtos.",
        ),
    },
    {
        "code": "bench-personalised-advice",
        "name": _texts(
            "Personalised advice", "Persönliche Beratung", "Persoonlijk advies", "Consulenza personalizzata",
            "Recomendações personalizadas",
        ),
        "description": _texts(
            "Advice based on your past orders.", "Beratung auf Grundlage Ihrer Bestellungen.",
            "Advies op basis van uw eerdere bestellingen.", "Consigli basati sui suoi ordini.",
            "Recomendações com base nos seus pedidos.",
        ),
    },
]  # fmt: skip


def create_reference_data() -> tuple[list[Any], Any]:
    from consent import services

    # Through the services, like production: Purpose.clean checks every language and basis.
    purposes = [services.purpose_create(legal_bases=CONSENT_BASES, actor=None, **spec) for spec in PURPOSES]
    notice = services.notice_create(
        language="en", jurisdiction="GDPR", title="Privacy notice (benchmark)", text="How we process data.", actor=None
    )
    notice = services.notice_publish(notice=notice, actor=None)
    return purposes, notice


def create_subjects(count: int, rng: random.Random) -> tuple[list[int], list[str]]:
    """Subjects in bulk; returns their primary keys and public ids (as the ledger spells them)."""
    from consent.models import Subject

    # subject_create would also encrypt a contact point under a fresh data key (three
    # inserts and key wrapping per subject): minutes for 200,000 subjects, and
    # consent_state reads neither. Data keys and contact points are irrelevant here.
    pks: list[int] = []
    refs: list[str] = []
    for start in range(0, count, 10_000):
        batch = [
            Subject(public_id=uuid.UUID(int=rng.getrandbits(128), version=4), jurisdiction="GDPR", language="en")
            for _ in range(min(10_000, count - start))
        ]
        Subject.objects.bulk_create(batch, batch_size=5_000)
        pks.extend(s.pk for s in batch)
        refs.extend(str(s.public_id) for s in batch)
    return pks, refs


# --- Ledger generation ------------------------------------------------------------------------

# (channel, evidence) per action; evidence as Evidence.as_record() would produce it.
VARIANTS: dict[str, list[tuple[str, dict[str, str]]]] = {
    "requested": [("whatsapp", {"keyword": "START"}), ("webchat", {"form": "webchat-consent"})],
    "confirmed": [("whatsapp", {"keyword": "YES"})],
    "granted": [("webchat", {"form": "webchat-consent"}), ("web", {"form": "preferences"})],
    "withdrawn": [("whatsapp", {"keyword": "STOP"}), ("web", {"form": "preferences"}), ("email", {})],
    "expired": [("system", {})],
}
# Next action for a pair picked at random, by status, as weights; "start" is requested
# (double opt-in purposes) or granted. A quick confirmation is scheduled separately.
NEXT_ACTION: dict[str, dict[str, int]] = {
    "none": {"start": 9, "withdrawn": 1},
    "pending": {"expired": 6, "withdrawn": 2, "requested": 2},
    "granted": {"withdrawn": 7, "expired": 1, "refresh": 2},  # refresh: granted again (single-step purposes)
    "withdrawn": {"start": 1},
    "expired": {"start": 8, "withdrawn": 2},
}
CONFIRM_SHARE = 0.7  # of requests confirmed soon after, within the confirmation window
CONFIRM_WITHIN_EVENTS = 200  # about 3.5 hours of ledger time at 1M events over two years
MEAN_EVENTS_PER_PAIR = 2.5


def _action_table(status: str, *, double_opt_in: bool) -> list[str]:
    table: list[str] = []
    for choice, weight in NEXT_ACTION[status].items():
        if choice == "start":
            action = "requested" if double_opt_in else "granted"
        elif choice == "refresh":
            action = "withdrawn" if double_opt_in else "granted"
        else:
            action = choice
        table.extend([action] * weight)
    return table


class LedgerGenerator:
    """A valid hash chain of realistic per-(subject, purpose) histories, in batches of COPY rows.

    Each event goes to a random active pair and follows the project's own transition
    table; most requests are confirmed a few events later. Hashes come from
    consent.ledger exactly as ledger_append computes them, so verify_ledger passes.
    """

    def __init__(
        self,
        *,
        rng: random.Random,
        events: int,
        subject_refs: list[str],
        purposes: list[Any],
        notice: Any,
        now: datetime,
    ) -> None:
        from consent.models.ledger import GENESIS_HASH
        from consent.services import ACTION_RESULT, CONSENT_TRANSITIONS

        self.rng, self.events = rng, events
        self.subject_refs = subject_refs
        self.purpose_ids = [p.pk for p in purposes]
        self.double_opt_in = [p.requires_double_opt_in for p in purposes]
        self.notice_id, self.notice_hash = notice.pk, notice.content_hash
        self.results = {str(action): str(status) for action, status in ACTION_RESULT.items()}
        self.tables = {
            (status, doi): _action_table(status, double_opt_in=doi) for status in NEXT_ACTION for doi in (False, True)
        }
        for (status, _), table in self.tables.items():
            # Only transitions services._record would accept, or the data set would lie.
            if not set(table) <= {str(a) for a in CONSENT_TRANSITIONS[status]}:
                raise RuntimeError(f"NEXT_ACTION allows {table} from {status}: not in CONSENT_TRANSITIONS")
        # The jsonb column takes text: serialise each evidence variant once, not per event.
        self.variants = {
            action: [(channel, evidence, json.dumps(evidence)) for channel, evidence in variants]
            for action, variants in VARIANTS.items()
        }

        n_purposes, possible = len(purposes), len(subject_refs) * len(purposes)
        active = min(possible, max(1, round(events / MEAN_EVENTS_PER_PAIR)))
        # A pair code c stands for subject c // n_purposes and purpose c % n_purposes.
        self.pairs = rng.sample(range(possible), active)
        self.n_purposes = n_purposes
        self.status = ["none"] * active
        self.last_seq = [0] * active
        self.changed_at: list[datetime | None] = [None] * active
        self.followups: list[tuple[int, int]] = []  # (due seq, pair index) of quick confirmations
        self.seq, self.prev_hash = 0, GENESIS_HASH
        self.step_us = max(1, int(LEDGER_SPAN / timedelta(microseconds=1)) // events)
        self.start = now - timedelta(microseconds=self.step_us * events)

    def batch(self, size: int) -> list[tuple]:
        from consent.ledger import ChainedEvent

        rng, rows = self.rng, []
        for _ in range(min(size, self.events - self.seq)):
            seq = self.seq + 1
            pair = -1
            while self.followups and self.followups[0][0] <= seq:
                _, due = heapq.heappop(self.followups)
                if self.status[due] == "pending":  # not withdrawn, expired or re-requested meanwhile
                    pair, action = due, "confirmed"
                    break
            if pair < 0:
                pair = rng.randrange(len(self.pairs))
                table = self.tables[(self.status[pair], self.double_opt_in[self.pairs[pair] % self.n_purposes])]
                action = table[rng.randrange(len(table))]
            code = self.pairs[pair]
            subject_ref = self.subject_refs[code // self.n_purposes]
            purpose_id = self.purpose_ids[code % self.n_purposes]
            variants = self.variants[action]
            channel, evidence, evidence_json = variants[rng.randrange(len(variants))]
            # As services._record: the notice shown goes with requests, grants and
            # confirmations (consent_confirm passes the request's notice), never with the rest.
            with_notice = action in ("requested", "granted", "confirmed")
            notice_id = self.notice_id if with_notice else None
            notice_hash = self.notice_hash if with_notice else None
            # Strictly increasing, one slot per event, with a random microsecond part.
            created_at = self.start + timedelta(microseconds=(seq - 1) * self.step_us + rng.randrange(self.step_us))
            digest = ChainedEvent(
                seq=seq, subject_ref=subject_ref, purpose_id=purpose_id, action=action, channel=channel,
                evidence=evidence, notice_id=notice_id, notice_hash=notice_hash, actor_id=None,
                created_at=created_at, prev_hash=self.prev_hash,
            ).hash()  # fmt: skip
            # Column order: see EVENT_FIELDS. The id is the seq, so ConsentState can refer to it.
            rows.append(
                (seq, seq, subject_ref, purpose_id, action, channel, evidence_json, notice_id, None,
                 created_at, self.prev_hash, digest)
            )  # fmt: skip
            self.status[pair] = self.results[action]
            self.last_seq[pair], self.changed_at[pair] = seq, created_at
            if action == "requested" and rng.random() < CONFIRM_SHARE:
                heapq.heappush(self.followups, (seq + rng.randint(1, CONFIRM_WITHIN_EVENTS), pair))
            self.seq, self.prev_hash = seq, digest
        return rows

    def state_rows(self, subject_pks: list[int]) -> list[tuple]:
        """ConsentState rows (subject pk, purpose, status, last event, notice, changed_at) of pairs with events."""
        rows = []
        for pair, code in enumerate(self.pairs):
            if not self.last_seq[pair]:
                continue
            status = self.status[pair]
            # services._record keeps the notice only while consent is pending or granted.
            notice_id = self.notice_id if status in ("pending", "granted") else None
            rows.append(
                (subject_pks[code // self.n_purposes], self.purpose_ids[code % self.n_purposes], status,
                 self.last_seq[pair], notice_id, self.changed_at[pair])
            )  # fmt: skip
        return rows

    def known_states(self) -> dict[int, str]:
        """Pair code -> final status, for pairs that have a ConsentState row."""
        return {code: self.status[pair] for pair, code in enumerate(self.pairs) if self.last_seq[pair]}


EVENT_FIELDS = ("id", "seq", "subject", "purpose", "action", "channel", "evidence", "notice", "actor", "created_at",
                "prev_hash", "hash")  # fmt: skip
STATE_FIELDS = ("subject", "purpose", "status", "last_event", "notice", "changed_at")


def copy_statement(model: Any, fields: Sequence[str]) -> sql.Composed:
    # Column names from the model, not spelled by hand: a foreign key's column is its attname.
    columns = [model._meta.get_field(name).column for name in fields]
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )


def load_ledger(generator: LedgerGenerator, subject_pks: list[int]) -> None:
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from consent.models import ConsentEvent, ConsentState, LedgerHead

    started = time.perf_counter()
    python_s = 0.0
    # One transaction, as ledger_append keeps event, state and head together.
    with transaction.atomic():
        connection.ensure_connection()
        pg = connection.connection  # the psycopg connection under Django's wrapper
        with pg.cursor() as cursor:
            with cursor.copy(copy_statement(ConsentEvent, EVENT_FIELDS)) as copy:
                next_report = PROGRESS_EVERY
                while generator.seq < generator.events:
                    t0 = time.perf_counter()
                    rows = generator.batch(GENERATION_BATCH)
                    python_s += time.perf_counter() - t0
                    for row in rows:
                        copy.write_row(row)
                    if generator.seq >= next_report or generator.seq == generator.events:
                        print(f"  events {generator.seq:>12,} ({time.perf_counter() - started:6.1f} s)", flush=True)
                        next_report += PROGRESS_EVERY
            print(f"  COPY of events finished ({time.perf_counter() - started:6.1f} s)", flush=True)
            state_started = time.perf_counter()
            states = generator.state_rows(subject_pks)
            with cursor.copy(copy_statement(ConsentState, STATE_FIELDS)) as copy:
                for row in states:
                    copy.write_row(row)
            print(f"  {len(states):,} consent states in {time.perf_counter() - state_started:.1f} s", flush=True)
            head = LedgerHead._meta
            cursor.execute(
                sql.SQL("UPDATE {} SET {} = %s, {} = %s WHERE id = 1").format(
                    sql.Identifier(head.db_table),
                    sql.Identifier(head.get_field("last_seq").column),
                    sql.Identifier(head.get_field("last_hash").column),
                ),
                (generator.seq, generator.prev_hash),
            )
            # The ids were given explicitly: move the identity sequences past them.
            for statement in connection.ops.sequence_reset_sql(no_style(), [ConsentEvent, ConsentState]):
                cursor.execute(statement)
    loaded = time.perf_counter() - started
    analyze_started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"loaded {generator.events:,} events and {len(states):,} states in {loaded:.1f} s "
        f"({python_s:.1f} s of it generating canonical forms and SHA-256 in Python, "
        f"{generator.events / loaded:,.0f} events/s); ANALYZE {time.perf_counter() - analyze_started:.1f} s",
        flush=True,
    )


# --- Checks and timing ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Lookup:
    subject_pk: int
    purpose_index: int
    expected: str
    has_row: bool


def pick_lookups(
    count: int, *, rng: random.Random, known: dict[int, str], known_codes: list[int], n_subjects: int, n_purposes: int,
    subject_pks: list[int],
) -> list[Lookup]:  # fmt: skip
    """Half pairs with a ConsentState row, half without (the 'none' answer), shuffled."""
    possible = n_subjects * n_purposes
    lookups = []
    for i in range(count):
        if i % 2 == 0 or len(known) == possible:
            code = known_codes[rng.randrange(len(known_codes))]
        else:
            code = rng.randrange(possible)
            while code in known:  # rejection sampling: most pairs have no row
                code = rng.randrange(possible)
        lookups.append(
            Lookup(subject_pks[code // n_purposes], code % n_purposes, known.get(code, "none"), code in known)
        )
    rng.shuffle(lookups)
    return lookups


def subjects_by_pk(pks: set[int]) -> dict[int, Any]:
    from consent.models import Subject

    found: dict[int, Any] = {}
    ordered = sorted(pks)
    for start in range(0, len(ordered), 10_000):  # keeps each IN list well under the protocol's limits
        found.update(Subject.objects.in_bulk(ordered[start : start + 10_000]))
    return found


def check_sample(lookups: list[Lookup], subjects: dict[int, Any], purposes: list[Any]) -> None:
    from consent.selectors import consent_state

    wrong = [
        (lk.subject_pk, purposes[lk.purpose_index].code, lk.expected, got)
        for lk in lookups
        if (got := consent_state(subject=subjects[lk.subject_pk], purpose=purposes[lk.purpose_index])) != lk.expected
    ]
    with_row = sum(lk.has_row for lk in lookups)
    print(f"consent_state on {len(lookups)} random pairs ({with_row} with a state row): {len(wrong)} wrong")
    if wrong:
        raise SystemExit(f"consent_state disagrees with the generated ledger, e.g. {wrong[:5]}")


def percentile(ordered: list[int], q: float) -> int:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def report(label: str, samples: list[int], wall_ns: int, lookups: list[Lookup], wrong: int) -> None:
    ordered = sorted(samples)

    def ms(ns: float) -> str:
        return f"{ns / 1e6:.3f}"

    hit = sorted(s for s, lk in zip(samples, lookups, strict=True) if lk.has_row)
    miss = sorted(s for s, lk in zip(samples, lookups, strict=True) if not lk.has_row)
    print(f"{label}")
    print(f"  lookups      {len(samples):,} ({len(hit):,} with a state row, {len(miss):,} without), {wrong} wrong")
    print(
        f"  latency ms   median {ms(percentile(ordered, 0.5))}  p90 {ms(percentile(ordered, 0.9))}  "
        f"p99 {ms(percentile(ordered, 0.99))}  max {ms(ordered[-1])}  mean {ms(sum(ordered) / len(ordered))}"
    )
    if hit and miss:
        print(f"  median ms    with row {ms(percentile(hit, 0.5))}  without row {ms(percentile(miss, 0.5))}")
    print(f"  throughput   {len(samples) / (wall_ns / 1e9):,.0f} lookups/s (one connection, sequential)")


def time_variant(
    label: str, lookups: list[Lookup], warmup: list[Lookup], argument: Callable[[Lookup], tuple[Any, Any]]
) -> None:
    from consent.selectors import consent_state

    for lk in warmup:
        subject, purpose = argument(lk)
        consent_state(subject=subject, purpose=purpose)
    calls = [argument(lk) for lk in lookups]  # built beforehand: only the lookup is timed
    samples, answers = [], []
    clock = time.perf_counter_ns
    wall_start = clock()
    for subject, purpose in calls:
        t0 = clock()
        status = consent_state(subject=subject, purpose=purpose)
        samples.append(clock() - t0)
        answers.append(status)
    wall = clock() - wall_start
    wrong = sum(answer != lk.expected for answer, lk in zip(answers, lookups, strict=True))
    report(label, samples, wall, lookups, wrong)


def time_raw_sql(lookups: list[Lookup], warmup: list[Lookup], purposes: list[Any]) -> None:
    """The selector's SELECT through a plain cursor: what the database and driver cost without the ORM."""
    from django.db import connection

    from consent.models import ConsentState

    # Built as consent_state builds it; the two placeholders are the subject and purpose ids.
    qs = ConsentState.objects.filter(subject_id=0).filter(purpose_id=0).values_list("status", flat=True)[:1]
    query, params = qs.query.sql_with_params()
    if len(params) != 2:
        print(f"(raw SQL comparison skipped: unexpected parameters {params!r})")
        return
    clock = time.perf_counter_ns
    samples, wrong = [], 0
    with connection.cursor() as cursor:
        for lk in warmup:
            cursor.execute(query, (lk.subject_pk, purposes[lk.purpose_index].pk))
            cursor.fetchone()
        wall_start = clock()
        for lk in lookups:
            args = (lk.subject_pk, purposes[lk.purpose_index].pk)
            t0 = clock()
            cursor.execute(query, args)
            row = cursor.fetchone()
            samples.append(clock() - t0)
            wrong += (row[0] if row else "none") != lk.expected
        wall = clock() - wall_start
    report("for comparison: the same SELECT through connection.cursor(), no ORM", samples, wall, lookups, wrong)


def explain(label: str, subject: Any, purpose: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from consent.selectors import consent_state

    # The exact SQL the selector sends (client-side binding: parameters inlined).
    with CaptureQueriesContext(connection) as captured:
        consent_state(subject=subject, purpose=purpose)
    query = captured.captured_queries[-1]["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query)
        plan = [line for (line,) in cursor.fetchall()]
    print(f"EXPLAIN ANALYZE, {label}:\n  {query}")
    for line in plan:
        print(f"    {line}")


def database_figures() -> None:
    from django.db import connection

    from consent.models import ConsentEvent, ConsentState

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
        sizes = []
        for model in (ConsentEvent, ConsentState):
            cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [model._meta.db_table])
            sizes.append(f"{model._meta.db_table} {cursor.fetchone()[0]}")
    print(f"server: {version.split(',')[0]}")
    print(f"ledger events in table: {ConsentEvent.objects.count():,}; consent states: {ConsentState.objects.count():,}")
    print(f"on disk with indexes: {'; '.join(sizes)}")


# --- Main ---------------------------------------------------------------------------------------


def run(args: argparse.Namespace, target: Target) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    print(f"Django {django.get_version()}", flush=True)
    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    # Production runs with DEBUG off; with it on, Django's debug cursor records every
    # query and would add its own cost to each timed lookup.
    settings.DEBUG = False
    print(f"migrated {target.bench_name} in {time.perf_counter() - t0:.1f} s", flush=True)

    t0 = time.perf_counter()
    purposes, notice = create_reference_data()
    subject_pks, subject_refs = create_subjects(args.subjects, rng)
    print(
        f"created {len(purposes)} purposes, notice #{notice.pk} and {len(subject_pks):,} subjects "
        f"in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )

    generator = LedgerGenerator(
        rng=rng, events=args.events, subject_refs=subject_refs, purposes=purposes, notice=notice, now=datetime.now(UTC)
    )
    print(f"generating and loading {args.events:,} events over {len(generator.pairs):,} (subject, purpose) pairs")
    load_ledger(generator, subject_pks)
    database_figures()

    from consent.ledger import ledger_verify

    t0 = time.perf_counter()
    verified = ledger_verify()
    took = time.perf_counter() - t0
    outcome = "intact" if verified.intact else f"BROKEN: {verified.problem}"
    rate = verified.checked / took
    print(f"ledger_verify: {outcome}, {verified.checked:,} events in {took:.1f} s ({rate:,.0f} events/s)")
    if not verified.intact:
        raise SystemExit("the generated ledger does not verify")

    known = generator.known_states()
    pick = {
        "rng": rng, "known": known, "known_codes": list(known), "n_subjects": len(subject_pks),
        "n_purposes": len(purposes), "subject_pks": subject_pks,
    }  # fmt: skip
    sample = pick_lookups(SAMPLE_CHECKS, **pick)
    warmup = pick_lookups(WARMUP_LOOKUPS, **pick)
    lookups = pick_lookups(args.lookups, **pick)
    subjects = subjects_by_pk({lk.subject_pk for lk in (*sample, *warmup, *lookups)})
    check_sample(sample, subjects, purposes)

    # Other work on the machine shows up in the tail latencies: say how busy it was.
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"timing after {WARMUP_LOOKUPS:,} warm-up lookups per variant (DEBUG off; load average {load})")
    time_variant(
        "consent_state(subject=<Subject>, purpose=<Purpose>)",
        lookups,
        warmup,
        lambda lk: (subjects[lk.subject_pk], purposes[lk.purpose_index]),
    )
    time_variant(
        'consent_state(subject=<pk int>, purpose="<code>")  (joins on the purpose code)',
        lookups,
        warmup,
        lambda lk: (lk.subject_pk, purposes[lk.purpose_index].code),
    )
    time_raw_sql(lookups, warmup, purposes)
    example = next(lk for lk in lookups if lk.has_row) if any(lk.has_row for lk in lookups) else lookups[0]
    explain("by instances", subjects[example.subject_pk], purposes[example.purpose_index])
    explain("by pk and purpose code", example.subject_pk, purposes[example.purpose_index].code)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    target = target_from_env()
    print(
        f"consent_state benchmark: --events {args.events:,} --subjects {args.subjects:,} --lookups {args.lookups:,} "
        f"--seed {args.seed}; Python {platform.python_version()}, {os.cpu_count()} CPUs",
        flush=True,
    )
    started = time.perf_counter()
    recreate_database(target)
    print(f"created database {target.bench_name}", flush=True)
    django_ready = False
    try:
        setup_django(target)
        django_ready = True
        run(args, target)
    finally:
        if django_ready:
            close_django()
        if args.keep:
            print(f"kept database {target.bench_name} (--keep)")
        else:
            recreate_database(target, drop_only=True)
            print(f"dropped database {target.bench_name}")
        print(f"total {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
