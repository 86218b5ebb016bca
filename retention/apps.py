from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Retention policies, purges and subject-rights requests (built on the personal-data registry)."""

    name = "retention"
    verbose_name = "Retention and subject rights"
