import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent import crypto
from consent.encrypted import Encrypted
from consent.exceptions import KeyDestroyed
from consent.jurisdictions import JURISDICTION_CHOICES, LANGUAGE_CHOICES
from consent.models.vault import DataKey


class RestrictionGround(models.TextChoices):
    """Why processing of a subject's data is restricted (GDPR Art. 18(1); LGPD Art. 18 IV "bloqueio")."""

    ACCURACY = "accuracy", _("Accuracy contested, being verified (GDPR Art. 18(1)(a))")
    UNLAWFUL = (
        "unlawful",
        _("Unlawful processing; restriction asked instead of erasure (Art. 18(1)(b); LGPD Art. 18 IV)"),
    )
    LEGAL_CLAIMS = "legal_claims", _("No longer needed, kept for the customer's legal claims (Art. 18(1)(c))")
    OBJECTION = "objection", _("Objection pending verification (Art. 18(1)(d), Art. 21)")


class Subject(models.Model):
    """A data subject: the customer. Personal fields are ciphertext under the subject's own key.

    A restricted subject's data is only stored (GDPR Art. 18(2)): nothing is sent to them, by an agent, a
    template or an automatic reply, until a DPO lifts the restriction after telling them (Art. 18(3)).
    """

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO country derived from the phone number.")
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=8, choices=JURISDICTION_CHOICES)
    jurisdiction_overridden = models.BooleanField(
        _("jurisdiction set by staff"), default=False, help_text=_("Set by staff; otherwise derived from the country.")
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    display_name_enc = models.BinaryField(null=True, blank=True, editable=False)
    display_name = Encrypted("display_name_enc", label="subject.display_name", subject=lambda subject: subject)
    restriction = models.CharField(
        _("restriction of processing"), max_length=16, choices=RestrictionGround.choices, blank=True,
        editable=False,
        help_text=_("Set and lifted by a DPO (subject_restrict, subject_restriction_lift); empty: not restricted."),
    )  # fmt: skip
    restricted_at = models.DateTimeField(_("restricted at"), null=True, blank=True, editable=False)
    # When the person last wrote to us (to the day: ``subject_contact_seen``), kept here because their
    # conversations go long before what it counts for (consent evidence: three years after the last contact).
    last_contact_at = models.DateTimeField(_("last contact at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "last_contact_at"])

    class Meta:
        verbose_name = _("data subject")
        verbose_name_plural = _("data subjects")
        permissions = [("view_subject_plaintext", _("Can see subjects' unmasked personal data"))]

    def __str__(self) -> str:
        # Never the name: __str__ ends up in logs, admin breadcrumbs and errors.
        return f"Subject #{self.pk}"

    @property
    def restricted(self) -> bool:
        return bool(self.restriction)

    def unwrapped_key(self) -> bytes:
        """The subject's unwrapped data key, for its encrypted fields (``consent.encrypted``).

        Cached on this instance only, never process-wide: a key destroyed by one server process is gone for
        every other one at its next query. Raises ``KeyDestroyed`` once the subject is erased."""
        cached = getattr(self, "_data_key_cache", None)
        if cached is not None:
            return cached
        loaded = self._state.fields_cache.get("data_key")  # fetched with select_related("data_key")
        if loaded is not None:
            stored = (loaded.wrapped_key, loaded.master_key_id)
        else:
            stored = DataKey.objects.filter(subject_id=self.pk).values_list("wrapped_key", "master_key_id").first()
        if stored is None:
            raise KeyDestroyed(f"subject #{self.pk} has no data key (erased)")
        data_key = crypto.unwrap_data_key(bytes(stored[0]), subject_ref=str(self.public_id), key_id=stored[1])
        self._data_key_cache = data_key
        return data_key


class ContactKind(models.TextChoices):
    """How we reach a subject; each kind's values are normalised and unique."""

    WHATSAPP = "whatsapp", "WhatsApp"
    WEBCHAT = "webchat", _("Web chat")
    EMAIL = "email", _("E-mail")


class ContactPoint(models.Model):
    """How we reach a subject. The value is ciphertext; ``value_index`` (a blind index) finds it."""

    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="contact_points", verbose_name=_("subject")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    value_enc = models.BinaryField(editable=False)
    # Bound to the kind too: a phone number's ciphertext does not pass for an e-mail address.
    value = Encrypted("value_enc", label=lambda contact: f"contactpoint.{contact.kind}", subject=lambda c: c.subject)
    value_index = models.CharField(max_length=64, editable=False)
    country = models.CharField(_("country"), max_length=2, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [models.UniqueConstraint(fields=["kind", "value_index"], name="contactpoint_unique_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} contact #{self.pk}"
