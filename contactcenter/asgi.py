"""ASGI entry point: ``uvicorn contactcenter.asgi:application``.

HTTP goes to Django; the WebSocket routes of the agent inbox join here, behind
``AllowedHostsOriginValidator(AuthMiddlewareStack(...))``, when they exist.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
django_asgi_app = get_asgi_application()

from contactcenter.checks import require_production_settings  # noqa: E402

require_production_settings()

from channels.routing import ProtocolTypeRouter  # noqa: E402  (needs the app registry)

application = ProtocolTypeRouter({"http": django_asgi_app})
