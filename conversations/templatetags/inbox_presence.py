"""Template tags for the inbox header's own parts, so no view has to pass them in its context.

``{% presence_state as presence %}``: the signed-in user's availability (``inbox/_presence.html``).
``{% oversees_teams as oversees %}``: whether to link the supervisor reports (``inbox/_supervisor_links.html``).
"""

from typing import Any

from django import template

from conversations import services, supervision
from conversations.models import PresenceStatus

register = template.Library()


@register.simple_tag(takes_context=True)
def presence_state(context: template.Context) -> dict[str, Any] | None:
    """The current status and the three choices, or ``None`` when nobody is signed in."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    presence = services.presence_get(user=user)
    return {"status": presence.status, "choices": PresenceStatus.choices}


@register.simple_tag(takes_context=True)
def oversees_teams(context: template.Context) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and supervision.oversees_any_team(user=user)
