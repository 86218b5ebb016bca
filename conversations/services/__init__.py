"""Every write of the conversations app, one function per use case."""

from conversations.services.conversation import (
    conversation_assign,
    conversation_mark_read,
    conversation_resolve,
    conversation_set_status,
    conversation_take_on_reply,
    conversation_transfer,
    note_add,
)
from conversations.services.ingest import IngestResult, contact_number_change, ingest
from conversations.services.ingest_many import ingest_many
from conversations.services.outbound import (
    message_deliver,
    message_queue_system_reply,
    message_reply,
    message_send_code,
    message_send_template,
    template_language,
    template_locale,
)
from conversations.services.outbound_media import message_send_media
from conversations.services.outbound_recovery import messages_recover_interrupted
from conversations.services.presence import presence_connect, presence_disconnect, presence_get, presence_set
from conversations.services.realtime import event_record, signal_send
from conversations.services.sensitive import (
    alert_set_status,
    draft_warnings,
    message_reveal,
    watch_term_create,
    watch_term_save,
)
from conversations.services.statuses import (
    early_statuses_purge,
    early_statuses_retry_many,
    message_status_update,
    message_status_update_many,
)
from conversations.services.teams import (
    TEAM_FIELDS,
    canned_response_create,
    team_create,
    team_delete,
    team_member_add,
    team_member_remove,
    team_set_sensitive_policy,
    team_update,
)
from conversations.services.visibility import conversation_for_staff, conversation_inbound_message

__all__ = [
    "TEAM_FIELDS",
    "IngestResult",
    "alert_set_status",
    "canned_response_create",
    "contact_number_change",
    "conversation_assign",
    "conversation_for_staff",
    "conversation_inbound_message",
    "conversation_mark_read",
    "conversation_resolve",
    "conversation_set_status",
    "conversation_take_on_reply",
    "conversation_transfer",
    "draft_warnings",
    "early_statuses_purge",
    "early_statuses_retry_many",
    "event_record",
    "ingest",
    "ingest_many",
    "message_deliver",
    "message_queue_system_reply",
    "message_reply",
    "message_reveal",
    "message_send_code",
    "message_send_media",
    "message_send_template",
    "message_status_update",
    "message_status_update_many",
    "messages_recover_interrupted",
    "note_add",
    "presence_connect",
    "presence_disconnect",
    "presence_get",
    "presence_set",
    "signal_send",
    "team_create",
    "team_delete",
    "team_member_add",
    "team_member_remove",
    "team_set_sensitive_policy",
    "team_update",
    "template_language",
    "template_locale",
    "watch_term_create",
    "watch_term_save",
]
