"""The answer to an access or portability request as a download: the export ZIP, and each time it was fetched.

``RequestExport`` is the subject's export (``retention.services.export.subject_export``) made for one request,
kept in storage as ciphertext under the subject's data key, frame by frame (``retention.services.export_files``):
the file never holds the plaintext, and crypto-shredding the subject makes it unreadable before the erasure
deletes it. It lives ``EXPORT_LIFETIME``: the customer's link ends with it, and the purge removes it (with its
file) once it has ended, whatever the period of the category's rule.

``RequestDownload`` records each download: when, through the customer's link or by which staff member, and a
keyed hash of the address it came from (``consent.crypto.ip_hash``), never the address. It belongs to the
request rather than to the file, so it outlives the export as part of the proof that the request was answered.
"""

import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consent.encrypted import BYTES, Encrypted

EXPORT_LIFETIME = timedelta(days=7)


def link_key_new() -> str:
    # Half of what a link proves (the other: the signature under SECRET_KEY): neither alone makes a link.
    return secrets.token_urlsafe(18)


class RequestExport(models.Model):
    """The export ZIP answering one access or portability request, encrypted under the subject's key."""

    request = models.ForeignKey("retention.SubjectRequest", on_delete=models.CASCADE, related_name="exports")
    # The file's random name and what binds each of its frames to this export (``export_files``).
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to="exports/", max_length=200, editable=False)  # ciphertext, framed:
    data = Encrypted(None, label="retention.requestexport", subject=lambda export: export.request.subject, codec=BYTES)
    size = models.PositiveBigIntegerField(editable=False)  # of the ZIP itself (the plaintext)
    sha256 = models.CharField(max_length=64, editable=False)  # of the ZIP itself (the plaintext)
    link_key = models.CharField(max_length=32, default=link_key_new, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("request export")
        verbose_name_plural = _("request exports")

    def __str__(self) -> str:
        return f"request export #{self.pk}"

    def has_expired(self, *, now: datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class DownloadVia(models.TextChoices):
    LINK = "link", _("Through the customer's download link")
    STAFF = "staff", _("By staff, for the data-protection officer")


class RequestDownload(models.Model):
    """One download of a request's export: when, how, by whom (staff) and a keyed hash of the address."""

    request = models.ForeignKey("retention.SubjectRequest", on_delete=models.CASCADE, related_name="downloads")
    export = models.ForeignKey(
        RequestExport, null=True, blank=True, on_delete=models.SET_NULL, related_name="downloads"
    )  # empty once the export has gone (expired and purged, or erased)
    at = models.DateTimeField(default=timezone.now, editable=False)
    via = models.CharField(max_length=8, choices=DownloadVia.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ip_hash = models.CharField(max_length=64, blank=True, editable=False)  # consent.crypto.ip_hash, never the IP

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("request download")
        verbose_name_plural = _("request downloads")

    def __str__(self) -> str:
        return f"request download #{self.pk}"
