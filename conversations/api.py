"""REST API of the agent inbox. Thin: validate shape, check permission and visibility, call a service.

Visibility is the socket's: ``selectors.conversation_get`` decides, and a
conversation the caller may not see answers 404 (not 403), so ids do not leak
which conversations exist. Domain errors (``ConversationError``) answer with
their own ``http_status`` and ``{"error": code, "detail": ...}``.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conversations import selectors, services
from conversations.models import CannedResponse, Conversation, ConversationStatus

VIEW = "conversations.view_conversation"
REPLY = "conversations.add_message"
CHANGE = "conversations.change_conversation"
ADD_NOTE = "conversations.add_note"
VIEW_CANNED = "conversations.view_cannedresponse"


def require_perms(**by_method: str) -> type[BasePermission]:
    """A permission class asking for one Django permission per HTTP method (``get=...``, ``post=...``)."""

    class HasPerm(BasePermission):
        def has_permission(self, request: Request, view: APIView) -> bool:
            perm = by_method.get(request.method.lower(), by_method.get("get", ""))
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    HasPerm.__name__ = "Has_" + "_".join(f"{m}_{p.replace('.', '_')}" for m, p in sorted(by_method.items()))
    return HasPerm


class InboxApi(APIView):
    def conversation(self, conversation_id: int) -> Conversation:
        found = selectors.conversation_get(user=self.request.user, conversation_id=conversation_id)
        if found is None:
            raise Http404
        return found


# --- response shapes (documentation; the selectors' render functions build the bodies) ---------------


class SubjectOut(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField()
    language = serializers.CharField()
    jurisdiction = serializers.CharField()
    restriction = serializers.CharField(
        help_text="Empty, or why processing is restricted (GDPR Art. 18): then nothing can be sent to this customer."
    )
    restriction_label = serializers.CharField()
    contact = serializers.CharField(help_text="Masked contact point.")


class ConversationOut(serializers.Serializer):
    id = serializers.IntegerField()
    channel = serializers.CharField()
    status = serializers.ChoiceField(choices=ConversationStatus.choices)
    team = serializers.IntegerField(allow_null=True)
    team_name = serializers.CharField()
    assigned_agent = serializers.IntegerField(allow_null=True)
    assigned_agent_name = serializers.CharField()
    unread = serializers.IntegerField()
    last_message_at = serializers.DateTimeField(allow_null=True)
    window_closes_at = serializers.DateTimeField(allow_null=True)
    window_open = serializers.BooleanField()
    sensitive = serializers.BooleanField()
    subject = SubjectOut()


class AttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    mime_type = serializers.CharField()
    status = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)


class MessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    conversation = serializers.IntegerField()
    direction = serializers.CharField()
    type = serializers.CharField()
    text = serializers.CharField()
    content = serializers.DictField()
    status = serializers.CharField()
    error_code = serializers.CharField()
    error_title = serializers.CharField()
    author = serializers.IntegerField(allow_null=True)
    template = serializers.CharField()
    created_at = serializers.DateTimeField()
    attachments = AttachmentOut(many=True)


class NoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class CannedResponseOut(serializers.ModelSerializer):
    class Meta:
        model = CannedResponse
        fields = ["id", "team", "shortcut", "language", "title", "body"]


class TemplateOut(serializers.Serializer):
    name = serializers.CharField()
    category = serializers.CharField()
    purpose = serializers.CharField()
    languages = serializers.ListField(child=serializers.CharField())
    preview = serializers.DictField(child=serializers.CharField())


class ErrorOut(serializers.Serializer):
    error = serializers.CharField()
    detail = serializers.CharField()


# --- requests -----------------------------------------------------------------------------------------


class ReplyIn(serializers.Serializer):
    text = serializers.CharField(max_length=4096, trim_whitespace=True)
    confirm_sensitive = serializers.BooleanField(
        default=False,
        help_text="Send a draft that asks for card, account or id numbers or health details after the warning "
        "(409 sensitive_draft). Ignored when such drafts are blocked (422 sensitive_draft_blocked).",
    )


class RevealIn(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why you need the full number; logged.")


class RevealOut(serializers.Serializer):
    text = serializers.CharField()


class DraftCheckIn(serializers.Serializer):
    text = serializers.CharField(max_length=4096, allow_blank=True, trim_whitespace=False)


class DraftCheckOut(serializers.Serializer):
    kinds = serializers.ListField(child=serializers.CharField())
    hint = serializers.CharField()
    blocked = serializers.BooleanField()


class TemplateIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    language = serializers.CharField(max_length=16)
    parameters = serializers.ListField(child=serializers.CharField(max_length=1024), max_length=20, default=list)


class AssignIn(serializers.Serializer):
    agent = serializers.IntegerField(
        allow_null=True, help_text="User id; null puts the conversation back in the queue."
    )


class TransferIn(serializers.Serializer):
    team = serializers.IntegerField()


class StatusIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=ConversationStatus.choices)


class NoteIn(serializers.Serializer):
    body = serializers.CharField(max_length=10000)


_errors = {
    403: OpenApiResponse(ErrorOut, description="Missing permission, or the service refused (not_allowed)"),
    404: OpenApiResponse(description="No such conversation, or not visible to you"),
    409: OpenApiResponse(ErrorOut, description="Not allowed in the current state (window_closed, invalid_transition)"),
}


# --- conversations ------------------------------------------------------------------------------------


class ConversationListApi(ListAPIView):
    permission_classes = [require_perms(get=VIEW)]
    serializer_class = ConversationOut

    def get_queryset(self) -> QuerySet[Conversation]:
        scope = self.request.query_params.get("scope", "all")
        if scope not in ("mine", "team", "unassigned", "all"):
            raise serializers.ValidationError({"scope": "one of mine, team, unassigned, all"})
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in ConversationStatus.values:
            raise serializers.ValidationError({"status": "one of " + ", ".join(ConversationStatus.values)})
        return selectors.conversation_list(user=self.request.user, scope=scope, status=wanted)

    @extend_schema(
        summary="Conversations you may see",
        parameters=[
            OpenApiParameter("scope", str, enum=["mine", "team", "unassigned", "all"], default="all"),
            OpenApiParameter("status", str, enum=ConversationStatus.values, required=False),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([selectors.conversation_render(c) for c in page])


class ConversationDetailApi(InboxApi):
    permission_classes = [require_perms(get=VIEW)]

    @extend_schema(summary="One conversation", responses={200: ConversationOut, 404: _errors[404]})
    def get(self, request: Request, conversation_id: int) -> Response:
        return Response(selectors.conversation_render(self.conversation(conversation_id)))


class MessageListApi(InboxApi):
    permission_classes = [require_perms(get=VIEW)]

    @extend_schema(
        summary="Messages of a conversation, oldest first",
        parameters=[OpenApiParameter("after_id", int, description="Only messages with a larger id.", default=0)],
        responses={200: MessageOut(many=True), 404: _errors[404]},
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        after = serializers.IntegerField(min_value=0).run_validation(request.query_params.get("after_id", 0))
        messages = selectors.message_list(conversation=conversation, after_id=after)
        return Response(selectors.messages_render(conversation, messages))


class ConversationReplyApi(InboxApi):
    permission_classes = [require_perms(post=REPLY)]

    @extend_schema(
        summary="Reply with free text (24-hour window)", request=ReplyIn, responses={201: MessageOut, **_errors}
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = ReplyIn(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_reply(
            conversation=conversation,
            actor=request.user,
            text=data.validated_data["text"],
            confirm_sensitive=data.validated_data["confirm_sensitive"],
        )
        return Response(selectors.messages_render(conversation, [message])[0], status=status.HTTP_201_CREATED)


class MessageRevealApi(InboxApi):
    permission_classes = [require_perms(post=VIEW)]

    @extend_schema(
        summary="Unmask a message's card, account or id numbers (reason required, logged)",
        request=RevealIn,
        responses={200: RevealOut, **_errors},
    )
    def post(self, request: Request, conversation_id: int, message_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        message = selectors.message_get(conversation=conversation, message_id=message_id)
        if message is None:
            raise Http404
        data = RevealIn(data=request.data)
        data.is_valid(raise_exception=True)
        text = services.message_reveal(message=message, actor=request.user, reason=data.validated_data["reason"])
        return Response({"text": text}, headers={"Cache-Control": "no-store"})


class ConversationDraftCheckApi(InboxApi):
    permission_classes = [require_perms(post=REPLY)]

    @extend_schema(
        summary="Does this draft ask the customer for sensitive data? (the composer's live warning)",
        request=DraftCheckIn,
        responses={200: DraftCheckOut, **_errors},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = DraftCheckIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            services.draft_warnings(text=data.validated_data["text"], language=conversation.subject.language)
        )


class ConversationTemplateApi(InboxApi):
    permission_classes = [require_perms(post=REPLY)]

    @extend_schema(summary="Send an approved template", request=TemplateIn, responses={201: MessageOut, **_errors})
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = TemplateIn(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_send_template(conversation=conversation, actor=request.user, **data.validated_data)
        return Response(selectors.messages_render(conversation, [message])[0], status=status.HTTP_201_CREATED)


class ConversationAssignApi(InboxApi):
    permission_classes = [require_perms(post=CHANGE)]

    @extend_schema(summary="Assign to an agent of the team, or unassign", request=AssignIn,
                   responses={200: ConversationOut, **_errors})  # fmt: skip
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = AssignIn(data=request.data)
        data.is_valid(raise_exception=True)
        agent_id = data.validated_data["agent"]
        agent = None
        if agent_id is not None:
            agent = selectors.user_get_active(user_id=agent_id)
            if agent is None:
                raise serializers.ValidationError({"agent": "no such active user"})
        conversation = services.conversation_assign(conversation=conversation, agent=agent, actor=request.user)
        return Response(selectors.conversation_render(self.conversation(conversation.pk)))


class ConversationTransferApi(InboxApi):
    permission_classes = [require_perms(post=CHANGE)]

    @extend_schema(
        summary="Move to another team's queue", request=TransferIn, responses={200: ConversationOut, **_errors}
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = TransferIn(data=request.data)
        data.is_valid(raise_exception=True)
        team = selectors.team_get(team_id=data.validated_data["team"])
        if team is None:
            raise serializers.ValidationError({"team": "no such team"})
        services.conversation_transfer(conversation=conversation, team=team, actor=request.user)
        # After a transfer out of the caller's teams the conversation may no longer be visible to them.
        moved = selectors.conversation_get(user=request.user, conversation_id=conversation.pk)
        if moved is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(selectors.conversation_render(moved))


class ConversationStatusApi(InboxApi):
    permission_classes = [require_perms(post=CHANGE)]

    @extend_schema(summary="Change the status (open, pending, resolved)", request=StatusIn,
                   responses={200: ConversationOut, **_errors})  # fmt: skip
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = StatusIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.conversation_set_status(
            conversation=conversation, status=data.validated_data["status"], actor=request.user
        )
        return Response(selectors.conversation_render(self.conversation(conversation.pk)))


class ConversationReadApi(InboxApi):
    permission_classes = [require_perms(post=VIEW)]

    @extend_schema(summary="Mark the conversation read", request=None, responses={204: None, 404: _errors[404]})
    def post(self, request: Request, conversation_id: int) -> Response:
        services.conversation_mark_read(conversation=self.conversation(conversation_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConversationNoteApi(InboxApi):
    permission_classes = [require_perms(get=VIEW, post=ADD_NOTE)]

    @extend_schema(summary="Internal notes, oldest first", responses={200: NoteOut(many=True), 404: _errors[404]})
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        return Response([selectors.note_render(n) for n in selectors.note_list(conversation=conversation)])

    @extend_schema(summary="Add an internal note (never sent)", request=NoteIn, responses={201: NoteOut, **_errors})
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = NoteIn(data=request.data)
        data.is_valid(raise_exception=True)
        note = services.note_add(conversation=conversation, actor=request.user, body=data.validated_data["body"])
        note.conversation = conversation
        return Response(selectors.note_render(note), status=status.HTTP_201_CREATED)


# --- reference data -----------------------------------------------------------------------------------


class CannedResponseListApi(InboxApi):
    permission_classes = [require_perms(get=VIEW_CANNED)]

    @extend_schema(
        summary="Canned responses of your teams",
        parameters=[
            OpenApiParameter("team", int, required=False),
            OpenApiParameter("language", str, required=False),
        ],
        responses=CannedResponseOut(many=True),
    )
    def get(self, request: Request) -> Response:
        team = request.query_params.get("team")
        allowed = None if request.user.has_perm(selectors.VIEW_ALL) else selectors.user_team_ids(user=request.user)
        if team:
            team_id = serializers.IntegerField(min_value=1).run_validation(team)
            allowed = [team_id] if allowed is None or team_id in allowed else []
        rows = selectors.canned_response_list(team_ids=allowed, language=request.query_params.get("language"))
        return Response(CannedResponseOut(rows, many=True).data)


class TemplateListApi(InboxApi):
    permission_classes = [require_perms(get=REPLY)]

    @extend_schema(summary="Approved WhatsApp templates", responses=TemplateOut(many=True))
    def get(self, request: Request) -> Response:
        return Response(selectors.template_list())
