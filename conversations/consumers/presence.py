"""The supervisors' availability socket (``/ws/presence/``): agents' presence changes, live.

Invariants:
- Only users who oversee a team (``supervision.supervised_teams``: a team's supervisors, holders of
  ``view_all_conversations``) stay connected; anyone else is closed with 4401 (not logged in) or 4403.
- Groups: ``presence-team-<id>`` for each supervised team, or ``presence-all`` for those who see every
  team; the inbox socket never joins them. Teams are read at connect time, like the inbox socket's.
- Frames carry what ``services.presence.presence_render`` gives (user id, username, status, connected,
  since): nothing personal. Presence is state, not history: a page that (re)connects reads the current
  state from ``GET /api/v1/teams/presence/`` and applies the frames after it.
"""

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.contrib.auth.models import AbstractBaseUser

from conversations import supervision
from conversations.consumers.agent import CLOSE_FORBIDDEN, CLOSE_UNAUTHENTICATED
from conversations.consumers.relay import RelayDispatchMixin
from conversations.services.presence import PRESENCE_ALL_GROUP, presence_team_group


def _groups_for(user: AbstractBaseUser) -> list[str]:
    if supervision.sees_every_team(user=user):
        return [PRESENCE_ALL_GROUP]
    return [presence_team_group(team.pk) for team in supervision.supervised_teams(user=user)]


class SupervisorPresenceConsumer(RelayDispatchMixin, AsyncJsonWebsocketConsumer):
    relay_types = frozenset({"presence.changed"})

    async def connect(self) -> None:
        self.presence_groups: list[str] = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self._refuse(CLOSE_UNAUTHENTICATED)
            return
        groups = await database_sync_to_async(_groups_for)(user)
        if not groups:
            await self._refuse(CLOSE_FORBIDDEN)
            return
        # Groups before accept: once the page sees the socket open, nothing published is missed.
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.presence_groups = groups
        await self.accept()

    async def _refuse(self, code: int) -> None:
        # Accept, then close with an application code (a close before accept reaches the browser as 1006).
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "presence_groups", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.send_json({"type": "error", "code": "bad_request"})

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs: Any) -> None:
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # not JSON: answered, never fatal
            await self.send_json({"type": "error", "code": "bad_request"})

    async def presence_changed(self, message: dict[str, Any]) -> None:
        presence = message.get("presence")
        if isinstance(presence, dict):
            await self.send_json({"type": "presence", "presence": presence})
