"""The self-service page for data rights, under ``/privacy/`` (before the notices' ``/privacy/<j>/<lang>/``)."""

from django.urls import path

from retention import pages

urlpatterns = [
    path("", pages.privacy_start, name="privacy-start"),
    path("code/", pages.privacy_code, name="privacy-code"),
    path("requests/<str:token>/", pages.privacy_request_status, name="privacy-request-status"),
]
