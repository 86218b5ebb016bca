"""The purge: every data category's retention rule, run (``manage.py purge_expired``; DIN 66398's "the rule runs").

Invariants:
- A row is due when its category's rule says so: the row's moment for the rule's clock (a field the
  registry's declaration names) is older than the period. Declarations without that clock are not purged by
  it; ``purgeable`` narrows what may go at all (only released holds, only finished tasks, only consent no
  longer in force).
- Nothing a standing legal hold covers is touched: the subject's rows, or one conversation's. What was held
  back is counted in the run record.
- Batched by primary key, each batch in its own short transaction (``removal.remove_by_pk``: the rows, their
  dependants, history rows and files), so the purge runs beside live traffic, can be stopped at any moment
  and started again, and a second run right after removes nothing. The longest transaction is recorded.
- ``duty`` paces it: the share of the wall-clock time it works (after a batch that took t seconds it rests
  t * (1/duty - 1)), so that beside daytime traffic it leaves the CPU to the webhooks (bench/lifecycle.py
  measures both). 1.0, the default, runs flat out, as at night.
- A subject left with nothing (no conversation, no consent record still kept, no hold) is erased entirely,
  through ``subject_erase``, with its receipt and journal line.
- The run record holds counts per category, never what was removed.
"""

import logging
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from consent.declarations import Category, Clock, Erasure, PersonalData
from consent.models import LegalHold, Subject
from retention import registry
from retention.models import PurgeRun, RetentionRule
from retention.services.erasure import subject_erase
from retention.services.removal import among, remove_by_pk

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 2000  # about 0.1 s per transaction at the benchmark's size (bench/lifecycle.py)


def _held() -> tuple[set[int], set[int], set[int]]:
    """(subjects, conversations, every subject with a hold of either kind) that standing legal holds cover."""
    from django.db.models import Q

    standing = LegalHold.objects.filter(released_at__isnull=True).filter(
        Q(until__isnull=True) | Q(until__gte=timezone.localdate())
    )
    subjects, conversations, anyhow = set(), set(), set()
    for subject_id, conversation_id in standing.values_list("subject_id", "conversation_id"):
        anyhow.add(subject_id)
        if conversation_id:
            conversations.add(conversation_id)
        else:
            subjects.add(subject_id)
    return subjects, conversations, anyhow


def due_rows(declaration: PersonalData, rule: RetentionRule, *, now: datetime) -> QuerySet | None:
    """The rows of ``declaration`` its category's rule says are due now (holds not yet taken out)."""
    field = declaration.clocks.get(rule.clock)
    if field is None:
        return None
    cutoff = now - timedelta(days=rule.period_days)
    return registry.model_of(declaration)._default_manager.filter(**{f"{field}__lt": cutoff}, **declaration.purgeable)


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
_NOT_KEEPING = {Category.IDENTITY, Category.CONTACT_POINTS, Category.LEGAL_HOLDS}


def subjects_left_with_nothing() -> QuerySet[Subject]:
    """Subjects with nothing the registry still keeps for them (no conversation, no consent record in force or
    within its period, no alert ...) and no unreleased hold: nothing to keep them for."""
    kept = [
        Exists(registry.model_of(d)._default_manager.filter(**{d.subject: OuterRef("pk")}))
        for d in registry.declarations()
        if d.subject and d.subject != "pk" and d.erasure == Erasure.DELETE and d.category not in _NOT_KEEPING
    ]
    held = Exists(LegalHold.objects.filter(subject=OuterRef("pk"), released_at__isnull=True))
    left = Subject.objects.exclude(held)
    for exists in kept:
        left = left.exclude(exists)
    return left.order_by("pk")


def purge_expired(
    *, dry_run: bool = False, categories: Sequence[str] | None = None, batch_size: int = DEFAULT_BATCH,
    duty: float = 1.0, now: datetime | None = None, sleep=time.sleep,
) -> PurgeRun:  # fmt: skip
    """Run every rule (or those of ``categories``); returns the run's record."""
    if not 0 < duty <= 1:
        raise ValueError("duty is the share of the time the purge works: more than 0, at most 1")
    now = now or timezone.now()
    rules = {rule.category: rule for rule in RetentionRule.objects.all()}
    if categories:
        unknown = set(categories) - set(rules)
        if unknown:
            raise ValueError(f"no retention rule for: {', '.join(sorted(unknown))}")
        rules = {c: r for c, r in rules.items() if c in categories}
    run = PurgeRun.objects.create(outcome=PurgeRun.Outcome.DRY_RUN if dry_run else PurgeRun.Outcome.RUNNING)
    counts: Counter = Counter()
    held_back: Counter = Counter()
    longest = 0.0
    held = _held()
    try:
        for declaration in _order(rules):
            rows = due_rows(declaration, rules[declaration.category], now=now)
            if rows is None:
                continue
            kept = _without_held(declaration, rows, held)
            if any(held):
                held_back[declaration.category] += rows.count() - kept.count()
            if dry_run:
                counts[declaration.category] += kept.count()
                continue
            for pks in _batches(kept, batch_size):
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
                    counts += remove_by_pk(declaration, pks)
                took = time.monotonic() - started
                longest = max(longest, took)
                if duty < 1:
                    sleep(took * (1 / duty - 1))
        identity = rules.get("identity")
        if identity is not None and identity.clock == Clock.NOTHING_ELSE_KEPT:
            left = subjects_left_with_nothing()
            if dry_run:
                run.subjects_erased = left.count()
            else:
                for subject in left.iterator(chunk_size=200):
                    started = time.monotonic()
                    with transaction.atomic():
                        # Locked and asked again: a customer who has written since the list was read stays.
                        still = subjects_left_with_nothing().filter(pk=subject.pk).select_for_update(of=("self",))
                        if list(still.values_list("pk", flat=True)):
                            subject_erase(subject=subject, actor=None, reason="nothing of theirs is kept any more",
                                          trigger="purge")  # fmt: skip
                            run.subjects_erased += 1
                    longest = max(longest, time.monotonic() - started)
    except Exception:
        run.outcome = PurgeRun.Outcome.FAILED
        raise
    else:
        if not dry_run:
            run.outcome = PurgeRun.Outcome.DONE
    finally:
        run.finished_at = timezone.now()
        run.counts = {category: n for category, n in sorted(counts.items()) if n}
        run.held_back = {category: n for category, n in sorted(held_back.items()) if n}
        run.longest_transaction_ms = round(longest * 1000)
        run.save(update_fields=["finished_at", "outcome", "counts", "held_back", "subjects_erased",
                                "longest_transaction_ms"])  # fmt: skip
        logger.info("purge run %s: %s", run.pk, run.outcome)
    return run
