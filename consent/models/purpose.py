from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consent.jurisdictions import JURISDICTIONS, LANGUAGES

KEYWORD_INTENTS = ("opt_out", "opt_in", "confirm")


class Purpose(models.Model):
    """A processing purpose with its legal basis in every jurisdiction we serve.

    ``legal_bases`` maps a jurisdiction code to a basis code from
    ``consent.jurisdictions``; ``special_conditions`` likewise for
    special-category data. Validation reads the jurisdiction tables, so a
    purpose is complete for every regime or cannot be saved.
    """

    code = models.SlugField(_("code"), max_length=64, unique=True, help_text=_("Stable identifier; never reused."))
    name = models.JSONField(_("name"), help_text=_("Name per language: en, de, nl, it, pt-br."))
    description = models.JSONField(_("description"), help_text=_("Description per language: en, de, nl, it, pt-br."))
    legal_bases = models.JSONField(_("legal bases"), default=dict, help_text=_("Legal basis per jurisdiction."))
    special_category = models.BooleanField(
        _("special-category data"), default=False,
        help_text=_("Processes special-category (GDPR Art. 9) / sensitive (LGPD Art. 11) data."),
    )  # fmt: skip
    special_conditions = models.JSONField(_("special-category conditions"), default=dict, blank=True)
    balancing_note = models.TextField(
        _("balancing test"), blank=True,
        help_text=_("Legitimate-interest balancing test: required when that basis is used."),
    )  # fmt: skip
    # GDPR Art. 13(1)(d): where the basis is legitimate interests, the statement names the interests pursued,
    # in words for the customer (the balancing test above is the DPO's working paper, not published).
    legitimate_interest = models.JSONField(
        _("legitimate interest pursued"), default=dict, blank=True,
        help_text=_("The legitimate interest pursued, for the privacy statement, per language: en, de, nl, it, "
                    "pt-br. The statement's completeness check asks for it where the basis is legitimate interests."),
    )  # fmt: skip
    is_marketing = models.BooleanField(
        _("direct marketing"), default=False, help_text=_("Direct marketing: requires consent everywhere.")
    )
    requires_double_opt_in = models.BooleanField(_("requires double opt-in"), default=False)
    keywords = models.JSONField(
        _("keywords"), default=dict, blank=True,
        help_text=_('Extra keywords for this purpose: {"opt_out": [...], "opt_in": [...]}'),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["code"]
        verbose_name = _("processing purpose")
        verbose_name_plural = _("processing purposes")

    def __str__(self) -> str:
        return self.code

    def localized(self, field: str, language: str) -> str:
        values = getattr(self, field) or {}
        return values.get(language) or values.get("en", "")

    def basis_for(self, jurisdiction: str) -> str:
        return self.legal_bases.get(jurisdiction, "")

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        for field in ("name", "description"):
            values = getattr(self, field)
            if not isinstance(values, dict):
                errors.setdefault(field, []).append(_("Must map languages to text."))
                continue
            missing = [lang for lang in LANGUAGES if not str(values.get(lang, "")).strip()]
            if missing:
                errors.setdefault(field, []).append(
                    _("Missing languages: %(missing)s.") % {"missing": ", ".join(missing)}
                )
        bases = self.legal_bases if isinstance(self.legal_bases, dict) else {}
        conditions = self.special_conditions if isinstance(self.special_conditions, dict) else {}
        for code, jurisdiction in JURISDICTIONS.items():
            basis = jurisdiction.basis(bases.get(code, ""))
            if basis is None:
                errors.setdefault("legal_bases", []).append(
                    _("%(jurisdiction)s: a legal basis from %(law)s is required.")
                    % {"jurisdiction": code, "law": jurisdiction.law}
                )
                continue
            if basis.is_legitimate_interest and not self.balancing_note.strip():
                errors.setdefault("balancing_note", []).append(
                    _("%(jurisdiction)s: legitimate interest requires a documented balancing test.")
                    % {"jurisdiction": code}
                )

            if self.is_marketing and not basis.is_consent:
                errors.setdefault("legal_bases", []).append(
                    _("%(jurisdiction)s: direct marketing requires consent.") % {"jurisdiction": code}
                )
            if self.special_category:
                condition = jurisdiction.special_condition(conditions.get(code, ""))
                if condition is None:
                    first = jurisdiction.special_conditions[0].citation
                    errors.setdefault("special_conditions", []).append(
                        _("%(jurisdiction)s: special-category data needs a condition (%(first)s ff.).")
                        % {"jurisdiction": code, "first": first}
                    )
        unknown = set(bases) - set(JURISDICTIONS)
        if unknown:
            errors.setdefault("legal_bases", []).append(
                _("Unknown jurisdictions: %(unknown)s.") % {"unknown": ", ".join(sorted(unknown))}
            )
        keywords = self.keywords if isinstance(self.keywords, dict) else None
        if keywords is None or any(
            intent not in KEYWORD_INTENTS or not isinstance(words, list) or not all(isinstance(w, str) for w in words)
            for intent, words in keywords.items()
        ):
            errors.setdefault("keywords", []).append(
                _("Map %(intents)s to lists of words.") % {"intents": ", ".join(KEYWORD_INTENTS)}
            )
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs) -> None:
        # The rule holds for every writer (admin, services, shell), not only forms.
        self.full_clean(validate_unique=False, validate_constraints=False)
        super().save(*args, **kwargs)

    @property
    def needs_consent(self) -> bool:
        return any(
            (b := JURISDICTIONS[code].basis(basis)) is not None and b.is_consent
            for code, basis in self.legal_bases.items()
            if code in JURISDICTIONS
        )
