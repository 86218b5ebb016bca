"""The subject-rights REST API; the project includes it under ``/api/v1/``."""

from django.urls import path

from retention import api

urlpatterns = [
    path(
        "conversations/<int:conversation_id>/subject-requests/",
        api.SubjectRequestCreateApi.as_view(),
        name="api-conversation-subject-requests",
    ),
]
