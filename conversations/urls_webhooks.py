"""Provider webhooks; the project includes these at ``/webhooks/``."""

from django.urls import path

from conversations import webhooks

urlpatterns = [
    path("whatsapp/", webhooks.whatsapp_webhook, name="webhook-whatsapp"),
]
