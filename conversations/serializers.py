"""The inbox API's shapes: what a request may carry (``*In``) and what a response holds (``*Out``).

Responses are built by the ``*Out`` serializers from what the selectors render (``conversation_render``,
``message_render``, ``note_render``), so ``/api/schema/`` lists every field a client receives; the sockets send
the same renders, and a test holds each render to exactly its serializer's fields.
"""

from rest_framework import serializers

from consent.api_pagination import page_of
from consent.rights import Right
from conversations.models import CannedResponse, ConversationStatus, MessageStatus, MessageType

# --- responses -------------------------------------------------------------------------------------------------


class SubjectOut(serializers.Serializer):
    public_id = serializers.UUIDField()
    name = serializers.CharField(help_text='The customer\'s name, or "[erased]".')
    language = serializers.CharField()
    jurisdiction = serializers.CharField()
    restriction = serializers.CharField(
        help_text="Empty, or why processing is restricted (GDPR Art. 18): then nothing can be sent to this customer."
    )
    restriction_label = serializers.CharField()
    contact = serializers.CharField(help_text="Masked contact point.")


class PreviewOut(serializers.Serializer):
    text = serializers.CharField(
        help_text="The newest message's text, masked as in the thread, at most 140 characters; empty for "
        "special-category data and for what has no text (media without caption)."
    )
    type = serializers.ChoiceField(choices=MessageType.choices)
    direction = serializers.ChoiceField(choices=["in", "out"])
    author_name = serializers.CharField(help_text="The agent who wrote it; empty for the customer and the system.")
    automatic = serializers.BooleanField(help_text="Sent by the system (a notice, a consent confirmation).")
    special_category = serializers.BooleanField(help_text="Special-category data: show a label, never the text.")


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
    window_open = serializers.BooleanField(help_text="The 24-hour window for free text is open (WhatsApp).")
    sensitive = serializers.BooleanField(help_text="Special-category data appeared: narrower visibility.")
    preview = PreviewOut(allow_null=True, help_text="The newest message; null before the first.")
    subject = SubjectOut()


class ConversationPageOut(serializers.Serializer):
    count = serializers.IntegerField(help_text="How many conversations the filters (and the search) select.")
    next = serializers.CharField(allow_null=True, help_text="The next page's path; null on the last one.")
    results = ConversationOut(many=True)


class AttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    mime_type = serializers.CharField()
    status = serializers.CharField()
    size = serializers.IntegerField(allow_null=True)


class RequestSuggestionOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[right.value for right in Right], help_text="The right it seems to ask for.")
    generic = serializers.BooleanField(
        help_text='It names a law but no right ("GDPR request"): access by convention; ask the customer which.'
    )


class MessageOut(serializers.Serializer):
    id = serializers.IntegerField()
    conversation = serializers.IntegerField()
    direction = serializers.ChoiceField(choices=["in", "out"])
    type = serializers.ChoiceField(choices=MessageType.choices)
    text = serializers.CharField(help_text="Card, account and id numbers masked but for their last four.")
    masked = serializers.BooleanField(help_text="The text shows masked identifiers.")
    revealable = serializers.BooleanField(help_text="An agent may unmask them, with a reason (logged).")
    redacted = serializers.BooleanField(help_text="Only the masked form was stored (the team's policy).")
    special_category = serializers.BooleanField(help_text="Art. 9 GDPR / Art. 11 LGPD data was detected.")
    may_contain_special = serializers.BooleanField(help_text="Media: not scanned, may hold such data.")
    findings = serializers.ListField(child=serializers.CharField(), help_text="Detector types found, never values.")
    content = serializers.DictField(help_text="Structured content besides the text (location, contacts, reply ...).")
    status = serializers.ChoiceField(choices=MessageStatus.choices)
    error_code = serializers.CharField()
    error_title = serializers.CharField()
    author = serializers.IntegerField(allow_null=True)
    author_name = serializers.CharField(help_text="The agent who wrote it; empty for the customer and the system.")
    automatic = serializers.BooleanField(
        help_text="Sent by the system itself (STOP and opt-in confirmations, secure-channel notices, one-time codes)."
    )
    template = serializers.CharField()
    created_at = serializers.DateTimeField()
    request_suggestion = RequestSuggestionOut(
        allow_null=True,
        help_text='A customer\'s text message that reads like a data-protection request ("please delete my data"): '
        "the kind to suggest to the agent, who confirms it (POST .../subject-requests/); null otherwise. A "
        "suggestion, never an action. Read from the text as shown here.",
    )
    attachments = AttachmentOut(many=True)


class NoteOut(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


MessagePageOut = page_of(MessageOut, "MessagePage")
NotePageOut = page_of(NoteOut, "NotePage")


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


class AssigneeOut(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class RevealOut(serializers.Serializer):
    text = serializers.CharField()


class DraftCheckOut(serializers.Serializer):
    kinds = serializers.ListField(child=serializers.CharField())
    hint = serializers.CharField()
    blocked = serializers.BooleanField()


# --- requests --------------------------------------------------------------------------------------------------


class ReplyIn(serializers.Serializer):
    text = serializers.CharField(max_length=4096, trim_whitespace=True)
    confirm_sensitive = serializers.BooleanField(
        default=False,
        help_text="Send a draft that asks for card, account or id numbers or health details after the warning "
        "(409 sensitive_draft). Ignored when such drafts are blocked (422 sensitive_draft_blocked).",
    )


class RevealIn(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why you need the full number (8+ characters); logged.")


class DraftCheckIn(serializers.Serializer):
    text = serializers.CharField(max_length=4096, allow_blank=True, trim_whitespace=False)


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
