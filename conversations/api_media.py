"""Files in the inbox API: an agent sends an image or a document, and downloads any file of a conversation.

Thin, as ``conversations.api``: the conversation's visibility decides (404 for one the caller may not see), the
services check and store (``services.outbound_media``, ``services.media``). A request larger than the largest
file WhatsApp carries is refused from its Content-Length before the body is parsed; a file part above
``FILE_UPLOAD_MAX_MEMORY_SIZE`` is spooled to a temporary file by Django's upload handlers, not held in memory.
Downloads answer the decrypted bytes with ``no-store``, ``nosniff`` and a sandboxing CSP, inline only for the
raster image types a browser shows safely, as a download for everything else.
"""

import mimetypes
import re
from typing import Any

from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from consent.api_errors import ErrorOut, SensitiveDraftErrorOut, error_responses
from consent.api_permissions import require_perms
from conversations.api import _SEEN, REPLY, VIEW, InboxApi
from conversations.exceptions import FileRefused
from conversations.file_types import MAX_BYTES
from conversations.models import Attachment
from conversations.serializers import MessageOut
from conversations.services.media import attachment_get, attachment_read
from conversations.services.outbound_media import message_send_media

# The multipart envelope around the file: boundaries, part headers, the caption (at most 1024 characters).
_ENVELOPE_BYTES = 64 * 1024
_INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_BODY_SEEN = (400, 415, *_SEEN)
_MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}")


class AttachmentIn(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,  # the service answers file_empty
        help_text="JPEG or PNG (at most 5 MB), PDF, plain text or Microsoft Office (at most 100 MB); the type is "
        "read from the file's bytes, not from its name or Content-Type.",
    )
    caption = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=True, help_text="At most 1024 characters."
    )
    confirm_sensitive = serializers.BooleanField(
        default=False, help_text="Send a caption that asks for sensitive data anyway (after the 409's warning)."
    )


class ConversationAttachmentSendApi(InboxApi):
    permission_classes = [require_perms(post=REPLY)]
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Send an image or a document (WhatsApp, 24-hour window), with an optional caption",
        request={"multipart/form-data": AttachmentIn},
        responses={
            201: MessageOut,
            **error_responses(
                *_BODY_SEEN, 410,
                e400="file_empty, caption_too_long",
                e403="channel_not_supported (files go over WhatsApp only)",
                e415="file_type_not_allowed (by the file's bytes), or a body that is not multipart/form-data",
            ),
            409: OpenApiResponse(SensitiveDraftErrorOut, description="window_closed, processing_restricted, or "
                                 "sensitive_draft: the caption asks for sensitive data, confirm to send it anyway"),
            413: OpenApiResponse(ErrorOut, description="file_too_large: images at most 5 MB, documents 100 MB"),
            422: OpenApiResponse(SensitiveDraftErrorOut, description="sensitive_draft_blocked"),
        },
    )  # fmt: skip
    def post(self, request: Request, conversation_id: int) -> Response:
        conversation = self.conversation(conversation_id)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_BYTES + _ENVELOPE_BYTES:
            limit = f"{MAX_BYTES // 1024 // 1024} MB"
            raise FileRefused(f"a file is at most {limit}", code="file_too_large", http_status=413)
        data = AttachmentIn(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        message = message_send_media(
            conversation=conversation,
            actor=request.user,
            file=upload,
            filename=upload.name or "",
            caption=data.validated_data["caption"],
            confirm_sensitive=data.validated_data["confirm_sensitive"],
        )
        return self.message_out(conversation, message, code=status.HTTP_201_CREATED)


def _download_name(attachment: Attachment, mime_type: str) -> str:
    content = attachment.message.content or {}
    name = str((content.get("media") or {}).get("filename") or "")
    if name:
        return name
    return f"attachment-{attachment.pk}{mimetypes.guess_extension(mime_type) or '.bin'}"


class ConversationAttachmentApi(InboxApi):
    permission_classes = [require_perms(get=VIEW)]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The answer is the file itself, whatever the client accepts (an <img> asks for image/*); errors are JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download a file of the conversation (the customer's or an agent's), decrypted",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file's bytes with its type as Content-Type; Content-Disposition inline for "
                "images, attachment otherwise; never cached.",
            ),
            **error_responses(*_SEEN, 410, e404="not_found (also a file not stored yet, or whose download failed)"),
        },
    )
    def get(self, request: Request, conversation_id: int, attachment_id: int) -> HttpResponse:
        conversation = self.conversation(conversation_id)
        attachment = attachment_get(conversation=conversation, attachment_id=attachment_id)
        if attachment is None:
            raise Http404
        data = attachment_read(attachment=attachment)  # KeyDestroyed (erased): 410
        mime_type = attachment.mime_type.lower() if _MIME_TYPE.fullmatch(attachment.mime_type.lower()) else ""
        mime_type = mime_type or "application/octet-stream"
        response = HttpResponse(data, content_type=mime_type)
        response["Content-Length"] = str(len(data))
        response["Content-Disposition"] = content_disposition_header(
            mime_type not in _INLINE_TYPES, _download_name(attachment, mime_type)
        )
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


# Included by ``conversations.urls_api``.
urlpatterns = [
    path(
        "conversations/<int:conversation_id>/attachments/",
        ConversationAttachmentSendApi.as_view(),
        name="api-conversation-attachments",
    ),
    path(
        "conversations/<int:conversation_id>/attachments/<int:attachment_id>/",
        ConversationAttachmentApi.as_view(),
        name="api-conversation-attachment",
    ),
]
