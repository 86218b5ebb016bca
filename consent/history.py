"""Who changed a record and why, for the history row its next save writes (django-simple-history).

History is written by signals on save, so a service sets these on the instance just before saving it:
commands, webhooks and consumers have no request the history middleware could read them from. Shared by
every app's services.
"""

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from consent.exceptions import ReasonRequired


def reason_required(reason: str, *, change: str) -> str:
    """The reason for a change a DPO would ask about, or ``ReasonRequired`` naming the change."""
    if not reason.strip():
        raise ReasonRequired(f"{change} needs a reason (kept in the history)")
    return reason


def history_note(instance: Any, *, actor: AbstractBaseUser | None, reason: str) -> None:
    instance._history_user = actor
    instance._change_reason = reason or None
