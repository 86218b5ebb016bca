"""The DPO's privacy programme in the admin: the controller and its contacts, the processors and recipients with
their transfers, the supervisory authorities; and the breach register, recorded and edited with history, never
deleted, its deadlines counted down, with a draft notification per authority (``contactcenter.breaches``)."""

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from consent.admin_languages import language_fields, language_initial
from consent.deadlines import deadline_zone
from consent.declarations import CATEGORY_NAMES
from consent.jurisdictions import JURISDICTIONS, LANGUAGE_CHOICES
from contactcenter import admin_statements
from contactcenter.breaches import (
    BreachDeadline,
    breach_clean,
    breach_deadlines,
    breach_next,
    breach_notification_draft,
    remaining,
)
from contactcenter.models import Breach, Controller, Recipient, SupervisoryAuthority

# Whether the user of the request being drawn may export drafts (a display method sees the object only).
_MAY_EXPORT: ContextVar[bool] = ContextVar("may_export_breach_notification", default=False)

_STATE_COLOURS = {"overdue": "#b00020", "late": "#a15c00", "open": "#0b57d0", "done": "#1e7b34", "not_required": "#555"}
_STATE_NAMES = {
    "overdue": _("overdue"), "late": _("done late"), "open": _("open"), "done": _("done"),
    "not_required": _("not required"),
}  # fmt: skip


def breach_countdown(owed: BreachDeadline | None, now: datetime | None = None) -> str:
    """The next deadline of a breach counted down, coloured by its state (the register's list, the dashboard)."""
    if owed is None:
        return str(_("nothing owed"))
    if owed.due is None:
        return format_html("{} ({}): {}", owed.name, owed.jurisdiction, _("without undue delay"))
    colour = _STATE_COLOURS[owed.state(now)]
    return format_html('<span style="color:{};font-weight:600">{} ({}): {}</span>', colour, owed.name,
                       owed.jurisdiction, remaining(owed.due, now))  # fmt: skip


class BreachForm(forms.ModelForm):
    jurisdictions = forms.MultipleChoiceField(
        label=_("jurisdictions"), widget=forms.CheckboxSelectMultiple,
        choices=[(code, code) for code in sorted(JURISDICTIONS)],
        help_text=_("The regimes of the people concerned (GDPR, LGPD): each has its own deadlines."),
    )  # fmt: skip
    data_categories = forms.MultipleChoiceField(
        label=_("categories of data concerned"), widget=forms.CheckboxSelectMultiple, required=False,
        choices=[(str(code), name) for code, name in CATEGORY_NAMES.items()],
    )  # fmt: skip

    class Meta:
        model = Breach
        exclude: list[str] = []

    def _post_clean(self) -> None:
        super()._post_clean()  # the model's clean, on the instance as the form changed it
        if not self.errors:
            try:
                breach_clean(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


@admin.register(Breach)
class BreachAdmin(SimpleHistoryAdmin):
    form = BreachForm
    list_display = ["reference", "title", "aware_at", "jurisdiction_list", "risk", "next_deadline", "closed_at"]
    list_filter = ["risk", ("closed_at", admin.EmptyFieldListFilter)]
    search_fields = ["title"]
    readonly_fields = ["reference", "deadlines", "drafts", "created_at", "created_by"]
    fieldsets = [
        (None, {"fields": ["reference", "title", "jurisdictions", "small_agent", "aware_at", "occurred_from",
                           "occurred_until", "deadlines"]}),
        (_("What it is (GDPR Art. 33(3))"), {"fields": ["nature", "subject_categories", "subjects_count",
                                                       "data_categories", "records_count", "contact",
                                                       "consequences", "measures", "risk", "risk_reason"]}),
        (_("For the ANPD (Resolution CD/ANPD 15/2024, Art. 6)"), {"fields": ["cause", "prior_measures",
                                                                           "children_count", "elderly_count"]}),
        (_("The authority"), {"fields": ["authority_notified_at", "authority_reference", "notification_complete",
                                         "supplement_sent_at", "delay_reasons", "drafts"]}),
        (_("The people concerned (GDPR Art. 34)"), {"fields": ["subjects_decision", "subjects_decision_reason",
                                                              "subjects_informed_at"]}),
        (None, {"fields": ["closed_at", "created_at", "created_by"]}),
    ]  # fmt: skip

    @admin.display(description=_("reference"))
    def reference(self, obj: Breach) -> str:
        return obj.reference

    @admin.display(description=_("jurisdictions"))
    def jurisdiction_list(self, obj: Breach) -> str:
        return ", ".join(obj.jurisdictions)

    @admin.display(description=_("next deadline"))
    def next_deadline(self, obj: Breach) -> str:
        if obj.closed_at is not None:
            return "-"
        return breach_countdown(breach_next(obj))

    @admin.display(description=_("deadlines"))
    def deadlines(self, obj: Breach) -> str:
        if obj.pk is None:
            return str(_("Counted once the breach is recorded."))
        rows = []
        for item in breach_deadlines(obj):
            zone = deadline_zone(item.jurisdiction)
            due = (
                formats.date_format(timezone.localtime(item.due, zone), "DATETIME_FORMAT")
                if item.due
                else _("without undue delay")
            )
            state = item.state()
            left = remaining(item.due) if item.due and state in ("open", "overdue") else ""
            rows.append((item.jurisdiction, item.name, due, zone.key, _STATE_COLOURS[state], _STATE_NAMES[state], left))
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "", '<tr><td>{}</td><td>{}</td><td>{} ({})</td><td style="color:{}">{} {}</td></tr>', rows
            ),
        )

    @admin.display(description=_("draft notifications"))
    def drafts(self, obj: Breach) -> str:
        if obj.pk is None or not _MAY_EXPORT.get():
            return "-"
        links = [(reverse("admin:contactcenter_breach_draft", args=[obj.pk, code]), code) for code in obj.jurisdictions]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    # Times typed and shown in the controller's time zone (the DPO's), not the server's UTC: "10:00" is 10:00
    # in Berlin, and the 72 hours run from there.
    def changeform_view(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        _MAY_EXPORT.set(request.user.has_perm("contactcenter.export_breach_notification"))
        with timezone.override(settings.CONTROLLER_TIME_ZONE):
            response = super().changeform_view(request, *args, **kwargs)
            if hasattr(response, "render"):
                response.render()
            return response

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        with timezone.override(settings.CONTROLLER_TIME_ZONE):
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response

    def get_urls(self):
        draft = path("<int:pk>/notification/<str:jurisdiction>/", self.admin_site.admin_view(self.draft_view),
                     name="contactcenter_breach_draft")  # fmt: skip
        return [draft, *super().get_urls()]

    def draft_view(self, request: HttpRequest, pk: int, jurisdiction: str) -> HttpResponse:
        breach = Breach.objects.filter(pk=pk).first()
        if (breach is None or jurisdiction not in breach.jurisdictions
                or not request.user.has_perm("contactcenter.export_breach_notification")):  # fmt: skip
            raise Http404
        text = breach_notification_draft(breach, jurisdiction=jurisdiction, language=translation.get_language())
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{breach.reference}-{jurisdiction}.txt"'
        response["Cache-Control"] = "no-store"
        return response

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        controller = Controller.current()
        if controller is not None:  # the programme's contact, which the DPO may change for this breach
            initial.setdefault("contact", f"{controller.dpo_name}, {controller.dpo_email}")
        return initial

    def save_model(self, request: HttpRequest, obj: Breach, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request: HttpRequest, obj: Breach | None = None) -> bool:
        return False  # the register is kept at least five years (Resolution CD/ANPD 15/2024, Art. 10)


@admin.register(Controller)
class ControllerAdmin(SimpleHistoryAdmin):
    """The controller and its contacts: one record, edited with history, never deleted."""

    fieldsets = [
        (None, {"fields": ["name", "address", "email", "phone", "website", "eu_representative"]}),
        (_("Data-protection officer and encarregado"), {"fields": ["dpo_name", "dpo_email", "dpo_phone",
                                                                   "encarregado_name", "encarregado_email"]}),
        (_("Contact on WhatsApp"), {"fields": ["whatsapp_number", "business_hours", "response_hours"]}),
    ]  # fmt: skip

    def get_urls(self) -> list:
        # The privacy statement is generated from this programme: its page lives here.
        statement = path(
            "statement/", self.admin_site.admin_view(admin_statements.statement_page),
            name="contactcenter_controller_statement",
        )  # fmt: skip
        return [statement, *super().get_urls()]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Controller.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Controller | None = None) -> bool:
        return False


