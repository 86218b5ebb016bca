from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from consent.encrypted import or_erased
from consent.exceptions import DomainError
from conversations import services
from conversations.models import AlertStatus, SensitiveAlert, Team, TeamMembership, WatchTerm


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


class TeamForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason"), max_length=200, required=False,
        help_text=_("Why this change is made (kept in the team's history). Required to change the sensitive-data "
                    "policy."),
    )  # fmt: skip

    class Meta:
        model = Team
        fields = [*services.TEAM_FIELDS, "sensitive_policy"]

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


@admin.register(SensitiveAlert)
class SensitiveAlertAdmin(admin.ModelAdmin):
    """The DPO's queue. Excerpts are masked and decrypted for display only; nothing here is editable
    but the status, which moves through ``services.alert_set_status`` (actions)."""

    change_list_template = "admin/conversations/sensitivealert/change_list.html"
    list_display = ["created_at", "severity", "label", "masked_excerpt", "open_conversation", "status", "handled_by"]
    list_filter = ["status", "severity", "conversation__team"]
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
