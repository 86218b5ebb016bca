"""Maps domain exceptions raised by services to HTTP answers for the API."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from consent.exceptions import ConsentError
from conversations.exceptions import ConversationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ConsentError):
        return Response({"error": exc.code, "detail": exc.message}, status=exc.http_status)
    if isinstance(exc, ConversationError):
        return Response({"error": exc.code, "detail": exc.message}, status=exc.http_status)
    return drf_exception_handler(exc, context)
