"""The purge: every data category's retention rule, run (``manage.py purge_expired``; DIN 66398's "the rule runs").

Invariants:
- A row is due when its category's rule says so: the row's moment for the rule's clock (a field the
  registry's declaration names, or a filter of the cutoff for a moment no field holds: a hold's end, the later
  of a consent's end and the last contact) is older than the period. Declarations without that clock are not
  purged by it; ``purgeable`` narrows what may go at all (only finished tasks, only consent no longer in
  force). A rule that anonymises updates the rows its declaration says how to anonymise and removes the rest.
- Nothing a standing legal hold covers is touched: the subject's rows, or one conversation's; nor anything
  of a subject with an open subject request (its answer needs what there was). What was held back is counted
  in the run record.
- Batched by primary key, each batch in its own short transaction (``removal.remove_by_pk``: the rows, their
  dependants, history rows and files), so the purge runs beside live traffic, can be stopped at any moment
  and started again, and a second run right after removes nothing. The longest transaction is recorded.
- ``duty`` paces it: the share of the wall-clock time it works (after a batch that took t seconds it rests
  t * (1/duty - 1)), so that beside daytime traffic it leaves the CPU to the webhooks (bench/lifecycle.py
  measures both). 1.0, the default, runs flat out, as at night.
- A subject left with nothing (no conversation, no consent record still kept, no standing hold) is erased
  entirely, through ``subject_erase``, with its receipt and journal line.
- A hold stands by one definition, ``consent.selectors.legal_hold_stands`` (not released, its ``until`` day not
  passed): what the purge keeps back, who is left with nothing, what the erasure refuses and when a hold's own
  record may go (its period counted from its end) all ask it.
- One run at a time (``purge_lock.purge_claim``, dry runs too): on PostgreSQL a session-level advisory lock on
  the run's connection, on SQLite an exclusive ``flock`` on ``<database>.purge-lock`` (an SQLite database
  lives on one host, where every process sees it); the database server or the kernel drops either when its
  holder dies, so a killed run never blocks the next. A second run refuses
  at once, before it writes anything (``PurgeAlreadyRunning``; the command exits 1 with one line).
- The run record holds counts per category, never what was removed. They are recorded with each batch, in
  the batch's own transaction (with ``progress_at``), so a run that fails or is killed says exactly what it
  removed. A run killed mid-way leaves its record unfinished; the next run, holding the claim (so no other
  run is alive), marks every unfinished record "interrupted" (``finished_at`` stays empty: not known).
- A dry run writes nothing but its record and holds no transaction open: ``purge_preview`` follows the same
  due rows, batch by batch, through what removal would take with them, and counts the subjects the run would
  leave with nothing. On the same data its counts are the run's.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from consent.declarations import Category, Clock, Erasure, PersonalData
from consent.models import LegalHold, Subject
from consent.selectors import legal_hold_stands
from retention import registry
from retention.models import ErasureReason, PurgeRun, RetentionAction, RetentionRule, SubjectRequest
from retention.models.requests import OPEN_STATES
from retention.services.erasure import LegalHoldActive, subject_erase
from retention.services.purge_lock import PurgeAlreadyRunning, purge_claim
from retention.services.purge_preview import PurgePreview
from retention.services.removal import among, remove_by_pk
from retention.services.requests import open_request_subjects

logger = logging.getLogger(__name__)

# Counted apart from what was removed: "access_log (anonymised)".
ANONYMISED = "(anonymised)"
DEFAULT_BATCH = 2000  # about 0.1 s per transaction at the benchmark's size (bench/lifecycle.py)


def _held() -> tuple[set[int], set[int], set[int]]:
    """(subjects, conversations, every subject with a hold of either kind) that standing legal holds cover."""
    standing = LegalHold.objects.filter(legal_hold_stands())
    subjects, conversations, anyhow = set(), set(), set()
    for subject_id, conversation_id in standing.values_list("subject_id", "conversation_id"):
        anyhow.add(subject_id)
        if conversation_id:
            conversations.add(conversation_id)
        else:
            subjects.add(subject_id)
    # An open subject request keeps the whole subject, as a hold on it would: its answer needs what there was.
    asking = set(open_request_subjects())
    return subjects | asking, conversations, anyhow | asking


def due_rows(declaration: PersonalData, rule: RetentionRule, *, now: datetime) -> QuerySet | None:
    """The rows of ``declaration`` its category's rule says are due now (holds not yet taken out)."""
    field = declaration.clocks.get(rule.clock)
    if field is None:
        return None
    cutoff = now - timedelta(days=rule.period_days)
    purgeable = declaration.purgeable
    narrowed = purgeable(cutoff) if callable(purgeable) else Q(**purgeable)
    due = field(cutoff) if callable(field) else Q(**{f"{field}__lt": cutoff})
    rows = registry.model_of(declaration)._default_manager.filter(narrowed, due)
    if _anonymising(declaration, rule):
        rows = rows.exclude(**declaration.anonymise)  # anonymised already: not due again
    return rows


