"""REST API of the agent inbox. Thin: validate shape, check permission and visibility, call a service.

Visibility is the socket's: ``selectors.conversation_get`` decides, and a conversation the caller may not see
answers 404 (not 403), so ids do not leak which conversations exist. Refusals answer the one error model of
``consent.api_errors`` (``{"error": code, "detail": ...}``); each operation's schema lists every status it
can answer. Responses are built by the serializers of ``conversations.serializers``.
"""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from consent.api_errors import SensitiveDraftErrorOut, error_responses
from consent.api_pagination import KEYSET_PARAMETERS, KeysetPage, keyset_page, query_int
from consent.api_permissions import require_perms
from conversations import selectors, services
from conversations.models import Conversation, ConversationStatus
from conversations.serializers import (
    AssigneeOut,
    AssignIn,
    CannedResponseOut,
    ConversationOut,
    ConversationPageOut,
    DraftCheckIn,
    DraftCheckOut,
    MessageOut,
    MessagePageOut,
    NoteIn,
    NoteOut,
    NotePageOut,
    ReplyIn,
    RevealIn,
    RevealOut,
    StatusIn,
    TemplateIn,
    TemplateOut,
    TransferIn,
)

VIEW = "conversations.view_conversation"
REPLY = "conversations.add_message"
CHANGE = "conversations.change_conversation"
ADD_NOTE = "conversations.add_note"
VIEW_CANNED = "conversations.view_cannedresponse"

# Every conversation operation: not signed in, no permission, not a conversation you may see.
_SEEN = (401, 403, 404)
# Every operation with a request body: not valid, not in a media type the API reads.
_BODY = (400, 415)
_SEND_REFUSALS = {
    "e403": "not_allowed (empty, too long, a template that is not approved, a customer who never wrote)",
    "e409": "window_closed, consent_missing, processing_restricted",
}


def _changes(summary: str, body: type[serializers.Serializer], *codes: int, **particular: Any) -> Any:
    """The schema of a change to a conversation: its body in, the conversation as it now is out."""
    extra = particular.pop("responses", {})
    return extend_schema(
        summary=summary,
        request=body,
        responses={200: ConversationOut, **extra, **error_responses(*_BODY, *_SEEN, *codes, **particular)},
    )


def _paged(summary: str, page: type[serializers.Serializer]) -> Any:
    """The schema of a conversation's list read a page at a time (``after_id``, ``limit``)."""
    return extend_schema(
        summary=summary, parameters=KEYSET_PARAMETERS, responses={200: page, **error_responses(400, *_SEEN)}
    )


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    data = serializer_class(data=request.data)
    data.is_valid(raise_exception=True)
    return data.validated_data


class InboxApi(APIView):
    def conversation(self, conversation_id: int) -> Conversation:
        found = selectors.conversation_get(user=self.request.user, conversation_id=conversation_id)
        if found is None:
            raise Http404
        return found

    def conversation_out(self, conversation_id: int) -> Response:
        return Response(ConversationOut(selectors.conversation_render(self.conversation(conversation_id))).data)

    @staticmethod
    def page_out(page_serializer: type[serializers.Serializer], page: KeysetPage, results: list) -> Response:
        return Response(page_serializer({"next": page.next, "results": results}).data)

    def message_out(self, conversation: Conversation, message: Any, *, code: int = status.HTTP_200_OK) -> Response:
        return Response(MessageOut(selectors.messages_render(conversation, [message])[0]).data, status=code)


# --- conversations ---------------------------------------------------------------------------------------------


class ConversationListApi(APIView):
    permission_classes = [require_perms(get=VIEW)]

    @extend_schema(
        operation_id="v1_conversations_list",
        summary="Conversations you may see, newest activity first, a page at a time",
        description="Keyset paging: follow `next` (a path carrying `cursor`) until it is null; `count` is the "
        "size of the whole filtered set. `q` finds a phone number or an e-mail address exactly, else every word "
        "of it (accents and case ignored) in the customer's name or in a message.",
        parameters=[
            OpenApiParameter("scope", str, enum=["mine", "team", "unassigned", "all"], default="all"),
            OpenApiParameter("status", str, enum=ConversationStatus.values, required=False),
            OpenApiParameter("q", str, required=False, description="Search: a phone number, an e-mail, or words."),
            OpenApiParameter("cursor", str, required=False, description="From the `next` of the page before."),
            OpenApiParameter("limit", int, description=f"Rows per page, 1 to {selectors.MAX_PAGE_LIMIT}.",
                             default=selectors.PAGE_LIMIT),
        ],
        responses={200: ConversationPageOut, **error_responses(400, 401, 403)},
    )  # fmt: skip
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = request.query_params
        scope = params.get("scope", "all")
        if scope not in ("mine", "team", "unassigned", "all"):
            raise serializers.ValidationError({"scope": ["one of mine, team, unassigned, all"]})
        wanted = params.get("status") or None
        if wanted is not None and wanted not in ConversationStatus.values:
            raise serializers.ValidationError({"status": ["one of " + ", ".join(ConversationStatus.values)]})
        q = params.get("q", "")
        if len(q) > 200:
            raise serializers.ValidationError({"q": ["at most 200 characters"]})
        limit = query_int(request, "limit", default=selectors.PAGE_LIMIT, min_value=1,
                          max_value=selectors.MAX_PAGE_LIMIT)  # fmt: skip
        try:
            page = selectors.conversation_page(user=request.user, scope=scope, status=wanted, q=q,
                                               before=params.get("cursor") or None, limit=limit)  # fmt: skip
        except selectors.BadCursor:
            raise serializers.ValidationError(
                {"cursor": ["not a cursor of this list: start again without one, then follow next"]}
            ) from None
        results = [selectors.conversation_render(c) for c in page.rows]
        following = replace_query_param(request.get_full_path(), "cursor", page.next) if page.next else None
        return Response(ConversationPageOut({"count": page.total, "next": following, "results": results}).data)


