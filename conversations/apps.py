from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = _("Conversations")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from conversations.languages import copy_on_login
        from conversations.models import WatchTerm
        from conversations.search import subject_saved
        from conversations.services.sensitive import WATCH_TERMS

        # A DPO's change applies to this process at once, to the others within the cache's 30 s.
        WATCH_TERMS.forget_on_change(WatchTerm, uid="conversations.watch_terms")
        # The agent's chosen inbox language follows them into each new session (conversations.languages).
        user_logged_in.connect(copy_on_login, dispatch_uid="conversations.agent_language")
        # A customer's name is searchable under its current value only (conversations.search).
        post_save.connect(subject_saved, sender="consent.Subject", dispatch_uid="conversations.search_names")
