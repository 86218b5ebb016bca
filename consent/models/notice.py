import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.exceptions import ImmutableRecord
from consent.jurisdictions import JURISDICTION_CHOICES, LANGUAGE_CHOICES


def notice_content_hash(*, title: str, text: str, document: str = "") -> str:
    """SHA-256 of what the reader was shown. A generated statement's HTML document is part of it; a notice
    without one hashes as it always did (title and text), so older ledger entries still verify."""
    shown = f"{title}\n\n{text}" if not document else f"{title}\n\n{text}\n\n{document}"
    return hashlib.sha256(shown.encode()).hexdigest()


class PrivacyNotice(models.Model):
    """A version of the privacy notice shown to subjects. Frozen once published.

    The consent ledger records which version a subject saw; the content hash
    proves the exact text later.
    """

    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=8, choices=JURISDICTION_CHOICES)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    # A statement generated from the privacy programme (``contactcenter.statements``): the complete HTML page,
    # served byte for byte as published, and the facts it was generated from (what the preview compares and
    # what tells which purposes changed since a customer consented). Empty for a hand-written notice.
    document = models.TextField(_("published page"), blank=True, editable=False)
    sources = models.JSONField(_("generated from"), default=dict, blank=True, editable=False)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, editable=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices and statements")
        ordering = ["jurisdiction", "language", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["language", "jurisdiction", "version"], name="notice_unique_version")
        ]
        indexes = [models.Index(fields=["language", "jurisdiction", "published_at"])]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.language} v{self.version}"

    @property
    def is_generated(self) -> bool:
        return bool(self.document)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("published_at", flat=True).first()
            if stored is not None:
                raise ImmutableRecord(f"privacy notice #{self.pk} is published and cannot change")
        self.content_hash = notice_content_hash(title=self.title, text=self.text, document=self.document)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_published:
            raise ImmutableRecord(f"privacy notice #{self.pk} is published and cannot be deleted")
        return super().delete(*args, **kwargs)
