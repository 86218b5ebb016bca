"""The inbox REST API; the project includes it under ``/api/v1/``."""

from django.urls import path

from conversations import api, api_media, api_presence

# Actions on one conversation: /conversations/<id>/<action>/, named api-conversation-<action>.
_ACTIONS = {
    "messages": api.MessageListApi,
    "reply": api.ConversationReplyApi,
    "template": api.ConversationTemplateApi,
    "assign": api.ConversationAssignApi,
    "transfer": api.ConversationTransferApi,
    "status": api.ConversationStatusApi,
    "read": api.ConversationReadApi,
    "notes": api.ConversationNoteApi,
    "draft-check": api.ConversationDraftCheckApi,
    "assignees": api.ConversationAssigneesApi,
}

urlpatterns = [
    path("conversations/", api.ConversationListApi.as_view(), name="api-conversation-list"),
    path("conversations/<int:conversation_id>/", api.ConversationDetailApi.as_view(), name="api-conversation"),
    *(
        path(f"conversations/<int:conversation_id>/{action}/", view.as_view(), name=f"api-conversation-{action}")
        for action, view in _ACTIONS.items()
    ),
    path(
        "conversations/<int:conversation_id>/messages/<int:message_id>/reveal/",
        api.MessageRevealApi.as_view(),
        name="api-message-reveal",
    ),
    *api_media.urlpatterns,  # files: send one (attachments/), download one (attachments/<id>/)
    path("canned-responses/", api.CannedResponseListApi.as_view(), name="api-canned-response-list"),
    path("templates/", api.TemplateListApi.as_view(), name="api-template-list"),
    path("presence/", api_presence.PresenceApi.as_view(), name="api-presence"),
    path("teams/presence/", api_presence.TeamPresenceApi.as_view(), name="api-team-presence"),
]
