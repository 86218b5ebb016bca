"""Run the fake Graph API so the WhatsApp loop works without a Meta account (development only): messages, the
files agents send (uploads), the customers' media, signed status webhooks.

manage.py fake_graph_api --port 8099 --webhook "$PUBLIC_BASE_URL/webhooks/whatsapp/" (`make run` passes its HOST:PORT)
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from devtools.fakegraph import FakeGraphAPI, RecordedUpload


class Command(BaseCommand):
    help = "Serve a fake WhatsApp Cloud (Graph) API on 127.0.0.1 that posts signed status webhooks back."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8099)
        parser.add_argument("--webhook", default="", help="the app's webhook URL for status callbacks")
        parser.add_argument("--status-delay", type=float, default=0.3, help="seconds between sent/delivered/read")
        parser.add_argument("--no-statuses", action="store_true", help="do not post status webhooks")

    def handle(self, *args: Any, **options: Any) -> None:
        delay = options["status_delay"]

        def code_sent(to: str, code: str) -> None:
            # What the customer's phone would show: the one-time code of the self-service page (only here, in
            # development, is a code ever printed; the number is left out).
            self.stdout.write(f"one-time code {code} sent by WhatsApp (authentication template)")

        def file_uploaded(upload: RecordedUpload) -> None:
            # Type and size only: what an agent sends is the customer's business, even in development.
            self.stdout.write(f"file uploaded: {upload.mime_type}, {len(upload.data)} bytes (id {upload.media_id})")

        fake = FakeGraphAPI(
            access_token=settings.WHATSAPP_ACCESS_TOKEN,
            phone_number_id=settings.WHATSAPP_PHONE_NUMBER_ID or None,
            port=options["port"],
            webhook_url=options["webhook"] or None,
            app_secret=settings.WHATSAPP_APP_SECRET or None,
            status_delays=(delay, delay, delay),
            auto_statuses=() if options["no_statuses"] else ("sent", "delivered", "read"),
            authentication_templates=tuple(
                name for name, spec in settings.WHATSAPP_TEMPLATES.items() if spec.get("category") == "AUTHENTICATION"
            ),
            on_code=code_sent,
            on_upload=file_uploaded,
        )
        self.stdout.write(
            f"Fake Graph API on http://127.0.0.1:{options['port']} "
            f"(phone number id {settings.WHATSAPP_PHONE_NUMBER_ID}); status webhooks "
            + (f"to {options['webhook']}" if options["webhook"] and not options["no_statuses"] else "off")
            + ". Ctrl-C to stop."
        )
        try:
            fake.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write("stopped")
