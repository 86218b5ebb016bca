"""The DPO's alert socket (``/ws/dpo/``): sensitive-data alerts, live, to whoever may handle them.

Invariants:
- Only users holding ``conversations.view_sensitivealert`` (the DPO role) stay connected; anyone
  else is closed with 4401 (not logged in) or 4403. The group ``dpo`` holds only them.
- Alerts are rows first (``services.sensitive.alert_raise``); the socket relays them after commit,
  and a client that reconnects sends the last alert id it saw and is replayed the open ones after it.
- Frames carry the masked excerpt only; nothing is logged but ids.
"""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from conversations import selectors
from conversations.consumers.agent import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from conversations.consumers.relay import RelayDispatchMixin
from conversations.services.sensitive import DPO_GROUP

VIEW_ALERTS = "conversations.view_sensitivealert"


def _may_watch(user: Any) -> bool:
    return user.has_perm(VIEW_ALERTS)


def _replay(after_id: int) -> list[dict[str, Any]]:
    return [selectors.alert_render(alert) for alert in selectors.alert_list_open(after_id=after_id)]


class DpoAlertConsumer(RelayDispatchMixin, AsyncJsonWebsocketConsumer):
    relay_types = frozenset({"dpo.alert"})

    async def connect(self) -> None:
        # Accepted first, then closed with a code: a browser only sees close codes on an open socket.
        await self.accept()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        if not await database_sync_to_async(_may_watch)(user):
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.joined = True
        await self.channel_layer.group_add(DPO_GROUP, self.channel_name)

    joined = False

    async def disconnect(self, code: int) -> None:
        if self.joined:
            await self.channel_layer.group_discard(DPO_GROUP, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not self.joined:
            return
        if not isinstance(content, dict) or content.get("type") != "resume":
            await self.send_json({"type": "error", "code": "unknown_frame"})
            return
        after = content.get("last_alert_id", 0)
        if not isinstance(after, int) or isinstance(after, bool) or after < 0:
            await self.send_json({"type": "error", "code": "bad_last_alert_id"})
            return
        for alert in await database_sync_to_async(_replay)(after):
            await self.send_json({"type": "alert", "alert": alert})

    async def dpo_alert(self, message: dict[str, Any]) -> None:
        await self.send_json({"type": "alert", "alert": message["alert"]})
