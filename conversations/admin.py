from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from conversations.models import Team, TeamMembership


class TeamMembershipInline(admin.TabularInline):
    model = TeamMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "slug", "auto_assign", "member_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [TeamMembershipInline]

    @admin.display(description="members")
    def member_count(self, obj: Team) -> int:
        return obj.memberships.count()
