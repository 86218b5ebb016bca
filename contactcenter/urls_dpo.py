"""The DPO's generated documents outside the admin's model pages, under ``/dpo/`` (staff with the permission)."""

from django.urls import path

from contactcenter import views_dpo

urlpatterns = [
    path("records/", views_dpo.records_page, name="dpo-records"),
    path("records.csv", views_dpo.records_csv, name="dpo-records-csv"),
    path("snippet/", views_dpo.snippet_page, name="dpo-snippet"),
]
