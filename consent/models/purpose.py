from django.core.exceptions import ValidationError
from django.db import models
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

    code = models.SlugField(max_length=64, unique=True, help_text="Stable identifier; never reused.")
    name = models.JSONField(help_text="Name per language: en, de, nl, it, pt-br.")
    description = models.JSONField(help_text="Description per language: en, de, nl, it, pt-br.")
    legal_bases = models.JSONField(default=dict, help_text="Legal basis per jurisdiction.")
    special_category = models.BooleanField(
        default=False, help_text="Processes special-category (GDPR Art. 9) / sensitive (LGPD Art. 11) data."
    )
    special_conditions = models.JSONField(default=dict, blank=True)
    balancing_note = models.TextField(
        blank=True, help_text="Legitimate-interest balancing test: required when that basis is used."
    )
    # GDPR Art. 13(1)(d): where the basis is legitimate interests, the statement names the interests pursued,
    # in words for the customer (the balancing test above is the DPO's working paper, not published).
    legitimate_interest = models.JSONField(
        default=dict, blank=True,
        help_text="The legitimate interest pursued, for the privacy statement, per language: en, de, nl, it, pt-br. "
        "The statement's completeness check asks for it where the basis is legitimate interests.",
    )  # fmt: skip
    is_marketing = models.BooleanField(default=False, help_text="Direct marketing: requires consent everywhere.")
    requires_double_opt_in = models.BooleanField(default=False)
    keywords = models.JSONField(
        default=dict, blank=True, help_text='Extra keywords for this purpose: {"opt_out": [...], "opt_in": [...]}'
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["code"]

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
                errors.setdefault(field, []).append("Must map languages to text.")
                continue
            missing = [lang for lang in LANGUAGES if not str(values.get(lang, "")).strip()]
            if missing:
                errors.setdefault(field, []).append(f"Missing languages: {', '.join(missing)}.")
        bases = self.legal_bases if isinstance(self.legal_bases, dict) else {}
        conditions = self.special_conditions if isinstance(self.special_conditions, dict) else {}
        for code, jurisdiction in JURISDICTIONS.items():
            basis = jurisdiction.basis(bases.get(code, ""))
            if basis is None:
                errors.setdefault("legal_bases", []).append(
                    f"{code}: a legal basis from {jurisdiction.law} is required."
                )
                continue
            if basis.is_legitimate_interest and not self.balancing_note.strip():
                errors.setdefault("balancing_note", []).append(
                    f"{code}: legitimate interest requires a documented balancing test."
                )

            if self.is_marketing and not basis.is_consent:
                errors.setdefault("legal_bases", []).append(f"{code}: direct marketing requires consent.")
            if self.special_category:
                condition = jurisdiction.special_condition(conditions.get(code, ""))
                if condition is None:
                    first = jurisdiction.special_conditions[0].citation
                    errors.setdefault("special_conditions", []).append(
                        f"{code}: special-category data needs a condition ({first} ff.)."
                    )
        unknown = set(bases) - set(JURISDICTIONS)
        if unknown:
            errors.setdefault("legal_bases", []).append(f"Unknown jurisdictions: {', '.join(sorted(unknown))}.")
        keywords = self.keywords if isinstance(self.keywords, dict) else None
        if keywords is None or any(
            intent not in KEYWORD_INTENTS or not isinstance(words, list) or not all(isinstance(w, str) for w in words)
            for intent, words in keywords.items()
        ):
            errors.setdefault("keywords", []).append(f"Map {', '.join(KEYWORD_INTENTS)} to lists of words.")
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
