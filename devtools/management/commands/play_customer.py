"""Post a signed inbound WhatsApp message to the app, as Meta would (development only).

manage.py play_customer --from 4915123456789 --name "Demo Kundin" "Hallo, wo ist meine Bestellung?"
"""

from typing import Any

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from consent.public_links import public_url
from devtools.fakegraph import inbound_text_value, post_signed, webhook_envelope


class Command(BaseCommand):
    help = "Send a signed inbound WhatsApp text webhook to the app, playing the customer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("text", help="what the customer writes")
        parser.add_argument(
            "--from", dest="wa_id", required=True, help="the customer's number, digits with country code"
        )
        parser.add_argument("--name", default="Demo Customer", help="the customer's WhatsApp profile name")
        parser.add_argument(
            "--url", default="", help="the app's webhook URL (default: PUBLIC_BASE_URL + /webhooks/whatsapp/)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wa_id = options["wa_id"].lstrip("+").replace(" ", "")
        if not wa_id.isdigit():
            raise CommandError("--from must be a phone number with country code, digits only")
        if not settings.WHATSAPP_APP_SECRET:
            raise CommandError("WHATSAPP_APP_SECRET is not set: the app would refuse an unsigned webhook")
        value = inbound_text_value(
            wa_id=wa_id, name=options["name"], text=options["text"], phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID
        )
        url = options["url"] or public_url("/webhooks/whatsapp/")
        try:
            response = post_signed(url, webhook_envelope(value), app_secret=settings.WHATSAPP_APP_SECRET)
        except httpx.HTTPError as exc:
            raise CommandError(f"could not reach {url}: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise CommandError(f"the app answered {response.status_code}: {response.text[:200]}")
        self.stdout.write(self.style.SUCCESS(f"delivered ({value['messages'][0]['id']})"))
