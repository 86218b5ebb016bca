from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchToken(models.Model):
    """One word of a message's text, or of its subject's name, as a keyed hash (``conversations.search``).

    ``digest`` is the truncated HMAC-SHA256 of the normalised word under a key derived from the master key: the
    same word gives the same digest (so a search finds it) but no word can be read back without the key. A text
    token belongs to its message (and goes with it); a name token (no message, no conversation) to its subject,
    replaced whenever the name changes. Both go with an erasure of the subject.
    """

    # Set on a name's tokens only: a message's reach their subject through the message (and go with it), which
    # spares the ingest an index entry per word.
    subject = models.ForeignKey(
        "consent.Subject", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Where a message's word was said, for the search's one index (digest, conversation). No index of its own, no
    # cascade and no database constraint (which would scan the tokens for every deleted conversation): a
    # conversation's tokens are its messages' tokens and go with them (``message``, cascade), before the
    # conversation goes. So the ingest pays one index entry less per word, and a purge never reads the tokens by
    # conversation.
    conversation = models.ForeignKey(
        "conversations.Conversation", null=True, blank=True, on_delete=models.DO_NOTHING, related_name="+",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    message = models.ForeignKey(
        "conversations.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    digest = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("search token")
        verbose_name_plural = _("search tokens")
        constraints = [
            # A word is indexed once per message and once per name: reindexing adds nothing twice.
            models.UniqueConstraint(
                fields=["message", "digest"], condition=models.Q(message__isnull=False), name="search_token_once"
            ),
            models.UniqueConstraint(
                fields=["digest", "subject"], condition=models.Q(message__isnull=True), name="search_name_token_once"
            ),
        ]
        indexes = [
            # The search: which conversations hold a word (an index-only read of the matches, never a scan).
            models.Index(fields=["digest", "conversation"], name="search_token_digest_conv"),
            models.Index(fields=["subject"], condition=models.Q(subject__isnull=False), name="search_token_subject"),
        ]

    def __str__(self) -> str:
        return f"search token #{self.pk}"
