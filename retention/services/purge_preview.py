"""What a purge run would remove, counted without removing anything: ``purge_expired(dry_run=True)``.

Invariants:
- Reads only, each query on its own (no transaction held open over production data, nothing written but the
  run's record).
- Counts what the run would: the purge hands it the same due rows, batch by batch in the same order, and it
  follows them as ``removal.remove_by_pk`` would, through the same relations (``removal``'s, worked out once):
  a message's attachments, a conversation's messages, notes and events, their dependants in turn. Each row is
  counted once: a row the run would already have removed (as a dependant, or as its own category's due row) is
  not counted again, as the run would not find it again.
- The subjects it counts are those the run would leave with nothing: with no standing hold, and either left
  with nothing now or with every row that keeps them among what would go.
- Holds the primary keys that would go in memory, one set per model (a dry run at a million messages holds a
  million integers).
On the same data, a dry run's counts and the run's are equal (retention/tests/test_purge.py).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable

from django.db.models import Count, Model

from consent.declarations import PersonalData
from retention import registry
from retention.services.removal import _relations, among

CHUNK = 2000


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class PurgePreview:
    def __init__(self, *, keeping: Iterable[PersonalData]) -> None:
        self.counts: Counter = Counter()
        self._gone: dict[type[Model], set] = defaultdict(set)
        # For the declarations whose rows keep a subject (by model label, declared once each): subject -> how many
        # of their rows would go.
        self._keeping = {d.model: d for d in keeping}
        self._owners: dict[str, Counter] = {label: Counter() for label in self._keeping}

    def remove(self, declaration: PersonalData, pks: list) -> None:
        """Count ``pks`` of ``declaration``'s model as removed, with what depends on them (``remove_by_pk``)."""
        model = registry.model_of(declaration)
        gone = self._gone[model]
        new = [pk for pk in pks if pk not in gone]
        if not new:
            return
        gone.update(new)
        self.counts[declaration.category] += len(new)
        using = model._base_manager.db
        owners = self._owners.get(declaration.model)
        relations = _relations(model, registry.declarations())
        for chunk in _chunks(new):
            if owners is not None:
                owners.update(
                    model._base_manager.filter(among("pk", chunk, using=using)).values_list(
                        declaration.subject, flat=True
                    )
                )
            for dependant, field in relations.dependants:
                if dependant is not declaration:
                    rows = registry.model_of(dependant)._base_manager.filter(among(field, chunk, using=using))
                    self.remove(dependant, list(rows.values_list("pk", flat=True)))
            if relations.collector:
                self._collected(model, chunk, skip={registry.model_of(d) for d, _ in relations.dependants})

    def _collected(self, model: type[Model], pks: list, *, skip: set) -> None:
        """What Django's collector would cascade to besides the declared dependants (counted by category, as
        ``remove_by_pk`` counts it); no declared purgeable model needs it today."""
        from django.db.models.deletion import Collector

        from retention.services.removal import _category

        collector = Collector(using=model._base_manager.db)
        collector.collect(list(model._base_manager.filter(pk__in=pks)))
        for other, instances in collector.data.items():
            if other is not model and other not in skip:
                self.counts[_category(other._meta.label)] += len(instances)
        for queryset in collector.fast_deletes:
            if queryset.model is not model and queryset.model not in skip:
                self.counts[_category(queryset.model._meta.label)] += queryset.count()

    def subjects_left(self, *, left_now: Iterable[int], held: set[int]) -> int:
        """How many subjects the run would leave with nothing: ``left_now`` (left with nothing already), and
        those, with no standing hold (``held``), whose every row that keeps them would go."""
        left = set(left_now)
        candidates = {s for owners in self._owners.values() for s in owners if s is not None} - left - held
        for label, owners in self._owners.items():
            if not candidates:
                break
            declaration = self._keeping[label]
            model = registry.model_of(declaration)
            for chunk in _chunks(sorted(candidates)):
                totals = (
                    model._default_manager.filter(**{f"{declaration.subject}__in": chunk})
                    .order_by()
                    .values_list(declaration.subject)
                    .annotate(n=Count("pk"))
                )
                for subject, n in totals:
                    if n > owners[subject]:
                        candidates.discard(subject)  # something of theirs stays: they are kept
        return len(left) + len(candidates)
