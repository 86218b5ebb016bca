from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from consent.encrypted import or_erased
from consent.exceptions import DomainError
from conversations import services
from conversations.models import AlertStatus, SensitiveAlert, Team, TeamMembership, WatchTerm


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "auto_assign", "sensitive_policy", "member_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamMembershipInline]

    @admin.display(description="members")
    def member_count(self, obj: Team) -> int:
        return obj.memberships.count()


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
    list_select_related = ["conversation__subject__data_key", "handled_by"]
    readonly_fields = ["created_at", "severity", "label", "masked_excerpt", "open_conversation", "message_id",
                       "watch_term", "status", "handled_by", "handled_at"]  # fmt: skip
    fields = readonly_fields
    actions = ["acknowledge", "dismiss"]
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SensitiveAlert | None = None) -> bool:
        return False

    @admin.display(description="excerpt (masked)")
    def masked_excerpt(self, obj: SensitiveAlert) -> str:
        return or_erased(lambda: obj.excerpt)

    @admin.display(description="conversation")
    def open_conversation(self, obj: SensitiveAlert) -> str:
        url = reverse("inbox:conversation", args=[obj.conversation_id])
        return format_html('<a href="{}">conversation #{}</a>', url, obj.conversation_id)

    def _move(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        moved = refused = 0
        for alert in queryset:
            try:
                services.alert_set_status(alert=alert, status=status, actor=request.user)
                moved += 1
            except DomainError:
                refused += 1
        note = f"; {refused} could not be (already handled)" if refused else ""
        self.message_user(request, f"{moved} alert(s) marked {status}{note}")

    @admin.action(description="Acknowledge selected alerts", permissions=["change"])
    def acknowledge(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, AlertStatus.ACKNOWLEDGED)

    @admin.action(description="Dismiss selected alerts", permissions=["change"])
    def dismiss(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._move(request, queryset, AlertStatus.DISMISSED)
