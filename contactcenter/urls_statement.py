"""The generated privacy statements, under ``/privacy/statement/`` (before the notices' ``/privacy/<j>/<lang>/``)."""

from django.urls import path

from contactcenter import views

urlpatterns = [
    path("", views.privacy_statement, name="privacy-statement"),
    path("<int:version>/", views.privacy_statement_version, name="privacy-statement-version"),
]
