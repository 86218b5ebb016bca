from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Retention rules, purges, exports and erasure, built on the personal-data registry."""

    name = "retention"
    verbose_name = _("Retention and subject rights")

    def ready(self) -> None:
        from retention import checks, registry  # noqa: F401  (checks: registers the deploy checks)

        # Every app's personal_data.py, as the admin discovers admin.py: the deletion concept works from them.
        registry.discover()
