from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from consent.models import Purpose
        from consent.selectors import marketing_keywords_forget

        post_save.connect(marketing_keywords_forget, sender=Purpose, dispatch_uid="consent.keywords_forget")
        post_delete.connect(marketing_keywords_forget, sender=Purpose, dispatch_uid="consent.keywords_forget_delete")
