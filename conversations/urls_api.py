"""The inbox REST API; the project includes it under ``/api/v1/``."""

from django.urls import path

from conversations import api

urlpatterns = [
    path("conversations/", api.ConversationListApi.as_view(), name="api-conversation-list"),
    path("conversations/<int:conversation_id>/", api.ConversationDetailApi.as_view(), name="api-conversation"),
    path(
        "conversations/<int:conversation_id>/messages/",
        api.MessageListApi.as_view(),
        name="api-conversation-messages",
    ),
    path(
        "conversations/<int:conversation_id>/reply/", api.ConversationReplyApi.as_view(), name="api-conversation-reply"
    ),
    path(
        "conversations/<int:conversation_id>/template/",
        api.ConversationTemplateApi.as_view(),
        name="api-conversation-template",
    ),
    path(
        "conversations/<int:conversation_id>/assign/",
        api.ConversationAssignApi.as_view(),
        name="api-conversation-assign",
    ),
    path(
        "conversations/<int:conversation_id>/transfer/",
        api.ConversationTransferApi.as_view(),
        name="api-conversation-transfer",
    ),
    path(
        "conversations/<int:conversation_id>/status/",
        api.ConversationStatusApi.as_view(),
        name="api-conversation-status",
    ),
    path("conversations/<int:conversation_id>/read/", api.ConversationReadApi.as_view(), name="api-conversation-read"),
    path(
        "conversations/<int:conversation_id>/notes/", api.ConversationNoteApi.as_view(), name="api-conversation-notes"
    ),
    path(
        "conversations/<int:conversation_id>/messages/<int:message_id>/reveal/",
        api.MessageRevealApi.as_view(),
        name="api-message-reveal",
    ),
    path(
        "conversations/<int:conversation_id>/draft-check/",
        api.ConversationDraftCheckApi.as_view(),
        name="api-conversation-draft-check",
    ),
    path("canned-responses/", api.CannedResponseListApi.as_view(), name="api-canned-response-list"),
    path("templates/", api.TemplateListApi.as_view(), name="api-template-list"),
]
