from django.core.management.base import BaseCommand

from consent.services import consent_expire_pending


class Command(BaseCommand):
    help = "Close double opt-in requests not confirmed in time (idempotent; safe to run from cron)."

    def handle(self, *args, **options) -> None:
        expired = consent_expire_pending()
        self.stdout.write(f"expired {expired} pending request(s)")
