"""Admin views of records nobody edits by hand: the ledger, the access log, contact points, derived state.

Records like these change only through their services (or never: the ledger and the access log are
append-only); the admin shows them. Shared by every app's admin.
"""

from typing import Any

from django.http import HttpRequest


class ReadOnlyAdminMixin:
    """No add, change or delete in the admin, for a ``ModelAdmin`` or an inline alike."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
