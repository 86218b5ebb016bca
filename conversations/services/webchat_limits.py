"""Per-address limits on the web chat's public door: open sockets, new visitors and new conversations.

The widget's socket needs no account, so a script could open a fresh visitor per socket and fill the agents'
queue. These limits count per source address (``consent.network.limit_address`` of the client's address behind
``TRUSTED_PROXIES``: an IPv6 /64), in the cache, so every server process shares them when the cache is Redis.

Invariants:
- Atomic where the cache is (Redis; the locmem cache locks): a count is taken with ``add`` + ``incr``, never read
  and then written, so two processes at once cannot both take the last place.
- Hourly limits use fixed 5-minute buckets: the hour is the current bucket and the eleven before it, each a key
  that expires after the hour. A refused attempt is taken back (``decr``): the count is of what was admitted.
- A socket holds one of the address's ``WEBCHAT_SOCKETS_PER_ADDRESS`` slot keys (``add`` only takes a free one)
  for ``SLOT_TIMEOUT`` seconds, renewed every ``SLOT_RENEW`` seconds while it is open and deleted when it closes;
  the slots of a process that died expire on their own.
- Keys hold a keyed hash of the address (``consent.crypto.ip_hash``), never the address. Nothing here logs it.
"""

import math
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from consent.crypto import ip_hash
from consent.network import limit_address

BUCKET_SECONDS = 300
WINDOW_SECONDS = 3600
SLOT_TIMEOUT = 120  # seconds a socket's slot lives without renewal
SLOT_RENEW = 40  # seconds between two renewals: two may be missed before the slot lapses

_BUCKETS = WINDOW_SECONDS // BUCKET_SECONDS


def _key(kind: str, address: str) -> str:
    return f"webchat-limit:{kind}:{ip_hash(limit_address(address))[:32]}"


def _admit(kind: str, address: str, limit: int) -> bool:
    """Count one more ``kind`` for the address if the hour holds fewer than ``limit``."""
    if limit <= 0:
        return False
    base = _key(kind, address)
    now = math.floor(time.time() / BUCKET_SECONDS)
    current = f"{base}:{now}"
    cache.add(current, 0, timeout=WINDOW_SECONDS + BUCKET_SECONDS)
    try:
        counted = cache.incr(current)
    except ValueError:  # expired between add and incr (a bucket's last second): start it again
        cache.add(current, 1, timeout=WINDOW_SECONDS + BUCKET_SECONDS)
        counted = 1
    earlier = cache.get_many([f"{base}:{bucket}" for bucket in range(now - _BUCKETS + 1, now)])
    if counted + sum(int(value) for value in earlier.values()) <= limit:
        return True
    try:
        cache.decr(current)
    except ValueError:
        pass  # gone already: nothing to take back
    return False


def visitor_admit(*, address: str) -> bool:
    """A new visitor (a fresh identity) from ``address``: admitted, and counted, within the hourly limit."""
    return _admit("visitors", address, settings.WEBCHAT_VISITORS_PER_ADDRESS_PER_HOUR)


def conversation_admit(*, address: str) -> bool:
    """A message that opens a conversation from ``address``: admitted, and counted, within the hourly limit."""
    return _admit("conversations", address, settings.WEBCHAT_CONVERSATIONS_PER_ADDRESS_PER_HOUR)


@dataclass(frozen=True)
class SocketSlot:
    """The slot an open socket holds: its key and the random token that says it is this socket's."""

    key: str
    token: str


def socket_slot_take(*, address: str) -> SocketSlot | None:
    """A free slot among the address's ``WEBCHAT_SOCKETS_PER_ADDRESS``, or None when all are held."""
    base = _key("sockets", address)
    token = secrets.token_hex(8)
    for number in range(settings.WEBCHAT_SOCKETS_PER_ADDRESS):
        key = f"{base}:{number}"
        if cache.add(key, token, timeout=SLOT_TIMEOUT):
            return SocketSlot(key=key, token=token)
    return None


def socket_slot_renew(*, slot: SocketSlot, address: str) -> SocketSlot | None:
    """The socket is still open: its slot for another ``SLOT_TIMEOUT``. A slot that lapsed (the process stalled
    past it) and was taken by another socket is not shared: a free one is taken, or None when none is."""
    if cache.get(slot.key) == slot.token and cache.touch(slot.key, SLOT_TIMEOUT):
        return slot
    if cache.add(slot.key, slot.token, timeout=SLOT_TIMEOUT):
        return slot
    return socket_slot_take(address=address)


def socket_slot_release(*, slot: SocketSlot) -> None:
    """The socket closed: its slot is free. Only this socket's token is deleted (a slot that lapsed and went to
    another socket stays that socket's; between the read and the delete is a window of one round trip)."""
    if cache.get(slot.key) == slot.token:
        cache.delete(slot.key)
