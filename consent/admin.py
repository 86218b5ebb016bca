"""The DPO's views of the consent app. Thin: parse, authorise, call a service.

Personal values are shown masked; nothing here decrypts for display beyond
the masked form, and nothing here writes except through ``consent.services``.
"""

import csv
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from consent import selectors, services
from consent.admin_languages import FieldsAddedInInit
from consent.admin_readonly import ReadOnlyAdminMixin
from consent.contacts import contact_index, mask_contact, mask_name, normalize_contact
from consent.encrypted import or_erased
from consent.exceptions import ConsentError, InvalidTransition
from consent.jurisdictions import JURISDICTIONS, LANGUAGES
from consent.ledger import ledger_verify
from consent.models import (
    AccessRecord,
    ConsentEvent,
    ConsentState,
    ContactKind,
    ContactPoint,
    LegalHold,
    PrivacyNotice,
    Purpose,
    RestrictionGround,
    Subject,
)


def _masked_name(subject: Subject) -> str:
    return or_erased(lambda: mask_name(subject.display_name))


def _masked_contact(contact: ContactPoint) -> str:
    return or_erased(lambda: mask_contact(kind=contact.kind, value=contact.value))


class ContactPointInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ContactPoint
    extra = 0
    fields = ["kind", "masked_value", "country", "verified_at", "created_at"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description=_("value"))
    def masked_value(self, obj: ContactPoint) -> str:
        return _masked_contact(obj)


class ConsentStateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ConsentState
    extra = 0
    fields = ["purpose", "status", "changed_at", "notice", "last_event"]
    readonly_fields = fields
    verbose_name_plural = _("current consent")


class LegalHoldInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Holds on the subject: while one stands, nothing of theirs is purged or erased."""

    model = LegalHold
    extra = 0
    fields = ["conversation_id", "until", "placed_at", "placed_by", "released_at"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("legal holds (a standing one stops purge and erasure)")


class SubjectForm(forms.ModelForm):
    restriction_ground = forms.ChoiceField(
        label=_("Restriction of processing"),
        choices=[("", _("Not restricted")), *RestrictionGround.choices],
        required=False,
        help_text=_("While restricted, the customer's messages are stored but nothing is sent to them (GDPR Art. 18)."),
    )
    customer_informed = forms.BooleanField(
        label=_("Customer informed"),
        required=False,
        help_text=_("Lifting a restriction: the customer has been told beforehand (GDPR Art. 18(3))."),
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=True,
        help_text=_("Why this change is made (kept in the subject's history)."),
    )  # fmt: skip

    class Meta:
        model = Subject
        fields = ["jurisdiction", "jurisdiction_overridden", "language"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["restriction_ground"].initial = self.instance.restriction

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.restriction and not cleaned.get("restriction_ground"):
            # The service's rule, checked here too so that a refusal is a form error, not a failed save.
            try:
                services.restriction_lift_check(customer_informed=bool(cleaned.get("customer_informed")))
            except InvalidTransition:
                # The service's words are a developer's, in English; the same rule in the DPO's language.
                self.add_error(
                    "customer_informed",
                    _("The customer must be informed before the restriction is lifted (GDPR Art. 18(3))."),
                )
        return cleaned


@admin.register(Subject)
class SubjectAdmin(SimpleHistoryAdmin):
    form = SubjectForm
    list_display = [
        "id", "public_id", "masked_name", "contacts", "jurisdiction", "language", "restriction", "created_at"
    ]  # fmt: skip
    list_filter = ["jurisdiction", "language", "jurisdiction_overridden", "restriction"]
    search_fields = ["public_id"]
    search_help_text = _("Exact phone number (international format), e-mail address or public id.")
    readonly_fields = ["public_id", "masked_name", "country", "restricted_at", "created_at", "consent_history_link"]
    inlines = [ContactPointInline, ConsentStateInline, LegalHoldInline]
    actions = ["export_consent_history"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # subjects come from the channels, never typed in

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # erasure is a subject-rights workflow, with its own evidence

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).prefetch_related("contact_points")

    def get_search_results(self, request: HttpRequest, queryset, search_term: str):
        # Contact values are ciphertext: search by their blind index, exact match only.
        term = search_term.strip()
        for kind in (ContactKind.WHATSAPP, ContactKind.EMAIL):
            try:
                normalized = normalize_contact(kind=kind, value=term)
            except ConsentError:
                continue
            index = contact_index(kind=normalized.kind, value=normalized.value)
            return queryset.filter(contact_points__kind=kind, contact_points__value_index=index), False
        try:
            return super().get_search_results(request, queryset, term)
        except ValidationError:
            return queryset.none(), False

    @admin.display(description=_("name"))
    def masked_name(self, obj: Subject) -> str:
        return _masked_name(obj)

    @admin.display(description=_("contact points"))
    def contacts(self, obj: Subject) -> str:
        return ", ".join(_masked_contact(c) for c in obj.contact_points.all())

    @admin.display(description=_("consent history"))
    def consent_history_link(self, obj: Subject) -> str:
        url = reverse("admin:consent_subject_consent_csv", args=[obj.pk])
        ledger = reverse("admin:consent_consentevent_changelist") + f"?subject__public_id__exact={obj.public_id}"
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>', ledger, _("ledger events"), url, _("download CSV")
        )

    def save_model(self, request: HttpRequest, obj: Subject, form: SubjectForm, change: bool) -> None:
        reason = form.cleaned_data["reason"]
        stored = Subject.objects.get(pk=obj.pk)
        if (obj.jurisdiction, obj.jurisdiction_overridden) != (stored.jurisdiction, stored.jurisdiction_overridden):
            services.subject_set_jurisdiction(
                subject=stored,
                jurisdiction=obj.jurisdiction if obj.jurisdiction_overridden else None,
                actor=request.user,
                reason=reason,
            )
        if obj.language != stored.language:
            services.subject_update(subject=stored, language=obj.language, actor=request.user, reason=reason)
        ground = form.cleaned_data["restriction_ground"]
        if ground and ground != stored.restriction:
            services.subject_restrict(subject=stored, ground=ground, actor=request.user, reason=reason)
        elif not ground and stored.restriction:
            informed = form.cleaned_data["customer_informed"]
            services.subject_restriction_lift(
                subject=stored, actor=request.user, reason=reason, customer_informed=informed
            )

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path(
                "<int:subject_id>/consent.csv",
                self.admin_site.admin_view(self.consent_csv_view),
                name="consent_subject_consent_csv",
            )
        ]
        return custom + urls

    def consent_csv_view(self, request: HttpRequest, subject_id: int) -> HttpResponse:
        if not request.user.has_perm("consent.export_consent_history"):
            return HttpResponse(status=403)
        subject = get_object_or_404(Subject, pk=subject_id)
        return _consent_csv([subject])

    @admin.action(description=_("Export consent history (CSV)"), permissions=["export"])
    def export_consent_history(self, request: HttpRequest, queryset) -> HttpResponse:
        return _consent_csv(list(queryset.order_by("pk")))

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("consent.export_consent_history")


def _consent_csv(subjects: list[Subject]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"consent-history-subject-{subjects[0].pk}.csv" if len(subjects) == 1 else "consent-history.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        ["subject_public_id", "seq", "timestamp_utc", "purpose", "action", "channel", "notice", "notice_sha256",
         "evidence", "actor_id", "event_sha256", "previous_sha256"]
    )  # fmt: skip
    for subject in subjects:
        for event in selectors.consent_history(subject=subject):
            writer.writerow(
                [
                    subject.public_id,
                    event.seq,
                    event.created_at.isoformat(),
                    event.purpose.code,
                    event.action,
                    event.channel,
                    str(event.notice) if event.notice else "",
                    event.notice.content_hash if event.notice else "",
                    "; ".join(f"{k}={v}" for k, v in sorted(event.evidence.items())),
                    event.actor_id or "",
                    event.hash,
                    event.prev_hash,
                ]
            )
    return response


@admin.register(ContactPoint)
class ContactPointAdmin(ReadOnlyAdminMixin, SimpleHistoryAdmin):
    list_display = ["id", "subject", "kind", "masked_value", "country", "created_at"]
    list_filter = ["kind", "country"]
    fields = ["subject", "kind", "masked_value", "country", "verified_at", "created_at"]
    readonly_fields = fields

    @admin.display(description=_("value"))
    def masked_value(self, obj: ContactPoint) -> str:
        return _masked_contact(obj)


class PurposeForm(forms.ModelForm):
    """Edits the per-language and per-jurisdiction JSON as ordinary fields, built from the tables."""

    class Meta:
        model = Purpose
        fields = [
            "code",
            "special_category",
            "is_marketing",
            "requires_double_opt_in",
            "balancing_note",
            "keywords",
            "active",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        for lang in LANGUAGES:
            # The language named in the reader's language ("Deutsch", "German", "Duits" …).
            language = {"language": get_language_info(lang)["name_translated"]}
            self.fields[f"name_{lang}"] = forms.CharField(
                label=_("Name (%(language)s)") % language, max_length=200, initial=(instance.name or {}).get(lang, "")
            )
            self.fields[f"description_{lang}"] = forms.CharField(
                label=_("Description (%(language)s)") % language,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=(instance.description or {}).get(lang, ""),
            )
            self.fields[f"interest_{lang}"] = forms.CharField(
                label=_("Legitimate interest pursued (%(language)s)") % language,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Only with legitimate interests as the basis: published in the privacy statement."),
                initial=(instance.legitimate_interest or {}).get(lang, ""),
            )
        for code, jurisdiction in JURISDICTIONS.items():
            self.fields[f"basis_{code}"] = forms.ChoiceField(
                label=_("Legal basis (%(jurisdiction)s)") % {"jurisdiction": code},
                choices=[("", "---------")] + [(b.code, f"{b.citation} — {b.label}") for b in jurisdiction.bases],
                initial=(instance.legal_bases or {}).get(code, ""),
            )
            self.fields[f"special_{code}"] = forms.ChoiceField(
                label=_("Special-category condition (%(jurisdiction)s)") % {"jurisdiction": code},
                required=False,
                choices=[("", "---------")]
                + [(b.code, f"{b.citation} — {b.label}") for b in jurisdiction.special_conditions],
                initial=(instance.special_conditions or {}).get(code, ""),
            )
        if instance.pk:
            # The code is referenced by the ledger and by configuration; it never changes.
            self.fields["code"].disabled = True

    def clean(self) -> dict:
        data = super().clean()
        self.instance.name = {lang: data.get(f"name_{lang}", "") for lang in LANGUAGES}
        self.instance.description = {lang: data.get(f"description_{lang}", "") for lang in LANGUAGES}
        self.instance.legitimate_interest = {
            lang: value for lang in LANGUAGES if (value := data.get(f"interest_{lang}", "").strip())
        }
        self.instance.legal_bases = {code: data.get(f"basis_{code}", "") for code in JURISDICTIONS}
        self.instance.special_conditions = {
            code: value for code in JURISDICTIONS if (value := data.get(f"special_{code}"))
        }
        return data

    def add_error(self, field: str | None, error) -> None:
        # Model-level errors name the JSON fields the form shows as several inputs.
        if field is None and hasattr(error, "error_dict"):
            remapped: dict[str, list] = {}
            for key, errors in error.error_dict.items():
                remapped.setdefault(key if key in self.fields else NON_FIELD_ERRORS, []).extend(errors)
            error = ValidationError(remapped)
        super().add_error(field, error)


@admin.register(Purpose)
class PurposeAdmin(FieldsAddedInInit, SimpleHistoryAdmin):
    form = PurposeForm
    fieldsets = [
        (None, {"fields": ["code", *(f"name_{lang}" for lang in LANGUAGES),
                           *(f"description_{lang}" for lang in LANGUAGES), "active"]}),
        (_("Legal basis"), {"fields": [*(f"basis_{code}" for code in JURISDICTIONS), "balancing_note",
                                       *(f"interest_{lang}" for lang in LANGUAGES)]}),
        (_("Special categories, marketing and keywords"), {"fields": [
            "special_category", *(f"special_{code}" for code in JURISDICTIONS), "is_marketing",
            "requires_double_opt_in", "keywords",
        ]}),
    ]  # fmt: skip
    list_display = [
        "code",
        "english_name",
        "bases",
        "is_marketing",
        "requires_double_opt_in",
        "special_category",
        "active",
    ]
    list_filter = ["is_marketing", "requires_double_opt_in", "special_category", "active"]
    search_fields = ["code"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # the ledger refers to purposes; deactivate instead

    @admin.display(description=_("name"))
    def english_name(self, obj: Purpose) -> str:
        return obj.localized("name", "en")

    @admin.display(description=_("legal bases"))
    def bases(self, obj: Purpose) -> str:
        labels = []
        for code, jurisdiction in JURISDICTIONS.items():
            basis = jurisdiction.basis(obj.legal_bases.get(code, ""))
            labels.append(basis.citation if basis else f"{code}: —")
        return "; ".join(labels)

    def save_model(self, request: HttpRequest, obj: Purpose, form: PurposeForm, change: bool) -> None:
        if change:
            services.purpose_update(purpose=obj, actor=request.user)
            return
        created = services.purpose_create(
            code=obj.code, name=obj.name, description=obj.description, legal_bases=obj.legal_bases,
            special_category=obj.special_category, special_conditions=obj.special_conditions,
            balancing_note=obj.balancing_note, legitimate_interest=obj.legitimate_interest,
            is_marketing=obj.is_marketing,
            requires_double_opt_in=obj.requires_double_opt_in, keywords=obj.keywords, actor=request.user,
        )  # fmt: skip
        obj.pk = created.pk


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "title", "jurisdiction", "language", "version", "published_at", "short_hash"]
    list_filter = ["jurisdiction", "language", ("published_at", admin.EmptyFieldListFilter)]
    fields = ["jurisdiction", "language", "title", "text", "version", "content_hash", "published_at"]
    actions = ["publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: PrivacyNotice | None = None) -> list[str]:
        if obj is not None and obj.is_published:
            return self.fields
        if obj is not None:
            return ["jurisdiction", "language", "version", "content_hash", "published_at"]
        return ["version", "content_hash", "published_at"]

    def has_delete_permission(self, request: HttpRequest, obj: PrivacyNotice | None = None) -> bool:
        return obj is not None and not obj.is_published and super().has_delete_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: PrivacyNotice | None = None) -> bool:
        # A published notice is evidence: viewable, never editable.
        return not (obj is not None and obj.is_published) and super().has_change_permission(request, obj)

    @admin.display(description="SHA-256")
    def short_hash(self, obj: PrivacyNotice) -> str:
        return obj.content_hash[:12]

    def save_model(self, request: HttpRequest, obj: PrivacyNotice, form: forms.ModelForm, change: bool) -> None:
        if change:
            services.notice_update(notice=obj, title=obj.title, text=obj.text, actor=request.user)
            return
        created = services.notice_create(
            language=obj.language, jurisdiction=obj.jurisdiction, title=obj.title, text=obj.text, actor=request.user
        )
        obj.pk, obj.version, obj.content_hash = created.pk, created.version, created.content_hash

    def delete_model(self, request: HttpRequest, obj: PrivacyNotice) -> None:
        services.notice_delete(notice=obj, actor=request.user)

    @admin.action(description=_("Publish (freezes the text for good)"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset) -> None:
        for notice in queryset:
            services.notice_publish(notice=notice, actor=request.user)
        messages.success(request, _("Published %(count)s notice(s).") % {"count": queryset.count()})


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "seq",
        "created_at",
        "subject_ref",
        "purpose",
        "action",
        "channel",
        "notice",
        "actor_ref",
        "short_hash",
    ]
    list_filter = ["purpose", "action", "channel", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["=subject__public_id"]
    date_hierarchy = "created_at"
    list_select_related = ["purpose", "notice"]
    actions = ["verify_ledger"]
    change_list_template = "admin/consent/consentevent/change_list.html"
    readonly_fields = [
        "seq", "subject_ref", "purpose", "action", "channel", "evidence", "notice", "actor_ref",
        "created_at", "prev_hash", "hash",
    ]  # fmt: skip
    fields = readonly_fields

    @admin.display(description=_("subject"))
    def subject_ref(self, obj: ConsentEvent) -> str:
        return str(obj.subject_id)

    @admin.display(description=_("hash"))
    def short_hash(self, obj: ConsentEvent) -> str:
        return obj.hash[:12]

    @admin.display(description=_("recorded by (user id)"))
    def actor_ref(self, obj: ConsentEvent) -> str:
        # The id, not the user: the ledger outlives staff accounts (no database constraint).
        return str(obj.actor_id) if obj.actor_id else "-"

    def has_verify_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("consent.verify_ledger")

    @admin.action(description=_("Verify the whole ledger's hash chain"), permissions=["verify"])
    def verify_ledger(self, request: HttpRequest, queryset=None) -> None:
        report = ledger_verify()
        if report.intact:
            messages.success(request, _("Ledger intact: %(count)s events verified.") % {"count": report.checked})
        else:
            problem = report.problem
            # The reason is the verifier's technical finding (which hash differs), kept as it reports it.
            messages.error(
                request,
                _("Ledger broken at event #%(seq)s: %(reason)s (%(count)s events verified before it).")
                % {"seq": problem.seq, "reason": problem.reason, "count": report.checked},
            )

    def get_urls(self):
        custom = [path("verify/", self.admin_site.admin_view(self.verify_view), name="consent_consentevent_verify")]
        return custom + super().get_urls()

    def verify_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or not self.has_verify_permission(request):
            return HttpResponse(status=403 if request.method == "POST" else 405)
        self.verify_ledger(request)
        return redirect("admin:consent_consentevent_changelist")


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The staff access log: read-only for everyone (append-only in the model too)."""

    # The stated reason may name the customer (it is encrypted for that): on a record's page, not in the list.
    list_display = ["created_at", "actor_username", "action", "object_ref", "subject_public_id"]
    list_filter = ["action"]
    search_fields = ["actor_username", "object_ref", "=subject_public_id"]
    readonly_fields = [*list_display, "stated_reason"]
    fields = readonly_fields
    ordering = ["-created_at", "-id"]

    @admin.display(description=_("reason"))
    def stated_reason(self, obj: AccessRecord) -> str:
        return or_erased(lambda: obj.reason)


