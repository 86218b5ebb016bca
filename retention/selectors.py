"""Reads of the retention app: what the registry finds of a subject, and a request's export."""

from django.utils import timezone

from consent.models import Subject
from retention import registry
from retention.models import RequestExport, SubjectRequest


def subject_inventory(*, subject: Subject) -> dict[str, int]:
    """How many rows of each category the registry finds for the subject (what an erasure would touch)."""
    counts: dict[str, int] = {}
    for declaration in registry.declarations():
        count = registry.subject_rows(declaration, subject.pk).count()
        if count:
            counts[declaration.category] = counts.get(declaration.category, 0) + count
    return dict(sorted(counts.items()))


def request_export_current(*, request: SubjectRequest) -> RequestExport | None:
    """The export answering ``request`` that can still be downloaded (the status page, the DPO's copy)."""
    return (
        RequestExport.objects.select_related("request__subject")
        .filter(request=request, expires_at__gt=timezone.now())
        .order_by("-created_at", "-pk")
        .first()
    )