def _anonymising(declaration: PersonalData, rule: RetentionRule) -> bool:
    """The rule anonymises and the declaration says how; otherwise due rows are removed (a row that means
    nothing without its person goes: anonymising it is removing it)."""
    return rule.action == RetentionAction.ANONYMISE and declaration.anonymise is not None


def _anonymise(declaration: PersonalData, pks: list) -> Counter:
    """Leave these rows without what identifies their person (``PersonalData.anonymise``), in one UPDATE."""
    model = registry.model_of(declaration)
    changed = model._base_manager.filter(among("pk", pks, using=model._base_manager.db)).update(**declaration.anonymise)
    return Counter({f"{declaration.category} {ANONYMISED}": changed} if changed else {})


def _without_held(declaration: PersonalData, rows: QuerySet, held: tuple[set[int], set[int], set[int]]) -> QuerySet:
    subjects, conversations, anyhow = held
    if subjects and declaration.subject:
        rows = rows.exclude(**{f"{declaration.subject}__in": subjects})
    if conversations and declaration.conversation:
        rows = rows.exclude(**{f"{declaration.conversation}__in": conversations})
    if anyhow and declaration.rows is not None:
        # Rows found through other rows (early statuses, task rows): no path says which conversation, so a hold
        # of either kind keeps all of the subject's.
        for subject in anyhow:
            rows = rows.exclude(pk__in=declaration.rows(subject).values("pk"))
    return rows


def _batches(rows: QuerySet, batch_size: int):
    """Primary keys in ascending batches, read afresh each time: what an earlier batch removed is not seen again."""
    last = None
    while True:
        page = rows.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        pks = list(page.values_list("pk", flat=True)[:batch_size])
        if not pks:
            return
        last = pks[-1]
        yield pks


def _order(rules: dict[str, RetentionRule]) -> list[PersonalData]:
    """Dependants first (a message's files before the message, messages before their conversation)."""
    return [d for d in registry.erasure_order() if d.category in rules and d.clocks]


# What does not keep a subject: who they are and how to reach them (they go with the last of the rest), the
# holds (a standing one stops the erasure itself), and rows no key ties to them.
# Nor what a request left (a code someone asked for, a download): anyone may ask for a code to a customer's
# number, and that must not keep the customer's data alive.
_NOT_KEEPING = {Category.IDENTITY, Category.CONTACT_POINTS, Category.LEGAL_HOLDS, Category.SUBJECT_REQUESTS}


def _keeping() -> list[PersonalData]:
    """The declarations whose rows keep their subject."""
    return [
        d
        for d in registry.declarations()
        if d.subject and d.subject != "pk" and d.erasure == Erasure.DELETE and d.category not in _NOT_KEEPING
    ]


def subjects_left_with_nothing() -> QuerySet[Subject]:
    """Subjects with nothing the registry still keeps for them (no conversation, no consent record in force or
    within its period, no alert ...) and no standing hold: nothing to keep them for."""
    kept = [Exists(registry.model_of(d)._default_manager.filter(**{d.subject: OuterRef("pk")})) for d in _keeping()]
    held = Exists(LegalHold.objects.filter(legal_hold_stands(), subject=OuterRef("pk")))
    asking = Exists(SubjectRequest.objects.filter(state__in=OPEN_STATES, subject=OuterRef("pk")))
    left = Subject.objects.exclude(held).exclude(asking)
    for exists in kept:
        left = left.exclude(exists)
    return left.order_by("pk")


def _interrupted_mark() -> None:
    """Called holding the claim, so no other run is alive: an unfinished record is a run that was killed."""
    unfinished = PurgeRun.objects.filter(
        finished_at__isnull=True, outcome__in=[PurgeRun.Outcome.RUNNING, PurgeRun.Outcome.DRY_RUN]
    )
    ids = list(unfinished.values_list("pk", flat=True))
    if ids:
        unfinished.update(outcome=PurgeRun.Outcome.INTERRUPTED)
        logger.warning("purge runs %s never finished (killed?): marked interrupted", ids)


def _progress(run: PurgeRun, *, counts: Counter, subjects_erased: int, longest: float) -> None:
    """The run's counts so far, written in the caller's transaction: committed with what they count."""
    PurgeRun.objects.filter(pk=run.pk).update(
        counts=_nonzero(counts), subjects_erased=subjects_erased, longest_transaction_ms=round(longest * 1000),
        progress_at=timezone.now(),
    )  # fmt: skip


def _nonzero(counts: Counter) -> dict[str, int]:
    return {category: n for category, n in sorted(counts.items()) if n}


