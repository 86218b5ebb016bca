"""The address a request really came from, behind the proxies the operator trusts (``TRUSTED_PROXIES``).

Per-address limits (the self-service page's codes, the web chat) and the hashed addresses beside downloads
need the client's address. Behind a reverse proxy, ``REMOTE_ADDR`` is the proxy's: every customer would share
one limit. ``X-Forwarded-For`` names the client, but anyone can send that header, so it is believed only as
far as it was written by a proxy we trust:

- ``REMOTE_ADDR`` (the socket's peer) not a trusted proxy: it is the client; the header is ignored.
- Otherwise the header is read from the right (the entry the nearest proxy appended) leftwards, passing over
  trusted proxies; the first address that is not one is the client. An entry that is no address stops the
  walk: the last trusted hop is answered, never something a client made up.

``TRUSTED_PROXIES`` lists addresses and networks (``127.0.0.1``, ``10.0.0.0/8``, ``::1``); empty by default,
so nothing in the header counts until the operator says which proxies are theirs. Nothing here logs.

Per-address limits count ``limit_address``: an IPv6 host is handed a whole /64 (a network changes the low 64 bits
at will, privacy addresses do so daily), so one machine counts per /64, never per address it can make up.
"""

import ipaddress
from collections.abc import Iterable, Mapping
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(configured: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in configured if entry.strip())


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address, networks: Iterable[Network]) -> bool:
    return any(address.version == network.version and address in network for network in networks)


def client_address(remote_addr: str, forwarded_for: str = "") -> str:
    """The client's address as text ("" when the peer is unknown), from the socket's peer and the
    ``X-Forwarded-For`` value that came with it."""
    peer = _address(remote_addr or "")
    if peer is None:
        return ""
    networks = trusted_networks()
    if not networks or not _trusted(peer, networks):
        return str(peer)
    client = peer
    for entry in reversed([part for part in (forwarded_for or "").split(",") if part.strip()]):
        hop = _address(entry)
        if hop is None:
            break  # not an address: believe no further
        client = hop
        if not _trusted(hop, networks):
            break
    return str(client)


def request_client_address(meta: Mapping[str, object]) -> str:
    """``client_address`` of a Django request's ``META``."""
    return client_address(str(meta.get("REMOTE_ADDR") or ""), str(meta.get("HTTP_X_FORWARDED_FOR") or ""))


def scope_client_address(scope: Mapping[str, object]) -> str:
    """``client_address`` of an ASGI scope (a WebSocket's): its peer and its ``x-forwarded-for`` header."""
    client = scope.get("client")
    peer = str(client[0]) if isinstance(client, list | tuple) and client else ""
    headers = scope.get("headers") or []
    forwarded = ",".join(value.decode("latin-1") for name, value in headers if name.lower() == b"x-forwarded-for")
    return client_address(peer, forwarded)


def limit_address(address: str) -> str:
    """What a per-address limit counts for ``address``: an IPv4 address itself, an IPv6 address its /64
    (``2001:db8:1:2::/64``). Text that is no address is returned as it is ("" for an unknown peer)."""
    parsed = _address(address or "")
    if parsed is None:
        return address or ""
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
