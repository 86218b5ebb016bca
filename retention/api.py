"""REST API of the subject-rights workflow. Thin: validate shape, check permission and visibility, call a service.

``POST /api/v1/conversations/<id>/subject-requests/`` is the inbox's one click: the agent confirms the request a
customer wrote into the chat (the message's ``request_suggestion``), and it is recorded with the chat as the
verified channel. The conversation must be one the caller sees in the inbox (``conversations.services
.conversation_for_staff``, the inbox's rule); any other answers 404, so ids do not leak which conversations
exist. Refusals answer the one error model of ``consent.api_errors``.
"""

from datetime import datetime
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.api_errors import error_responses
from consent.api_permissions import require_perms
from consent.deadlines import deadline_zone
from consent.rights import Right
from conversations import services as conversation_services
from retention.models import RequestState, SubjectRequest
from retention.services.chat_requests import request_receive_from_chat

ADD_REQUEST = "retention.add_subjectrequest"
VIEW_CONVERSATION = "conversations.view_conversation"


class SubjectRequestFromChatIn(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[right.value for right in Right],
        help_text="The right the customer asks to exercise: the message's request_suggestion.kind, as the agent "
        "confirmed or chose it.",
    )
    message_id = serializers.IntegerField(
        min_value=1, help_text="The customer's message in this conversation that makes the request."
    )


class _LegalDateTime(serializers.DateTimeField):
    """An instant written with the offset of the time zone whose days count for it: its date is the legal one."""

    def to_representation(self, value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None


class SubjectRequestOut(serializers.Serializer):
    reference = serializers.CharField(help_text='What the customer can quote ("R-7K3F-9Q2M").')
    kind = serializers.ChoiceField(choices=[right.value for right in Right])
    state = serializers.ChoiceField(choices=RequestState.choices)
    due_at = _LegalDateTime(
        help_text="The legal deadline for the complete answer (the extended one, once extended), with the offset "
        "of the jurisdiction's time zone: its date is the due date."
    )


def _request_out(request: SubjectRequest) -> dict[str, Any]:
    return {
        "reference": request.reference,
        "kind": request.kind,
        "state": request.state,
        "due_at": request.deadline.astimezone(deadline_zone(request.jurisdiction)),
    }


class SubjectRequestCreateApi(APIView):
    permission_classes = [require_perms(post=ADD_REQUEST), require_perms(post=VIEW_CONVERSATION)]

    @extend_schema(
        summary="Record the subject request a customer wrote into the chat (the chat is the verified channel)",
        request=SubjectRequestFromChatIn,
        responses={
            201: OpenApiResponse(SubjectRequestOut, description="Recorded now, verified by the channel"),
            200: OpenApiResponse(
                SubjectRequestOut,
                description="The customer already has an open request of this kind (a second click on the same "
                "message, say): that one, nothing recorded",
            ),
            **error_responses(
                400, 401, 403, 404, 415,
                e400="no such kind, or message_id is not the customer's message in this conversation",
            ),
        },
    )  # fmt: skip
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = conversation_services.conversation_for_staff(user=request.user, conversation_id=conversation_id)
        if conversation is None:
            raise Http404
        data = SubjectRequestFromChatIn(data=request.data)
        data.is_valid(raise_exception=True)
        message = conversation_services.conversation_inbound_message(
            conversation=conversation, message_id=data.validated_data["message_id"]
        )
        if message is None:
            raise serializers.ValidationError({"message_id": ["not a message the customer sent in this conversation"]})
        recorded, created = request_receive_from_chat(
            conversation=conversation, message=message, kind=data.validated_data["kind"], actor=request.user
        )
        return Response(
            SubjectRequestOut(_request_out(recorded)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
