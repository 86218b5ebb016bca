"""The retention app's pages: the download of a request's answer, for the customer and for the DPO."""

from django.urls import path

from retention import views

urlpatterns = [
    path("privacy/download/<str:token>/", views.export_download, name="request-export-download"),
    path("dpo/requests/<str:reference>/export/", views.dpo_export_download, name="request-export-dpo"),
]
