"""Absolute links to this server, for whoever reads them outside it: customers (a privacy notice, their request's
page, the self-service page), a company's website (the contact snippet) and staff reading a terminal.

Every such link starts with ``settings.PUBLIC_BASE_URL``, the address customers reach us at, never with the host
of the request being served (a worker, a proxy's backend, a developer's port) and never with a host written into
the code. ``consent`` owns this module because every app may import it.
"""

from urllib.parse import urlsplit

from django.conf import settings


class PublicBaseUrlInvalid(ValueError):
    """``PUBLIC_BASE_URL`` is not an absolute http(s) address without query or fragment."""


def base_url_normalise(value: str) -> str:
    """``value`` checked and without its trailing slash: ``https://cc.example.org/`` → ``https://cc.example.org``.

    A path is kept (``https://example.org/help`` for a server behind a proxy's prefix); a query, a fragment,
    credentials or a missing scheme or host raise ``PublicBaseUrlInvalid`` naming what is wrong.
    """
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise PublicBaseUrlInvalid(
            f"PUBLIC_BASE_URL={value!r} needs the scheme http:// or https://, e.g. https://cc.example.org"
        )
    if not parts.hostname:
        raise PublicBaseUrlInvalid(f"PUBLIC_BASE_URL={value!r} names no host, e.g. https://cc.example.org")
    if parts.username or parts.password:
        raise PublicBaseUrlInvalid(f"PUBLIC_BASE_URL={value!r} must not carry a user name or password")
    if parts.query or parts.fragment or text.endswith(("?", "#")):
        raise PublicBaseUrlInvalid(f"PUBLIC_BASE_URL={value!r} must not have a query (?…) or a fragment (#…)")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as error:
        raise PublicBaseUrlInvalid(f"PUBLIC_BASE_URL={value!r} has an invalid port") from error
    return text.rstrip("/")


def public_url(path: str) -> str:
    """``path`` (``/privacy/?lang=de``, from ``reverse()`` or a literal) under ``PUBLIC_BASE_URL``."""
    base = str(settings.PUBLIC_BASE_URL).rstrip("/")
    return f"{base}/{path.lstrip('/')}"


def subject_rights_url() -> str:
    """Where customers exercise their data-protection rights: ``SUBJECT_RIGHTS_URL`` where the company takes
    requests elsewhere (its own form, a ``mailto:``), else our self-service page."""
    return str(settings.SUBJECT_RIGHTS_URL or "") or public_url("/privacy/")
