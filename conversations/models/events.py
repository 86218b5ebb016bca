from django.db import models
from django.utils.translation import gettext_lazy as _


class ConversationEvent(models.Model):
    """The real-time outbox: every event a client may see, written with the change it describes.

    Ids increase monotonically; a reconnecting client sends the last id it saw
    and is replayed what followed from here. ``team``/``agent``/``conversation``
    say who may see it (the same groups it was published to). ``data`` holds
    ids and states only: message text is read (and decrypted) from the message
    when the event is rendered.
    """

    kind = models.CharField(max_length=40)
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, on_delete=models.CASCADE, related_name="events"
    )
    message = models.ForeignKey("conversations.Message", null=True, on_delete=models.CASCADE, related_name="+")
    team_id = models.BigIntegerField(null=True, db_index=True)
    agent_id = models.BigIntegerField(null=True, db_index=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("real-time event")
        verbose_name_plural = _("real-time events")

    def __str__(self) -> str:
        return f"event #{self.pk} {self.kind}"
