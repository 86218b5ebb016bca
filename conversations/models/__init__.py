from conversations.models.conversation import (
    CONVERSATION_TRANSITIONS,
    AgentPresence,
    AgentProfile,
    Channel,
    Conversation,
    ConversationStatus,
    Note,
    PresenceStatus,
)
from conversations.models.events import ConversationEvent
from conversations.models.message import (
    MEDIA_TYPES,
    Attachment,
    AttachmentStatus,
    Direction,
    EarlyStatus,
    Message,
    MessageStatus,
    MessageType,
    status_may_advance,
)
from conversations.models.search import SearchToken
from conversations.models.sensitive import ALERT_TRANSITIONS, AlertStatus, SensitiveAlert, Severity, WatchTerm
from conversations.models.team import CannedResponse, SensitivePolicy, Team, TeamMembership

__all__ = [
    "ALERT_TRANSITIONS",
    "CONVERSATION_TRANSITIONS",
    "MEDIA_TYPES",
    "AgentPresence",
    "AgentProfile",
    "AlertStatus",
    "Attachment",
    "AttachmentStatus",
    "CannedResponse",
    "Channel",
    "Conversation",
    "ConversationEvent",
    "ConversationStatus",
    "Direction",
    "EarlyStatus",
    "Message",
    "MessageStatus",
    "MessageType",
    "Note",
    "PresenceStatus",
    "SearchToken",
    "SensitiveAlert",
    "SensitivePolicy",
    "Severity",
    "Team",
    "TeamMembership",
    "WatchTerm",
    "status_may_advance",
]
