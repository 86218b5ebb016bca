"""Permission classes for the API: one Django permission per HTTP method. Shared by every app's API."""

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


def require_perms(**by_method: str) -> type[BasePermission]:
    """A permission class asking for one Django permission per HTTP method (``get=...``, ``post=...``).

    A method not named falls back to ``get``'s permission. Anonymous callers are refused (401 with a token
    challenge, as DRF answers ``NotAuthenticated``); signed-in callers without the permission get 403."""

    class HasPerm(BasePermission):
        def has_permission(self, request: Request, view: APIView) -> bool:
            perm = by_method.get(request.method.lower(), by_method.get("get", ""))
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    HasPerm.__name__ = "Has_" + "_".join(f"{m}_{p.replace('.', '_')}" for m, p in sorted(by_method.items()))
    return HasPerm
