from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consent ledger")

    def ready(self) -> None:
        from consent.models import Purpose
        from consent.selectors import MARKETING_KEYWORDS

        MARKETING_KEYWORDS.forget_on_change(Purpose, uid="consent.marketing_keywords")
