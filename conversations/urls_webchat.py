"""Mounted at ``/webchat/`` by the project's URLconf."""

from django.urls import path

from conversations import webchat_views

app_name = "webchat"

urlpatterns = [
    path("demo/", webchat_views.webchat_demo, name="demo"),
]
