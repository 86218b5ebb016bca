"""The shared admin site: the DPO's home. Its index is the data-protection dashboard (``contactcenter.dashboard``)
above Django's list of apps; each section only for those who may view what it counts."""

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class ContactCenterAdminSite(admin.AdminSite):
    site_header = _("Contact center — privacy and operations")
    site_title = _("Contact center admin")
    index_title = _("Data protection dashboard")

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        # Imported here: the site is built while the apps load, before the models it reads are ready.
        from contactcenter import dashboard
        from contactcenter.admin import breach_countdown

        user, now = request.user, timezone.now()
        sections: dict[str, Any] = {}
        if user.has_perm("retention.view_subjectrequest"):
            sections["requests"] = dashboard.subject_request_due_list(now=now)
        if user.has_perm("conversations.view_sensitivealert"):
            sections["alerts"] = dashboard.alert_open_counts()
        if user.has_perm("consent.view_consentevent"):
            consent = dashboard.consent_week_list(now=now, language=translation.get_language() or "en")
            sections["consent"] = consent
            sections["consent_charts"] = [
                (purpose, dashboard.consent_chart_bars(purpose, consent.weeks, peak=consent.peak))
                for purpose in consent.purposes
            ]
            sections["consent_ticks"] = dashboard.consent_chart_ticks(consent.weeks)
        if user.has_perm("retention.view_purgerun"):
            sections["purge"] = dashboard.purge_run_last()
            sections["purge_shown"] = True
        if user.has_perm("contactcenter.view_breach"):
            sections["breaches"] = [
                (row, breach_countdown(row.deadline, now)) for row in dashboard.breach_open_list(now=now)
            ]
            sections["breaches_shown"] = True
        context = {
            **(extra_context or {}),
            "dashboard": sections,
            "chart": {"width": dashboard.CHART_WIDTH, "height": dashboard.CHART_HEIGHT, "base": dashboard.CHART_BASE},
            "controller_time_zone": settings.CONTROLLER_TIME_ZONE,
        }
        # Moments shown in the controller's time zone (the DPO's), as in the breach register.
        with timezone.override(settings.CONTROLLER_TIME_ZONE):
            response = super().index(request, context)
            response.render()
        return response
