from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """Development tools: the fake Graph API, ``play_customer``, ``seed_demo`` and the demo shop page.

    Installed only with ``DEBUG`` on or ``DEVTOOLS=1`` (``contactcenter.settings``). Nothing in production
    imports it: with it, anyone who can run a command could post a signed webhook in a customer's name, and a
    forged STOP or YES would enter the consent ledger as that customer's own evidence.
    """

    name = "devtools"
    verbose_name = _("Development tools")
