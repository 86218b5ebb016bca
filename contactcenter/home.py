"""``/``: each visitor on their way. Agents to the inbox, the DPO and other staff to the admin, everyone else
(a customer has no account; staff not signed in yet) to a short page naming the three ways in.

A landing page rather than a redirect to a sign-in form: the customers who type our address (it is in every link
we send them) need the self-service page, and a sign-in form would be a dead end for them.
"""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

# The inbox's own gate (conversations.views) and a duty only the DPO (and the admins) hold.
INBOX_PERMISSION = "conversations.view_conversation"
DPO_PERMISSION = "consent.verify_ledger"


def home_for(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """Where ``user`` works, or ``None`` for the landing page. A DPO is also allowed into the inbox (to read
    conversations), but the admin's dashboard is where their work waits."""
    if not user.is_authenticated:
        return None
    inbox = user.has_perm(INBOX_PERMISSION)
    if user.is_staff and (user.has_perm(DPO_PERMISSION) or not inbox):
        return reverse("admin:index")
    if inbox:
        return reverse("inbox:index")
    return None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    target = home_for(request.user)
    if target:
        return redirect(target)
    context = {
        "inbox_url": reverse("inbox:index"),
        "admin_url": reverse("admin:index"),
        # A company that takes requests elsewhere (SUBJECT_RIGHTS_URL) sends its customers there.
        "privacy_url": settings.SUBJECT_RIGHTS_URL or reverse("privacy-start"),
    }
    return render(request, "home.html", context)


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for ``/favicon.ico`` on pages that name no icon (the privacy notices, error pages)."""
    return redirect(static("contactcenter/favicon.svg"))
