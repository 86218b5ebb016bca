"""The one API exception handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``): domain errors become their answers.

A ``consent.exceptions.DomainError`` raised by any service answers with its own ``http_status`` and
``{"error": code, "detail": message, **extra}``; everything else goes to DRF's handler. Apps never import
this module: settings name it.
"""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from consent.exceptions import DomainError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        return Response({"error": exc.code, "detail": exc.message, **exc.extra}, status=exc.http_status)
    return drf_exception_handler(exc, context)
