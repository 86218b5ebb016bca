"""The project's URLs as they will be once the inbox is wired in: for the inbox's own tests."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("inbox/", include("conversations.urls_pages")),
    path("api/v1/", include("conversations.urls_api")),
    path("api/v1/", include("consent.urls")),
]
