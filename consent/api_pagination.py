"""Paging for lists that grow. Shared by every app's API.

Keyset paging (a conversation's messages and notes): ``after_id`` and ``limit``. A page is the rows with an
id above ``after_id``, oldest first, at most ``limit`` of them, and ``next`` is the path of the following page
(``null`` on the last one): a path, not an absolute URL, so it stays right behind any proxy. Unlike offsets, a
page stays correct while rows are added, and costs one indexed range read however deep it is.

Offset paging (``OffsetPagination``, the API's default for list views): ``limit`` (at most ``MAX_LIMIT``) and
``offset``, with the ``count``.
"""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
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
    return KeysetPage(rows=rows, next=replace_query_param(request.get_full_path(), "after_id", rows[-1].pk))


class OffsetPagination(LimitOffsetPagination):
    """DRF's limit and offset, with a ceiling: a page never decrypts and renders more than ``MAX_LIMIT`` rows."""

    max_limit = MAX_LIMIT


def page_of(item: type[serializers.Serializer], name: str) -> type[serializers.Serializer]:
    """The response serializer of a keyset page of ``item``s (``{"next": url | null, "results": [...]}``)."""
    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.CharField(allow_null=True, help_text="The next page's path; null on the last one."),
            "results": item(many=True),
        },
    )
