"""Production secrets must come from the environment; with DEBUG off there is no default."""

import base64
import binascii

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured


def production_settings_errors() -> list[str]:
    if settings.DEBUG:
        return []
    problems = []
    try:
        secret_key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty one
        secret_key = ""
    if len(secret_key) < 50:
        problems.append("SECRET_KEY must be set (50+ random characters)")
    if not settings.ALLOWED_HOSTS:
        problems.append("DJANGO_ALLOWED_HOSTS must list the host names this server answers to")
    try:
        if len(base64.urlsafe_b64decode((settings.FIELD_ENCRYPTION_KEY or "").encode())) != 32:
            raise ValueError
    except (ValueError, binascii.Error):
        problems.append("FIELD_ENCRYPTION_KEY must be 32 random bytes, URL-safe base64 (manage.py generate_master_key)")
    if not settings.MAILERS.get("default"):  # settings.py builds it from EMAIL_URL (with DEBUG on, files)
        # One-time codes, notices about data requests and the DPOs' reminders: never into files on a server.
        problems.append("EMAIL_URL must name the mail server (smtp+tls://user:password@host:587)")
    return problems


@register(deploy=False)
def production_settings_check(app_configs, **kwargs) -> list[Error]:
    return [Error(problem, id="contactcenter.E001") for problem in production_settings_errors()]


def require_production_settings() -> None:
    """Called by the ASGI/WSGI entry points: a server never starts half-configured."""
    problems = production_settings_errors()
    if problems:
        raise ImproperlyConfigured("; ".join(problems))


@register(Tags.security, deploy=True)
def devtools_in_production_check(app_configs, **kwargs) -> list[Warning]:
    """DEVTOOLS=1 with DEBUG off installs the fake Graph API and ``play_customer`` on a production server."""
    from django.apps import apps

    if settings.DEBUG or not apps.is_installed("devtools"):
        return []
    return [
        Warning(
            "The devtools app is installed with DEBUG off (DEVTOOLS=1): its commands can post signed webhooks "
            "in a customer's name, which the consent ledger would record as the customer's own evidence.",
            hint="Unset DEVTOOLS on production servers.",
            id="contactcenter.W001",
        )
    ]


IMMEDIATE_TASKS = "django.tasks.backends.immediate.ImmediateBackend"
DUMMY_TASKS = "django.tasks.backends.dummy.DummyBackend"  # queues and never runs: no code would ever go


@register(Tags.security, deploy=True)
def background_work_check(app_configs, **kwargs) -> list[Error]:
    """With DEBUG off, tasks run in a worker, never inside the request that queues them.

    In-process, the self-service page would send a known number's one-time code before it answers, and so take
    longer for a customer than for a stranger: its timing would tell anyone who is a customer
    (``retention.services.verification``). Sends to the Graph API and exports would hold requests as well."""
    if settings.DEBUG:
        return []
    backend = settings.TASKS.get("default", {}).get("BACKEND", "")
    if backend not in (IMMEDIATE_TASKS, DUMMY_TASKS):
        return []
    return [
        Error(
            f"TASKS_BACKEND is {backend.rsplit('.', 1)[-1]}: with the in-process ImmediateBackend a one-time code "
            "to a known number would be sent inside the self-service page's request, whose answer then takes "
            "longer for a customer than for a stranger; the DummyBackend never sends anything.",
            hint="Set TASKS_BACKEND=django_tasks_db.DatabaseBackend and run `manage.py db_worker` (README, "
            "Production).",
            id="contactcenter.E002",
        )
    ]


@register(Tags.security, deploy=True)
def public_address_check(app_configs, **kwargs) -> list[Error]:
    """With DEBUG off, the links we send customers (request status, privacy notice) lead to this server over
    HTTPS, not to a developer's loopback default."""
    from urllib.parse import urlsplit

    if settings.DEBUG:
        return []
    import ipaddress

    url = urlsplit(settings.PUBLIC_BASE_URL)
    host = (url.hostname or "").lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
        local = address.is_loopback or address.is_unspecified or address.is_link_local
    except ValueError:
        local = host == "localhost" or host.endswith(".localhost")
    if url.scheme == "https" and host and not local:
        return []
    shown = settings.PUBLIC_BASE_URL or "not set"
    return [
        Error(
            f"PUBLIC_BASE_URL ({shown}) is not this server's public HTTPS address: the links "
            "in messages to customers (their request's page, the privacy notice) would lead nowhere.",
            hint="Set PUBLIC_BASE_URL=https://<the host customers reach>.",
            id="contactcenter.E005",
        )
    ]


# Mail backends that send nothing, or write what they would send (codes, status links) where it stays.
_NOT_SENDING = ("console.EmailBackend", "filebased.EmailBackend", "locmem.EmailBackend", "dummy.EmailBackend")


@register(Tags.security, deploy=True)
def mail_backend_check(app_configs, **kwargs) -> list[Error]:
    if settings.DEBUG:
        return []
    backend = (settings.MAILERS.get("default") or {}).get("BACKEND", "")
    if not backend.endswith(_NOT_SENDING):
        return []
    return [
        Error(
            f"EMAIL_URL selects {backend.rsplit('.', 2)[-2]}: one-time codes and customers' links would be printed, "
            "written to files or dropped instead of sent.",
            hint="Give EMAIL_URL a mail server: smtp+tls://user:password@host:587.",
            id="contactcenter.E003",
        )
    ]


@register()
def trusted_proxies_check(app_configs, **kwargs) -> list[Error]:
    """Each DJANGO_TRUSTED_PROXIES entry is an address or a network (consent.network would fail on the first
    request otherwise)."""
    import ipaddress

    errors = []
    for entry in settings.TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"DJANGO_TRUSTED_PROXIES: {entry!r} is neither an IP address nor a network.",
                    hint="List addresses or networks, comma-separated: 127.0.0.1,10.0.0.0/8,::1",
                    id="contactcenter.E004",
                )
            )
    return errors
