"""Mounted at ``/webchat/`` by the project's URLconf when the devtools app is installed."""

from django.urls import path

from devtools import views

app_name = "webchat"

urlpatterns = [
    path("demo/", views.webchat_demo, name="demo"),
]
