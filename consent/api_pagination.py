"""Keyset paging for lists that grow (a conversation's messages and notes): ``after_id`` and ``limit``.

A page is the rows with an id above ``after_id``, oldest first, at most ``limit`` of them, and ``next`` is the
URL of the following page (``null`` on the last one). Unlike offsets, a page stays correct while rows are
added, and costs one indexed range read however deep it is. Shared by every app's API.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.utils.urls import replace_query_param

DEFAULT_LIMIT = 100
MAX_LIMIT = 200

KEYSET_PARAMETERS = [
    OpenApiParameter("after_id", int, description="Only rows with a larger id (the last id of the page before).",
                     default=0),
    OpenApiParameter("limit", int, description=f"Rows per page, 1 to {MAX_LIMIT}.", default=DEFAULT_LIMIT),
]  # fmt: skip


@dataclass(frozen=True, slots=True)
class KeysetPage:
    rows: list[Any]
    next: str | None


def query_int(request: Request, name: str, *, default: int, min_value: int, max_value: int | None = None) -> int:
    """A whole-number query parameter, or a 400 naming it."""
    field = serializers.IntegerField(min_value=min_value, max_value=max_value)
    try:
        return field.run_validation(request.query_params.get(name, default))
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({name: exc.detail}) from None


def keyset_page(queryset: QuerySet, request: Request) -> KeysetPage:
    after = query_int(request, "after_id", default=0, min_value=0)
    limit = query_int(request, "limit", default=DEFAULT_LIMIT, min_value=1, max_value=MAX_LIMIT)
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: limit + 1])
    if len(rows) <= limit:
        return KeysetPage(rows=rows, next=None)
    rows = rows[:limit]
    url = replace_query_param(request.build_absolute_uri(), "after_id", rows[-1].pk)
    return KeysetPage(rows=rows, next=url)


def page_of(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The response serializer of a keyset page of ``item``s (``{"next": url | null, "results": [...]}``)."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.URLField(allow_null=True, help_text="The next page; null on the last one."),
            "results": item(many=True),
        },
    )
