"""Removing declared rows for good: the rows, the rows that depend on them, their history rows and their files.

Invariants (erasure and purge both remove through here):
- What a foreign key cascades to is removed deliberately first, so that files and history rows go with it and
  the counts say what went: a message's attachments (and their files) before the message. Foreign keys that
  are set to NULL on deletion are set to NULL (an alert outlives its message).
- History rows go too: a deleted conversation leaves no copy of itself behind. The rows are deleted with one
  ``DELETE`` per batch, without model signals, so simple-history does not first write a deletion record (a
  copy of the row's values) only for it to be deleted the next moment. A model with anything else pointing at
  it (a protecting or undeclared cascading key, a many-to-many table) goes through Django's collector instead.
- Files are deleted once the transaction has committed: a rollback keeps the rows and their files together.
  (Their content is ciphertext; after an erasure also under a destroyed key.)
- Runs in the caller's transaction; counts are per data category.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import connections, models, transaction
from django.db.models import F, Lookup, Model, Q, QuerySet

from consent.declarations import PersonalData
from retention import registry


@dataclass(frozen=True, slots=True)
class _Relations:
    dependants: tuple[tuple[PersonalData, str], ...]  # declared models whose key to this one cascades
    set_null: tuple[tuple[type[Model], str], ...]  # keys set to NULL when a row of this one goes
    collector: bool  # anything else: leave the deletion to Django's collector


class _AnyOf(Lookup):
    """``column = ANY(%s)`` with the values as one array parameter (PostgreSQL): a batch of 500 keys is one
    parameter to send and plan instead of 500, several milliseconds less per query (bench/lifecycle.py)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s)", (*lhs_params, list(self.rhs))


def among(field: str, values: list, *, using: str) -> Q | Lookup:
    """``field`` is one of ``values``: ``ANY`` on PostgreSQL, ``IN`` elsewhere."""
    if connections[using].vendor == "postgresql":
        return _AnyOf(F(field), values)
    return Q(**{f"{field}__in": values})


_RELATIONS: dict[tuple, _Relations] = {}


def _relations(model: type[Model], declared: tuple[PersonalData, ...]) -> _Relations:
    """How other models point at ``model``, worked out once per model and set of declarations."""
    key = (model, tuple(map(id, declared)))
    if key not in _RELATIONS:
        _RELATIONS[key] = _relations_find(model, declared)
    return _RELATIONS[key]


def _relations_find(model: type[Model], declared: tuple[PersonalData, ...]) -> _Relations:
    by_model = {registry.model_of(d): d for d in declared}
    dependants, set_null, collector = [], [], bool(model._meta.many_to_many)
    # Hidden ones too (related_name="+", which ``related_objects`` leaves out): a real-time event's key to its
    # message cascades all the same, and a message deleted without its events fails the commit.
    reverse = [f for f in model._meta.get_fields(include_hidden=True) if f.auto_created and not f.concrete]
    for relation in reverse:
        on_delete = getattr(relation, "on_delete", None)
        if relation.many_to_many or on_delete is None:
            collector = True
        elif on_delete is models.DO_NOTHING:  # history rows (no constraint): removed by their own query
            continue
        elif on_delete is models.CASCADE and relation.related_model in by_model:
            dependants.append((by_model[relation.related_model], relation.field.name))
        elif on_delete is models.SET_NULL:
            set_null.append((relation.related_model, relation.field.name))
        else:
            collector = True
    return _Relations(tuple(dependants), tuple(set_null), collector)


def remove(declaration: PersonalData, rows: QuerySet) -> Counter:
    """Remove ``rows`` (of ``declaration``'s model) with what depends on them; rows removed per category."""
    relations = _relations(registry.model_of(declaration), registry.declarations())
    if not (relations.dependants or relations.set_null or relations.collector or declaration.files
            or declaration.history):  # fmt: skip
        removed = rows.order_by()._raw_delete(rows.db)  # nothing else to look after: one DELETE
        return Counter({declaration.category: removed} if removed else {})
    return remove_by_pk(declaration, list(rows.values_list("pk", flat=True)))


def remove_by_pk(declaration: PersonalData, pks: list) -> Counter:
    """Remove the rows of ``declaration``'s model with these primary keys (the purge's batches), as ``remove``."""
    model = registry.model_of(declaration)
    relations = _relations(model, registry.declarations())
    history = registry.history_model(declaration)
    counts: Counter = Counter()
    if not pks:
        return counts
    using = model._base_manager.db
    for dependant, field in relations.dependants:
        if dependant is not declaration:
            counts += remove(
                dependant, registry.model_of(dependant)._base_manager.filter(among(field, pks, using=using))
            )
    for other, field in relations.set_null:
        other._base_manager.filter(among(field, pks, using=using)).update(**{field: None})
    selected = model._base_manager.filter(among("pk", pks, using=using))
    files = [
        name
        for row in selected.only(*declaration.files)
        for field in declaration.files
        if (name := getattr(row, field).name)
    ] if declaration.files else []  # fmt: skip
    if relations.collector:
        _, per_model = selected.delete()
        for label, removed in per_model.items():
            if label != model._meta.label:  # cascaded to something undeclared here (or declared without care)
                counts[_category(label)] += removed
        removed = per_model.get(model._meta.label, 0)
    else:
        removed = selected._raw_delete(selected.db)
    if removed:
        counts[declaration.category] += removed
    if history is not None:
        history._default_manager.filter(among(model._meta.pk.attname, pks, using=using))._raw_delete(using)
    if files:
        transaction.on_commit(lambda: _delete_files(files), robust=True)
    return counts


def _category(label: str) -> str:
    for declaration in registry.declarations():
        if declaration.model == label:
            return declaration.category
    return label  # not personal data (a counter row); named as it is


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
