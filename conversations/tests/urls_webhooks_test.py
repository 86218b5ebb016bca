"""The webhook URLs under ``/webhooks/``, as the project mounts them, for tests that use ``@pytest.mark.urls``."""

from django.urls import include, path

urlpatterns = [path("webhooks/", include("conversations.urls_webhooks"))]
