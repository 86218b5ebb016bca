"""ASGI entry point: ``uvicorn contactcenter.asgi:application``.

HTTP goes to Django; WebSockets (the agent inbox, the web-chat widget) go
through ``AllowedHostsOriginValidator(AuthMiddlewareStack(...))``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
django_asgi_app = get_asgi_application()

from contactcenter.checks import require_production_settings  # noqa: E402

require_production_settings()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs the app registry)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from conversations.asgi_webhook import WhatsAppWebhookApp  # noqa: E402
from conversations.routing import websocket_urlpatterns  # noqa: E402
from sensitive import scanner  # noqa: E402, F401  (compiles the detectors at start, not on a webhook)

application = ProtocolTypeRouter(
    {
        # The WhatsApp webhook's POST skips the browser-facing middleware (conversations.asgi_webhook);
        # static files are served outside the middleware chain too.
        "http": WhatsAppWebhookApp(ASGIStaticFilesHandler(django_asgi_app)),
        # Each route checks the Origin header itself (conversations.routing): the web-chat widget may
        # be embedded on the company's other domains, the inbox and the DPO feed only on ours.
        "websocket": AuthMiddlewareStack(URLRouter(websocket_urlpatterns)),
    }
)
