"""DESIGN.md's bare baseline as an ASGI app: a minimal Django view that checks the HMAC, parses the
JSON, inserts one row and publishes one channel-layer message. Served by ``bench/ingest.py --bare``
with the same settings, database pool, Redis layer and uvicorn workers as the real app."""

import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")

import django
from django.conf import settings

django.setup()
settings.ROOT_URLCONF = __name__
if os.environ.get("BENCH_BARE_MIDDLEWARE") == "none":
    # The view alone, without the project's middleware (sessions, auth, CSRF, security headers).
    settings.MIDDLEWARE = []

from asgiref.sync import sync_to_async  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

from conversations.providers.whatsapp.signature import HEADER, signature_valid  # noqa: E402

TABLE = "bench_bare_webhook"


def _insert(body: bytes) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (body) VALUES (%s)", [body.decode()])


@csrf_exempt
async def bare_webhook(request: HttpRequest) -> HttpResponse:
    body = request.body
    if not signature_valid(body, request.headers.get(HEADER), secret=settings.WHATSAPP_APP_SECRET):
        return HttpResponse("invalid signature", status=401)
    payload = json.loads(body)
    await sync_to_async(_insert)(body)
    await get_channel_layer().group_send("bench-bare", {"type": "bench.event", "entries": len(payload["entry"])})
    return HttpResponse("ok")


urlpatterns = [path("webhooks/whatsapp/", bare_webhook)]
application = get_asgi_application()
