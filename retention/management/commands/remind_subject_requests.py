"""E-mail the DPOs the subject requests that are overdue or due within 3 days: ``manage.py remind_subject_requests``.

Cron-safe: it reads and sends, it changes nothing, so running it twice (or two at once) only sends the reminder
twice. The mail names requests by reference, kind, state and deadline: no person. Exits 0 with nothing due, and
says so.
"""

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandParser
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from retention.models import SubjectRequest
from retention.models.requests import OPEN_STATES


def _dpos():
    """Who answers subject requests: the active staff allowed to move them (the DPO group's permission)."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    return [u for u in users.filter(is_staff=True) if u.has_perm("retention.change_subjectrequest")]


class Command(BaseCommand):
    help = "E-mail the DPO group the overdue and nearly due subject requests."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=3, help="nearly due: within this many days (default 3)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        due = (
            SubjectRequest.objects.filter(state__in=OPEN_STATES)
            .annotate(effective_due=Coalesce("extended_until", "due_at"))
            .filter(effective_due__lt=now + timedelta(days=options["days"]))
            .order_by("effective_due")
        )
        requests = list(due)
        if not requests:
            self.stdout.write("No subject request is overdue or nearly due.")
            return
        addresses = sorted({user.email for user in _dpos()})
        if not addresses:
            self.stderr.write("No active DPO has an e-mail address: nobody to remind.")
            raise SystemExit(1)
        lines = []
        for request in requests:
            state = _("overdue") if request.deadline < now else _("due soon")
            lines.append(f"{request.reference}  {request.get_kind_display()}  {request.get_state_display()}  "
                         f"{formats.date_format(timezone.localtime(request.deadline), 'SHORT_DATETIME_FORMAT')}  "
                         f"{state}")  # fmt: skip
        overdue = sum(1 for r in requests if r.deadline < now)
        subject = _("Subject requests: %(overdue)s overdue, %(soon)s due soon") % {
            "overdue": overdue, "soon": len(requests) - overdue
        }  # fmt: skip
        send_mail(subject, "\n".join(lines), None, addresses)
        self.stdout.write(f"Reminded {len(addresses)} DPO(s) of {len(requests)} request(s).")