class RecipientForm(forms.ModelForm):
    """What a recipient does, one field per language (the statement shows it in each), and what it receives."""

    data_categories = forms.MultipleChoiceField(
        label=_("categories of data they receive"), widget=forms.CheckboxSelectMultiple, required=False,
        choices=[(str(code), name) for code, name in CATEGORY_NAMES.items()],
        help_text=_("The records of processing and the privacy statement list them."),
    )  # fmt: skip

    class Meta:
        model = Recipient
        fields = ["name", "role", "data_categories", "country", "transfer_mechanism", "lgpd_transfer_mechanism",
                  "transfer_note",
                  "last_reviewed", "active"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language_initial(self, "service", self.instance.service)

    def _post_clean(self) -> None:
        self.instance.service = {
            code: value for code, _name in LANGUAGE_CHOICES if (value := self.cleaned_data.get(f"service_{code}", ""))
        }
        super()._post_clean()


language_fields(
    RecipientForm, "service",
    lambda code, name: forms.CharField(
        label=format_lazy("{} ({})", _("what they do for us"), name), max_length=300, required=code == "en",
        help_text=_("E.g. “delivers our WhatsApp messages”.") if code == "en" else "",
    ),
)  # fmt: skip


@admin.register(Recipient)
class RecipientAdmin(SimpleHistoryAdmin):
    form = RecipientForm
    list_display = ["name", "role", "country", "transfer_mechanism", "last_reviewed", "active"]
    list_filter = ["role", "transfer_mechanism", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request: HttpRequest, obj: Recipient | None = None) -> bool:
        return False  # the statements of earlier versions name it: mark it no longer in use instead


@admin.register(SupervisoryAuthority)
class SupervisoryAuthorityAdmin(SimpleHistoryAdmin):
    list_display = ["jurisdiction", "name", "website"]

    def has_delete_permission(self, request: HttpRequest, obj: SupervisoryAuthority | None = None) -> bool:
        return False  # the statements name it; correct it instead
