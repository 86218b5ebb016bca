"""One error model for the whole API: the exception handler, and the error bodies the schema documents.

Every refusal answers ``{"error": code, "detail": message}``: ``code`` is stable and machine-readable,
``detail`` says it in words. A domain error (``consent.exceptions.DomainError``, raised by any app's services)
answers with its own status and adds its extra fields (``kinds``, ``hint`` and ``blocked`` of a sensitive
draft, say); a request that fails validation answers 400 ``invalid`` with the messages per field in
``fields``; DRF's own refusals keep their status with their code (``not_authenticated``,
``permission_denied``, ``not_found``, ``method_not_allowed``, ``parse_error``, ``unsupported_media_type``).

Settings name ``exception_handler`` (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``); every app's API documents its
answers with ``error_responses``, so the schema lists each status an operation can answer with its body.
Messages name codes and internal ids only, never personal data.
"""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from consent.exceptions import DomainError


class ErrorOut(serializers.Serializer):
    error = serializers.CharField(
        help_text="Stable code: invalid, not_authenticated, authentication_failed, permission_denied, not_found, "
        "method_not_allowed, parse_error, unsupported_media_type, server_error, or the domain rule that refused "
        "(window_closed, invalid_transition, consent_missing, processing_restricted, ...)."
    )
    detail = serializers.CharField(help_text="The refusal in words (no personal data).")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="With error=invalid: what is wrong with each field of the request.",
    )


class SensitiveDraftErrorOut(ErrorOut):
    """A reply's refusal: with error=sensitive_draft or sensitive_draft_blocked, what the draft asks for."""

    kinds = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="What the draft asks the customer for."
    )
    hint = serializers.CharField(required=False, help_text="A safer wording to offer the customer, in their language.")
    blocked = serializers.BooleanField(required=False, help_text="True: such drafts cannot be sent at all (422).")


# What each status means across the API; operations add what is particular to them.
_MEANING = {
    400: "The request is malformed (invalid, with the messages per field) or a rule refused its content",
    401: "Not signed in: no credentials (not_authenticated), or a token or session that is not valid "
    "(authentication_failed)",
    403: "Signed in without the permission this needs (permission_denied), or a rule forbids it (not_allowed)",
    404: "No such object, or not one you may see (not_found): the answer does not say which",
    409: "Not allowed in the current state",
    410: "The customer's data was erased: nothing of it can be read or written any more (key_destroyed)",
    415: "The request body is not JSON, a form or multipart (unsupported_media_type)",
    422: "Refused for good by a policy (sensitive_draft_blocked)",
}


def error_responses(*codes: int, **particular: str | tuple[str, type[serializers.Serializer]]) -> dict:
    """``extend_schema(responses=...)`` entries for these error statuses, each with its ``ErrorOut`` body.

    ``particular`` adds to (or replaces) a status's description, keyed ``e409="window_closed, ..."``;
    a (description, serializer) pair documents a body with more fields (``SensitiveDraftErrorOut``).
    """
    responses: dict[int, OpenApiResponse] = {}
    for code in codes:
        extra = particular.get(f"e{code}")
        body: type[serializers.Serializer] = ErrorOut
        if isinstance(extra, tuple):
            extra, body = extra
        description = _MEANING[code] + (f": {extra}" if extra else "")
        responses[code] = OpenApiResponse(body, description=description)
    return responses


def _fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(key): [str(m) for m in (value if isinstance(value, list) else [value])] for key, value in
                detail.items()}  # fmt: skip
    return {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list) else [detail])]}


def _first_message(fields: dict[str, list[str]]) -> str:
    for name, messages in fields.items():
        if messages:
            return messages[0] if name == "non_field_errors" else f"{name}: {messages[0]}"
    return _("Invalid input.")


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"error": exc.code, "detail": exc.message, **exc.extra}, status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        response.data = {"error": "invalid", "detail": _first_message(fields), "fields": fields}
    else:
        codes = exc.get_codes()
        response.data = {"error": codes if isinstance(codes, str) else exc.default_code, "detail": str(exc.detail)}
    return response