class ConversationDetailApi(InboxApi):
    permission_classes = [require_perms(get=VIEW)]

    @extend_schema(summary="One conversation", responses={200: ConversationOut, **error_responses(*_SEEN)})
    def get(self, request: Request, conversation_id: int) -> Response:
        return self.conversation_out(conversation_id)


class MessageListApi(InboxApi):
    permission_classes = [require_perms(get=VIEW)]

    @_paged("Messages of a conversation, oldest first, a page at a time", MessagePageOut)
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        page = keyset_page(selectors.message_queryset(conversation=conversation), request)
        return self.page_out(MessagePageOut, page, selectors.messages_render(conversation, page.rows))


class ConversationReplyApi(InboxApi):
    permission_classes = [require_perms(post=REPLY)]

    @extend_schema(
        summary="Reply with free text (24-hour window)",
        request=ReplyIn,
        responses={
            201: MessageOut,
            **error_responses(*_BODY, *_SEEN, 410, e403=_SEND_REFUSALS["e403"]),
            409: OpenApiResponse(SensitiveDraftErrorOut, description="window_closed, consent_missing, "
                                 "processing_restricted, or sensitive_draft: confirm to send it anyway"),
            422: OpenApiResponse(SensitiveDraftErrorOut, description="sensitive_draft_blocked: such drafts are "
                                 "not sent at all (SENSITIVE_DRAFT_BLOCK)"),
        },
    )  # fmt: skip
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = _valid(ReplyIn, request)
        message = services.message_reply(
            conversation=conversation,
            actor=request.user,
            text=data["text"],
            confirm_sensitive=data["confirm_sensitive"],
        )
        return self.message_out(conversation, message, code=status.HTTP_201_CREATED)


