"""Reads of the retention app: what the registry finds of a subject."""

from consent.models import Subject
from retention import registry


def subject_inventory(*, subject: Subject) -> dict[str, int]:
    """How many rows of each category the registry finds for the subject (what an erasure would touch)."""
    counts: dict[str, int] = {}
    for declaration in registry.declarations():
        count = registry.subject_rows(declaration, subject.pk).count()
        if count:
            counts[declaration.category] = counts.get(declaration.category, 0) + count
    return dict(sorted(counts.items()))
