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
