import uuid

from django.db import models
from simple_history.models import HistoricalRecords

from consent.jurisdictions import JURISDICTION_CHOICES, LANGUAGE_CHOICES


class Subject(models.Model):
    """A data subject: the customer. Personal fields are ciphertext under the subject's own key."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(max_length=2, blank=True, help_text="ISO country derived from the phone number.")
    jurisdiction = models.CharField(max_length=8, choices=JURISDICTION_CHOICES)
    jurisdiction_overridden = models.BooleanField(
        default=False, help_text="Set by staff; otherwise derived from the country."
    )
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    display_name_enc = models.BinaryField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        permissions = [("view_subject_plaintext", "Can see subjects' unmasked personal data")]

    def __str__(self) -> str:
        # Never the name: __str__ ends up in logs, admin breadcrumbs and errors.
        return f"Subject #{self.pk}"

    @property
    def display_name(self) -> str:
        from consent.vault import field_decrypt

        if not self.display_name_enc:
            return ""
        return field_decrypt(self, bytes(self.display_name_enc), field="subject.display_name")


class ContactKind(models.TextChoices):
    WHATSAPP = "whatsapp", "WhatsApp"
    WEBCHAT = "webchat", "Web chat"
    EMAIL = "email", "E-mail"


class ContactPoint(models.Model):
    """How we reach a subject. The value is ciphertext; ``value_index`` (a blind index) finds it."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    value_enc = models.BinaryField(editable=False)
    value_index = models.CharField(max_length=64, editable=False)
    country = models.CharField(max_length=2, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "value_index"], name="contactpoint_unique_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} contact #{self.pk}"

    @property
    def value(self) -> str:
        from consent.vault import field_decrypt

        return field_decrypt(self.subject, bytes(self.value_enc), field=f"contactpoint.{self.kind}")
