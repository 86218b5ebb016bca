from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from conversations.models import WatchTerm
        from conversations.services.sensitive import WATCH_TERMS

        # A DPO's change applies to this process at once, to the others within the cache's 30 s.
        WATCH_TERMS.forget_on_change(WatchTerm, uid="conversations.watch_terms")
