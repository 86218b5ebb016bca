from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from simple_history.admin import SimpleHistoryAdmin

from consent.encrypted import or_erased
from consent.exceptions import DomainError
from conversations import services
from conversations.models import ALERT_TRANSITIONS, AlertStatus, SensitiveAlert, Team, TeamMembership, WatchTerm


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


def team_language_choices() -> list[tuple[str, Any]]:
    """The five languages, named in the admin's language (Django's own catalogue: "German", "Deutsch", …)."""
    return [(code, get_language_info(code)["name_translated"]) for code, _name in settings.LANGUAGES]


class TeamForm(forms.ModelForm):
    # Stored as a JSON list of codes (Team.languages), picked here from the languages we serve.
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=team_language_choices, widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Customer languages this team serves first: new conversations in them come to this team."),
    )  # fmt: skip
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False,
        help_text=_("Why this change is made (kept in the team's history). Required to change the sensitive-data "
                    "policy."),
    )  # fmt: skip

    class Meta:
        model = Team
        fields = [*services.TEAM_FIELDS, "sensitive_policy"]

    def clean_languages(self) -> list[str]:
        # The order of settings.LANGUAGES whatever the order ticked: a re-save with the same boxes changes nothing.
        picked = set(self.cleaned_data.get("languages") or [])
        return [code for code, _name in settings.LANGUAGES if code in picked]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk and "sensitive_policy" in self.changed_data and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Say why the sensitive-data policy changes: the DPO will ask."))
        return cleaned


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    """Every change goes through the team services, with who and why: the form only collects it."""

    form = TeamForm
    list_display = ["name", "slug", "auto_assign", "sensitive_policy", "member_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamMembershipInline]

    @admin.display(description=_("members"))
    def member_count(self, obj: Team) -> int:
        return obj.memberships.count()

    def save_model(self, request: HttpRequest, obj: Team, form: TeamForm, change: bool) -> None:
        data, reason = form.cleaned_data, form.cleaned_data.get("reason", "")
        if not change:
            created = services.team_create(**{f: data[f] for f in services.TEAM_FIELDS}, actor=request.user)
            if data["sensitive_policy"] != created.sensitive_policy:
                services.team_set_sensitive_policy(
                    team=created, policy=data["sensitive_policy"], actor=request.user,
                    reason=reason or "chosen when the team was created",
                )  # fmt: skip
            obj.pk = created.pk
            return
        changes = {f: data[f] for f in services.TEAM_FIELDS if f in form.changed_data}
        if changes:
            services.team_update(team=obj, actor=request.user, reason=reason, **changes)
        if "sensitive_policy" in form.changed_data:
            services.team_set_sensitive_policy(
                team=obj, policy=data["sensitive_policy"], actor=request.user, reason=reason
            )

    def save_formset(self, request: HttpRequest, form: TeamForm, formset: Any, change: bool) -> None:
        team = form.instance
        # What the admin's change message lists (a formset's own save would have set these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for row in formset.forms:
            if not row.has_changed() and row not in formset.deleted_forms:
                continue
            previous = row.instance.user if row.instance.pk else None
            if row in formset.deleted_forms or (previous is not None and "user" in row.changed_data):
                if previous is not None:
                    services.team_member_remove(team=team, user=previous, actor=request.user)
                    formset.deleted_objects.append(row.instance)
                if row in formset.deleted_forms:
                    continue
            membership = services.team_member_add(
                team=team, user=row.cleaned_data["user"], role=row.cleaned_data["role"], actor=request.user
            )
            if previous is None or "user" in row.changed_data:
                formset.new_objects.append(membership)
            else:
                formset.changed_objects.append((membership, row.changed_data))

    def delete_model(self, request: HttpRequest, obj: Team) -> None:
        services.team_delete(team=obj, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for team in queryset:
            services.team_delete(team=team, actor=request.user)


@admin.register(WatchTerm)
class WatchTermAdmin(SimpleHistoryAdmin):
    list_display = ["value", "kind", "team", "severity", "direction", "active", "created_at"]
    list_filter = ["kind", "severity", "direction", "active", "team"]
    search_fields = ["value"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: WatchTerm, form: Any, change: bool) -> None:
        services.watch_term_save(term=obj, actor=request.user, reason="changed in the admin" if change else "")

    def has_delete_permission(self, request: HttpRequest, obj: WatchTerm | None = None) -> bool:
        return False  # alerts point at their term: switch it off with "active" instead


class AlertStatusFilter(admin.SimpleListFilter):
    """The queue opens on the open alerts (``SensitiveAlertAdmin.changelist_view`` adds the filter when none is
    given); "all" is a choice of its own, since no filter at all means "open". ``status__exact`` is the
    parameter the dashboard's links use."""

    title = _("status")
    parameter_name = "status__exact"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [*AlertStatus.choices, (self.ALL, _("All alerts"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in AlertStatus.values:
            return queryset.filter(status=self.value())
        return queryset

    def choices(self, changelist: Any) -> Iterator[dict[str, Any]]:
        # Django's, without its "All" entry (the empty filter): the counts when facets are shown.
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else {}
        for i, (lookup, title) in enumerate(self.lookup_choices):
            if changelist.add_facets:
                title = f"{title} ({counts.get(f'{i}__c', '-')})"
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


# What the buttons on an alert's own page offer, in this order, where ALERT_TRANSITIONS allows it.
ALERT_MOVES = [(AlertStatus.ACKNOWLEDGED, _("Acknowledge")), (AlertStatus.DISMISSED, _("Dismiss"))]


@admin.register(SensitiveAlert)
class SensitiveAlertAdmin(admin.ModelAdmin):
    """The DPO's queue. Excerpts are masked and decrypted for display only; nothing here is editable
    but the status, which moves through ``services.alert_set_status`` (the list's actions, and the buttons on an
    alert's own page)."""

    change_list_template = "admin/conversations/sensitivealert/change_list.html"
    change_form_template = "admin/conversations/sensitivealert/change_form.html"
    list_display = ["created_at", "severity", "label", "masked_excerpt", "open_conversation", "status", "handled_by"]
    list_filter = [AlertStatusFilter, "severity", "conversation__team"]
    show_facets = admin.ShowFacets.ALWAYS
    list_select_related = ["subject__data_key", "handled_by"]
    readonly_fields = ["created_at", "severity", "label", "masked_excerpt", "open_conversation", "message_ref",
                       "watch_term", "status", "handled_by", "handled_at"]  # fmt: skip
    fields = readonly_fields
    actions = ["acknowledge", "dismiss"]
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SensitiveAlert | None = None) -> bool:
        return False

    def _url_name(self, view: str) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_{view}"

    def get_urls(self) -> list[Any]:
        status = path(
            "<path:object_id>/status/", self.admin_site.admin_view(self.status_view), name=self._url_name("status")
        )
        return [status, *super().get_urls()]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        parameter = AlertStatusFilter.parameter_name
        if request.method == "GET" and request.GET.get(parameter) not in [*AlertStatus.values, AlertStatusFilter.ALL]:
            # No status chosen (or a made-up one): the queue is the open alerts; the filter says so and offers all.
            query = request.GET.copy()
            query[parameter] = AlertStatus.OPEN
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        extra_context = {
            **(extra_context or {}),
            "open_alert_count": self.get_queryset(request).filter(status=AlertStatus.OPEN).count(),
        }
        return super().changelist_view(request, extra_context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        alert = self.get_object(request, object_id)
        moves = []
        if alert is not None and self.has_change_permission(request, alert):
            allowed = ALERT_TRANSITIONS.get(alert.status, frozenset())
            moves = [{"status": status.value, "label": label} for status, label in ALERT_MOVES if status in allowed]
        extra_context = {
            **(extra_context or {}),
            "alert_moves": moves,
            # Every field is read-only: the buttons above are the only change, so no "Save".
            "show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False,
            "show_delete": False,
        }  # fmt: skip
        if alert is not None:
            extra_context["alert_status_url"] = reverse(
                f"{self.admin_site.name}:{self._url_name('status')}", args=[alert.pk]
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @method_decorator(require_POST)
    def status_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Acknowledge or dismiss one alert from its own page, through the same service as the list's actions."""
        alert = self.get_object(request, object_id)
        if alert is None:
            raise Http404("no such alert")
        if not self.has_change_permission(request, alert):
            raise PermissionDenied
        status = request.POST.get("status", "")
        if status not in dict(ALERT_MOVES):
            return HttpResponseBadRequest(_("Choose to acknowledge or to dismiss the alert."))
        label = AlertStatus(status).label
        try:
            services.alert_set_status(alert=alert, status=status, actor=request.user)
        except DomainError:
            alert.refresh_from_db(fields=["status"])
            current = AlertStatus(alert.status).label
            self.message_user(
                request,
                _("This alert can no longer be marked “%(status)s”: it is “%(current)s” now.")
                % {"status": label, "current": current},
                messages.WARNING,
            )
            return HttpResponseRedirect(self._change_url(request, alert))
        self.message_user(request, _("Alert marked “%(status)s”.") % {"status": label}, messages.SUCCESS)
        changelist = reverse(f"{self.admin_site.name}:{self._url_name('changelist')}")
        return HttpResponseRedirect(self._with_filters(request, changelist))

    def _with_filters(self, request: HttpRequest, url: str) -> str:
        return add_preserved_filters({"preserved_filters": self.get_preserved_filters(request), "opts": self.opts}, url)

    def _change_url(self, request: HttpRequest, alert: SensitiveAlert) -> str:
        url = reverse(f"{self.admin_site.name}:{self._url_name('change')}", args=[alert.pk])
        return self._with_filters(request, url)

    @admin.display(description=_("excerpt (masked)"))
    def masked_excerpt(self, obj: SensitiveAlert) -> str:
        return or_erased(lambda: obj.excerpt)

    @admin.display(description=_("message"))
    def message_ref(self, obj: SensitiveAlert) -> str:
        return str(obj.message_id) if obj.message_id else _("(purged)")

    @admin.display(description=_("conversation"))
    def open_conversation(self, obj: SensitiveAlert) -> str:
        if obj.conversation_id is None:
            return _("(purged)")
        url = reverse("inbox:conversation", args=[obj.conversation_id])
        label = _("conversation #%(number)s") % {"number": obj.conversation_id}
        return format_html('<a href="{}">{}</a>', url, label)

    def _move(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        moved = refused = 0
        for alert in queryset:
            try:
                services.alert_set_status(alert=alert, status=status, actor=request.user)
                moved += 1
            except DomainError:
                refused += 1
        values = {"count": moved, "status": AlertStatus(status).label, "refused": refused}
        if refused:
            text = _("%(count)s alert(s) marked “%(status)s”; %(refused)s could not be (already handled)") % values
        else:
            text = _("%(count)s alert(s) marked “%(status)s”") % values
        self.message_user(request, text)

    @admin.action(description=_("Acknowledge selected alerts"), permissions=["change"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, AlertStatus.ACKNOWLEDGED)

    @admin.action(description=_("Dismiss selected alerts"), permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, AlertStatus.DISMISSED)
