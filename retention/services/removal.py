"""Removing declared rows for good: the rows, the rows that depend on them, their history rows and their files.

Invariants (erasure and purge both remove through here):
- What a foreign key cascades to is removed deliberately first, so that files and history rows go with it and
  the counts say what went: a message's attachments (and their files) before the message.
- History rows go too, including the deletion record simple-history writes when the row goes: a deleted
  conversation leaves no copy of itself behind.
- Files are deleted once the transaction has committed: a rollback keeps the rows and their files together.
  (Their content is ciphertext; after an erasure also under a destroyed key.)
- Runs in the caller's transaction; counts are per data category.
"""

from collections import Counter

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Model, QuerySet

from consent.declarations import PersonalData
from retention import registry


def _dependants(model: type[Model]) -> list[tuple[PersonalData, str]]:
    """Declared models with a cascading foreign key to ``model``: (declaration, the field's name)."""
    found = []
    for declaration in registry.declarations():
        other = registry.model_of(declaration)
        for field in other._meta.concrete_fields:
            remote = getattr(field, "remote_field", None)
            if remote is not None and remote.model is model and remote.on_delete.__name__ == "CASCADE":
                found.append((declaration, field.name))
    return found


def remove(declaration: PersonalData, rows: QuerySet) -> Counter:
    """Remove ``rows`` (of ``declaration``'s model) with what depends on them; rows removed per category."""
    model = registry.model_of(declaration)
    pks = list(rows.values_list("pk", flat=True))
    counts: Counter = Counter()
    if not pks:
        return counts
    for dependant, field in _dependants(model):
        if dependant is not declaration:
            counts += remove(dependant, registry.model_of(dependant)._default_manager.filter(**{f"{field}__in": pks}))
    files = [
        name
        for row in model._default_manager.filter(pk__in=pks).only(*declaration.files)
        for field in declaration.files
        if (name := getattr(row, field).name)
    ] if declaration.files else []  # fmt: skip
    _, per_model = model._default_manager.filter(pk__in=pks).delete()
    for label, removed in per_model.items():
        if label != model._meta.label:  # cascaded to something undeclared here (or declared without care)
            counts[_category(label)] += removed
    counts[declaration.category] += len(pks)
    history = registry.history_model(declaration)
    if history is not None:
        history._default_manager.filter(**{f"{model._meta.pk.attname}__in": pks}).delete()
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
