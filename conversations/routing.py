from django.urls import path

from conversations.consumers.agent import AgentInboxConsumer
from conversations.consumers.dpo import DpoAlertConsumer
from conversations.consumers.webchat import WebchatConsumer

websocket_urlpatterns = [
    path("ws/agent/", AgentInboxConsumer.as_asgi()),
    path("ws/webchat/", WebchatConsumer.as_asgi()),
    path("ws/dpo/", DpoAlertConsumer.as_asgi()),
]
