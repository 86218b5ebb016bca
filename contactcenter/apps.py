from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ContactCenterAdminConfig(AdminConfig):
    """The admin, with our site (the DPO's home) as the default site every app registers on."""

    default_site = "contactcenter.admin_site.ContactCenterAdminSite"


class ContactCenterConfig(AppConfig):
    name = "contactcenter"
    verbose_name = _("Contact center")

    def ready(self) -> None:
        from contactcenter import checks  # noqa: F401  (registers the system checks)
        from contactcenter.roles import roles_sync_after_migrate

        # Migrations of later apps add permissions after our roles migration
        # ran; re-applying the (additive, idempotent) role table picks them up.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="contactcenter.roles_sync")
