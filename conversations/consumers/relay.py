"""Dispatch for socket consumers whose relay handlers touch no database.

Channels calls ``close_old_connections`` before every handler, through a hop to the one
thread that runs sync code (``sync_to_async``, thread-sensitive). For an event relayed to
fifty agents at a hundred messages a second that hop is most of the delivery time, and those
handlers read nothing from the database (the payload was rendered at publish time). Handlers
listed in ``relay_types`` skip it; every other handler keeps Channels' behaviour, and database
work inside consumers goes through ``database_sync_to_async``, which closes connections itself.
"""

from typing import Any

from channels.consumer import get_handler_name


class RelayDispatchMixin:
    relay_types: frozenset[str] = frozenset()

    async def dispatch(self, message: dict[str, Any]) -> None:
        if message.get("type") in self.relay_types:
            await getattr(self, get_handler_name(message))(message)
            return
        await super().dispatch(message)
