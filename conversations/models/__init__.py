from conversations.models.conversation import (
    CONVERSATION_TRANSITIONS,
    AgentPresence,
    Channel,
    Conversation,
    ConversationStatus,
    Note,
)
from conversations.models.events import ConversationEvent
from conversations.models.message import (
    Attachment,
    AttachmentStatus,
    Direction,
    EarlyStatus,
    Message,
    MessageStatus,
    MessageType,
    status_may_advance,
)
from conversations.models.team import CannedResponse, Team, TeamMembership

__all__ = [
    "CONVERSATION_TRANSITIONS",
    "AgentPresence",
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
    "Team",
    "TeamMembership",
    "status_may_advance",
]
