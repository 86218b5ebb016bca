from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = "Conversations"

    def ready(self) -> None:
        from conversations.models import WatchTerm
        from conversations.services.sensitive import WATCH_TERMS

        # A DPO's change applies to this process at once, to the others within the cache's 30 s.
        WATCH_TERMS.forget_on_change(WatchTerm, uid="conversations.watch_terms")
