import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contactcenter.settings")
application = get_wsgi_application()

from contactcenter.checks import require_production_settings  # noqa: E402

require_production_settings()
