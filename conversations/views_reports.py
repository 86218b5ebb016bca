"""The supervisor reports page (``/inbox/reports/``): per team and day, what came in, what was resolved and how
fast, and who of the team is available now. Thin: check who may see which teams, read, render.

A team's supervisors see their teams, holders of ``view_all_conversations`` every team, anyone else 403. The page
holds no personal data: team names, counts, durations, and the agents' usernames in the availability panel.
"""

from datetime import date, datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from conversations import reports, supervision
from conversations.views import LOGIN_URL


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _range(request: HttpRequest) -> tuple[date, date, str]:
    """(first, last, error): the days asked for, or the default range and why the request was refused."""
    first, last = reports.default_range()
    asked_first, asked_last = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    if not asked_first and not asked_last:
        return first, last, ""
    parsed_first = _date(asked_first) if asked_first else first
    parsed_last = _date(asked_last) if asked_last else last
    if parsed_first is None or parsed_last is None:
        return first, last, _("Enter the dates as YYYY-MM-DD.")
    if parsed_first > parsed_last:
        return first, last, _("The first day must not be after the last day.")
    if (parsed_last - parsed_first).days + 1 > reports.MAX_DAYS:
        return first, last, _("Choose at most %(days)s days.") % {"days": number_format(reports.MAX_DAYS)}
    return parsed_first, parsed_last, ""


def _day_row(figures: reports.DayFigures) -> dict[str, Any]:
    return {
        "day": figures.day,
        "label": date_format(figures.day, "SHORT_DATE_FORMAT"),
        "opened": number_format(figures.opened, force_grouping=True),
        "resolved": number_format(figures.resolved, force_grouping=True),
        "first_response": reports.duration_words(figures.median_first_response),
        "resolution": reports.duration_words(figures.median_resolution),
    }


def _team_block(report: reports.TeamReport, *, first: date, last: date) -> dict[str, Any]:
    return {
        "id": report.team_id,
        "name": report.name,
        "chart": reports.chart_for(report),
        "rows": [_day_row(d) for d in report.days],
        "total": {
            "opened": number_format(report.opened, force_grouping=True),
            "resolved": number_format(report.resolved, force_grouping=True),
            "first_response": reports.duration_words(report.median_first_response),
            "resolution": reports.duration_words(report.median_resolution),
        },
        "summary": _("%(team)s from %(first)s to %(last)s: %(opened)s opened, %(resolved)s resolved.")
        % {
            "team": report.name,
            "first": date_format(first, "SHORT_DATE_FORMAT"),
            "last": date_format(last, "SHORT_DATE_FORMAT"),
            "opened": number_format(report.opened, force_grouping=True),
            "resolved": number_format(report.resolved, force_grouping=True),
        },
    }


@login_required(login_url=LOGIN_URL)
def inbox_reports(request: HttpRequest) -> HttpResponse:
    teams = supervision.supervised_teams(user=request.user)
    if not teams:
        raise PermissionDenied
    first, last, error = _range(request)
    availability = supervision.team_presence_list(teams=teams)
    for team in availability:
        for member in team["members"]:
            member["since_at"] = datetime.fromisoformat(member["since"]) if member["since"] else None
    # Dates and moments on the page in the controller's time zone, the one the days are counted in.
    with timezone.override(reports.report_zone()):
        context = {
            "teams": [
                _team_block(report, first=first, last=last)
                for report in reports.team_reports(teams=teams, first=first, last=last)
            ],
            "first": first,
            "last": last,
            "today": reports.default_range()[1],
            "error": error,
            "time_zone": reports.report_zone().key,
            "availability": availability,
            "presence_api": reverse("api-team-presence"),
        }
        return render(request, "inbox/reports.html", context, status=400 if error else 200)
