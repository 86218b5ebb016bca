"""WebSocket routes, each behind the origin check it needs.

The agent inbox and the DPO's alert feed are our own pages: only our hosts (``ALLOWED_HOSTS``) may
open them. The web-chat widget runs on the company's own websites, which may live on other domains:
their origins are listed in ``WEBCHAT_ALLOWED_ORIGINS`` (e.g. ``https://shop.example``). The lists
are read per connection, so a settings change needs no new routes.
"""

from typing import Any

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.urls import path

from conversations.consumers.agent import AgentInboxConsumer
from conversations.consumers.dpo import DpoAlertConsumer
from conversations.consumers.presence import SupervisorPresenceConsumer
from conversations.consumers.webchat import WebchatConsumer


def _our_hosts() -> list[str]:
    # As channels' AllowedHostsOriginValidator: DEBUG with no hosts set means local development.
    hosts = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not hosts:
        hosts = ["localhost", "127.0.0.1", "[::1]"]
    return hosts


class SameOriginOnly:
    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        return await OriginValidator(self.application, _our_hosts())(scope, receive, send)


class WebchatOrigins:
    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict, receive: Any, send: Any) -> Any:
        allowed = [*_our_hosts(), *settings.WEBCHAT_ALLOWED_ORIGINS]
        return await OriginValidator(self.application, allowed)(scope, receive, send)


websocket_urlpatterns = [
    path("ws/agent/", SameOriginOnly(AgentInboxConsumer.as_asgi())),
    path("ws/webchat/", WebchatOrigins(WebchatConsumer.as_asgi())),
    path("ws/dpo/", SameOriginOnly(DpoAlertConsumer.as_asgi())),
    path("ws/presence/", SameOriginOnly(SupervisorPresenceConsumer.as_asgi())),
]
