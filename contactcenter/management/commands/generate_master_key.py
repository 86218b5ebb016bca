from django.core.management.base import BaseCommand

from consent.crypto import generate_master_key


class Command(BaseCommand):
    help = "Print a new random master encryption key (32 bytes, URL-safe base64) for FIELD_ENCRYPTION_KEY."
    # It must work before the environment is complete: it makes part of it.
    requires_system_checks: list[str] = []

    def handle(self, *args, **options) -> None:
        self.stdout.write(generate_master_key())
