from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = "Consent ledger"

    def ready(self) -> None:
        from consent.models import Purpose
        from consent.selectors import MARKETING_KEYWORDS

        MARKETING_KEYWORDS.forget_on_change(Purpose, uid="consent.marketing_keywords")