class MessageRevealApi(InboxApi):
    permission_classes = [require_perms(post=VIEW)]

    @extend_schema(
        summary="Unmask a message's card, account or id numbers (reason required, logged)",
        request=RevealIn,
        responses={
            200: RevealOut,
            **error_responses(
                *_BODY, *_SEEN, 410,
                e400="reason_required (a reason of 8+ characters)",
                e403="not_allowed (nothing masked, or only the masked form was stored)",
            ),
        },
    )  # fmt: skip
    def post(self, request: Request, conversation_id: int, message_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        message = selectors.message_get(conversation=conversation, message_id=message_id)
        if message is None:
            raise Http404
        data = _valid(RevealIn, request)
        text = services.message_reveal(message=message, actor=request.user, reason=data["reason"])
        return Response(RevealOut({"text": text}).data, headers={"Cache-Control": "no-store"})


class ConversationDraftCheckApi(InboxApi):
    permission_classes = [require_perms(post=REPLY)]

    @extend_schema(
        summary="Does this draft ask the customer for sensitive data? (the composer's live warning)",
        request=DraftCheckIn,
        responses={200: DraftCheckOut, **error_responses(*_BODY, *_SEEN)},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = _valid(DraftCheckIn, request)
        warnings = services.draft_warnings(text=data["text"], language=conversation.subject.language)
        return Response(DraftCheckOut(warnings).data)


class ConversationTemplateApi(InboxApi):
    permission_classes = [require_perms(post=REPLY)]

    @extend_schema(
        summary="Send an approved template",
        request=TemplateIn,
        responses={201: MessageOut, **error_responses(*_BODY, *_SEEN, 409, 410, **_SEND_REFUSALS)},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        data = _valid(TemplateIn, request)
        message = services.message_send_template(conversation=conversation, actor=request.user, **data)
        return self.message_out(conversation, message, code=status.HTTP_201_CREATED)


class ConversationAssignApi(InboxApi):
    permission_classes = [require_perms(post=CHANGE)]

    @_changes("Assign to an agent of the team, or unassign", AssignIn, e400="no such active user",
              e403="not_allowed (not in the team)")  # fmt: skip
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        agent_id = _valid(AssignIn, request)["agent"]
        agent = None
        if agent_id is not None:
            agent = selectors.user_get_active(user_id=agent_id)
            if agent is None:
                raise serializers.ValidationError({"agent": ["no such active user"]})
        conversation = services.conversation_assign(conversation=conversation, agent=agent, actor=request.user)
        return self.conversation_out(conversation.pk)


class ConversationTransferApi(InboxApi):
    permission_classes = [require_perms(post=CHANGE)]

    @_changes(
        "Move to another team's queue", TransferIn, e400="no such team",
        responses={204: OpenApiResponse(description="Moved to a team whose conversations you do not see")},
    )  # fmt: skip
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        team = selectors.team_get(team_id=_valid(TransferIn, request)["team"])
        if team is None:
            raise serializers.ValidationError({"team": ["no such team"]})
        services.conversation_transfer(conversation=conversation, team=team, actor=request.user)
        # After a transfer out of the caller's teams the conversation may no longer be visible to them.
        moved = selectors.conversation_get(user=request.user, conversation_id=conversation.pk)
        if moved is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ConversationOut(selectors.conversation_render(moved)).data)


class ConversationStatusApi(InboxApi):
    permission_classes = [require_perms(post=CHANGE)]

    @_changes("Change the status (open, pending, resolved)", StatusIn, 409,
              e409="invalid_transition (resolved can only reopen)")  # fmt: skip
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        wanted = _valid(StatusIn, request)["status"]
        services.conversation_set_status(conversation=conversation, status=wanted, actor=request.user)
        return self.conversation_out(conversation.pk)


class ConversationReadApi(InboxApi):
    permission_classes = [require_perms(post=VIEW)]

    @extend_schema(
        summary="Mark the conversation read",
        request=None,
        responses={204: OpenApiResponse(description="Marked read"), **error_responses(*_SEEN)},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        services.conversation_mark_read(conversation=self.conversation(conversation_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConversationNoteApi(InboxApi):
    permission_classes = [require_perms(get=VIEW, post=ADD_NOTE)]

    @_paged("Internal notes, oldest first, a page at a time", NotePageOut)
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        page = keyset_page(selectors.note_queryset(conversation=conversation), request)
        notes = selectors.notes_attach(conversation, page.rows)
        return self.page_out(NotePageOut, page, [selectors.note_render(note) for note in notes])

    @extend_schema(
        summary="Add an internal note (never sent)",
        request=NoteIn,
        responses={201: NoteOut, **error_responses(*_BODY, *_SEEN, 410, e403="not_allowed (an empty note)")},
    )
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        note = services.note_add(conversation=conversation, actor=request.user, body=_valid(NoteIn, request)["body"])
        note.conversation = conversation
        return Response(NoteOut(selectors.note_render(note)).data, status=status.HTTP_201_CREATED)


# --- reference data --------------------------------------------------------------------------------------------


class CannedResponseListApi(InboxApi):
    permission_classes = [require_perms(get=VIEW_CANNED)]

    @extend_schema(
        summary="Canned responses of your teams",
        parameters=[
            OpenApiParameter("team", int, required=False),
            OpenApiParameter("language", str, required=False),
        ],
        responses={200: CannedResponseOut(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        allowed = None if request.user.has_perm(selectors.VIEW_ALL) else selectors.user_team_ids(user=request.user)
        if request.query_params.get("team"):
            team_id = query_int(request, "team", default=0, min_value=1)
            allowed = [team_id] if allowed is None or team_id in allowed else []
        rows = selectors.canned_response_list(team_ids=allowed, language=request.query_params.get("language"))
        return Response(CannedResponseOut(rows, many=True).data)


class TemplateListApi(InboxApi):
    permission_classes = [require_perms(get=REPLY)]

    @extend_schema(
        summary="Approved WhatsApp templates",
        responses={200: TemplateOut(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(TemplateOut(selectors.template_list(), many=True).data)


class ConversationAssigneesApi(InboxApi):
    permission_classes = [require_perms(get=CHANGE)]

    @extend_schema(
        summary="Whom the conversation can be assigned to: the active members of its team",
        responses={200: AssigneeOut(many=True), **error_responses(*_SEEN)},
    )
    def get(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        members = selectors.teammates(team_id=conversation.team_id)
        return Response(AssigneeOut([{"id": u.pk, "username": u.get_username()} for u in members], many=True).data)
