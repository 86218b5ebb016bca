"""A value read on every inbound message (consent keywords, the DPO's watch terms), kept per server process.

Reading it from the database for each message would cost a query on the hot path; it changes rarely. So each
process keeps its copy for ``ttl`` seconds, and a save or delete of one of its models drops this process's copy
at once (``forget_on_change``): a DPO's change applies here immediately and in the other processes within the
ttl. Shared by every app.
"""

import time
from collections.abc import Callable

from django.db import models
from django.db.models.signals import post_delete, post_save


class ProcessCache[V]:
    def __init__(self, load: Callable[[], V], *, ttl: float) -> None:
        self.load = load
        self.ttl = ttl
        self._value: tuple[float, V] | None = None

    def get(self) -> V:
        cached = self._value
        if cached is not None and time.monotonic() - cached[0] < self.ttl:
            return cached[1]
        value = self.load()
        self._value = (time.monotonic(), value)
        return value

    def forget(self, **kwargs: object) -> None:
        """Drop this process's copy (also a signal receiver: it takes and ignores the signal's arguments)."""
        self._value = None

    def forget_on_change(self, model: type[models.Model], *, uid: str) -> None:
        for signal in (post_save, post_delete):
            signal.connect(self.forget, sender=model, weak=False, dispatch_uid=f"{uid}.{signal is post_save}")