class LegalHoldForm(forms.ModelForm):
    subject_public_id = forms.UUIDField(label=_("Subject (public id)"))
    reason_text = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why the data must be kept (the case, the authority's order); encrypted."),
    )  # fmt: skip
    release = forms.BooleanField(label=_("Release the hold"), required=False)

    class Meta:
        model = LegalHold
        fields = ["conversation_id", "until"]

    def clean_subject_public_id(self) -> Subject | None:
        if self.cleaned_data.get("subject_public_id") is None:
            return None  # a hold's own page: its subject is fixed
        subject = selectors.subject_get(public_id=str(self.cleaned_data["subject_public_id"]))
        if subject is None:
            raise ValidationError(_("No subject has this public id."))
        return subject


@admin.register(LegalHold)
class LegalHoldAdmin(SimpleHistoryAdmin):
    """Legal holds: placed and released through the services, with who and why; never deleted by hand."""

    form = LegalHoldForm
    list_display = ["id", "subject_ref", "conversation_id", "until", "placed_at", "placed_by", "released_at"]
    list_filter = [("released_at", admin.EmptyFieldListFilter)]

    @admin.display(description=_("subject"), ordering="subject_id")
    def subject_ref(self, obj: LegalHold) -> str:
        return str(obj.subject_id)

    def get_fields(self, request: HttpRequest, obj: LegalHold | None = None) -> list[str]:
        if obj is None:
            return ["subject_public_id", "conversation_id", "until", "reason_text"]
        return ["conversation_id", "until", "placed_at", "placed_by", "released_at", "release", "reason_text"]

    def get_readonly_fields(self, request: HttpRequest, obj: LegalHold | None = None) -> list[str]:
        return [] if obj is None else ["conversation_id", "until", "placed_at", "placed_by", "released_at"]

    def get_form(self, request: HttpRequest, obj: LegalHold | None = None, **kwargs: Any):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.base_fields["subject_public_id"].required = False
        return form

    def has_delete_permission(self, request: HttpRequest, obj: LegalHold | None = None) -> bool:
        return False  # released, not deleted: the retention rule removes released holds in time

    def save_model(self, request: HttpRequest, obj: LegalHold, form: LegalHoldForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            placed = services.legal_hold_place(
                subject=data["subject_public_id"], conversation_id=data.get("conversation_id"),
                until=data.get("until"), reason=data["reason_text"], actor=request.user,
            )  # fmt: skip
            obj.pk = placed.pk
        elif data.get("release"):
            services.legal_hold_release(hold=obj, actor=request.user, reason=data["reason_text"])
