from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "conversations"
    verbose_name = "Conversations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from conversations.models import WatchTerm
        from conversations.services.sensitive import watch_terms_forget

        # A DPO's change applies to this process at once, to the others within the cache's 30 s.
        post_save.connect(watch_terms_forget, sender=WatchTerm, dispatch_uid="watch_terms_forget_save")
        post_delete.connect(watch_terms_forget, sender=WatchTerm, dispatch_uid="watch_terms_forget_delete")