def purge_expired(
    *, dry_run: bool = False, categories: Sequence[str] | None = None, batch_size: int = DEFAULT_BATCH,
    duty: float = 1.0, now: datetime | None = None, sleep=time.sleep,
) -> PurgeRun:  # fmt: skip
    """Run every rule (or those of ``categories``); returns the run's record. Raises ``PurgeAlreadyRunning``
    while another run holds the claim (nothing written)."""
    if not 0 < duty <= 1:
        raise ValueError("duty is the share of the time the purge works: more than 0, at most 1")
    now = now or timezone.now()
    rules = {rule.category: rule for rule in RetentionRule.objects.all()}
    if categories:
        unknown = set(categories) - set(rules)
        if unknown:
            raise ValueError(f"no retention rule for: {', '.join(sorted(unknown))}")
        rules = {c: r for c, r in rules.items() if c in categories}
    try:
        with purge_claim():
            _interrupted_mark()
            run = PurgeRun.objects.create(outcome=PurgeRun.Outcome.DRY_RUN if dry_run else PurgeRun.Outcome.RUNNING)
            _run(run, rules=rules, dry_run=dry_run, batch_size=batch_size, duty=duty, now=now, sleep=sleep)
    except PurgeAlreadyRunning:
        running = (
            PurgeRun.objects.filter(finished_at__isnull=True, outcome__in=[PurgeRun.Outcome.RUNNING,
                                                                           PurgeRun.Outcome.DRY_RUN])
            .order_by("-pk").first()
        )  # fmt: skip
        since = f" (purge run #{running.pk}, started {running.started_at:%Y-%m-%d %H:%M:%S %Z})" if running else ""
        raise PurgeAlreadyRunning(f"another purge is running{since}: this one does nothing") from None
    return run


def _run(
    run: PurgeRun, *, rules: dict[str, RetentionRule], dry_run: bool, batch_size: int, duty: float, now: datetime,
    sleep: Callable[[float], object],
) -> None:  # fmt: skip
    counts: Counter = Counter()
    held_back: Counter = Counter()
    longest = 0.0
    held = _held()
    preview = PurgePreview(keeping=_keeping()) if dry_run else None
    try:
        for declaration in _order(rules):
            rows = due_rows(declaration, rules[declaration.category], now=now)
            if rows is None:
                continue
            kept = _without_held(declaration, rows, held)
            if any(held):
                held_back[declaration.category] += rows.count() - kept.count()
            anonymising = _anonymising(declaration, rules[declaration.category])
            for pks in _batches(kept, batch_size):
                if preview is not None and anonymising:
                    preview.counts[f"{declaration.category} {ANONYMISED}"] += len(pks)
                    continue
                if preview is not None:  # nothing removed: the next batch still starts after this one's last key
                    preview.remove(declaration, pks)
                    continue
                started = time.monotonic()
                with transaction.atomic():
                    # Read again with the holds as they are now: a conversation reopened or a hold placed since the
                    # batch was chosen keeps its rows. (Not locked: locking the rows would stop neither, and costs
                    # a third of the rate, bench/lifecycle.py.)
                    pks = list(
                        _without_held(declaration, rows, _held())
                        .filter(among("pk", pks, using=rows.db))
                        .values_list("pk", flat=True)
                    )
                    removed = _anonymise(declaration, pks) if anonymising else remove_by_pk(declaration, pks)
                    _progress(run, counts=counts + removed, subjects_erased=run.subjects_erased, longest=longest)
                counts += removed  # committed
                took = time.monotonic() - started
                longest = max(longest, took)
                if duty < 1:
                    sleep(took * (1 / duty - 1))
        identity = rules.get("identity")
        if identity is not None and identity.clock == Clock.NOTHING_ELSE_KEPT:
            left = subjects_left_with_nothing()
            if preview is not None:
                run.subjects_erased = preview.subjects_left(left_now=left.values_list("pk", flat=True), held=held[2])
            else:
                for subject in left.iterator(chunk_size=200):
                    started = time.monotonic()
                    with transaction.atomic():
                        # Locked and asked again: a customer who has written since the list was read stays.
                        still = subjects_left_with_nothing().filter(pk=subject.pk).select_for_update(of=("self",))
                        erased = 0
                        if list(still.values_list("pk", flat=True)):
                            try:
                                subject_erase(subject=subject, actor=None, reason=ErasureReason.RETENTION_EXPIRED,
                                              trigger="purge")  # fmt: skip
                            except LegalHoldActive:  # placed since the list was read: kept, and counted
                                held_back[Category.IDENTITY] += 1
                                continue
                            erased = 1
                            _progress(run, counts=counts, subjects_erased=run.subjects_erased + 1, longest=longest)
                    run.subjects_erased += erased  # committed
                    longest = max(longest, time.monotonic() - started)
        if preview is not None:
            counts = preview.counts
    except Exception:
        run.outcome = PurgeRun.Outcome.FAILED
        raise
    else:
        if not dry_run:
            run.outcome = PurgeRun.Outcome.DONE
    finally:
        run.finished_at = timezone.now()
        run.counts = _nonzero(counts)
        run.held_back = _nonzero(held_back)
        run.longest_transaction_ms = round(longest * 1000)
        run.save(update_fields=["finished_at", "outcome", "counts", "held_back", "subjects_erased",
                                "longest_transaction_ms"])  # fmt: skip
        logger.info("purge run %s: %s", run.pk, run.outcome)
