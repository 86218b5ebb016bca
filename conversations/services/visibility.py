"""Reads another app makes of a conversation on behalf of a member of staff, with the inbox's visibility.

The other apps reach conversations only through ``conversations.services`` (DESIGN, the import rules), so the
few reads they need live here rather than in ``selectors``, and each applies the very rule the inbox does
(``selectors.conversation_visibility``): an action taken from the inbox (recording the subject request a
customer wrote, say) sees exactly the conversations and messages the inbox showed. ``None`` means "not yours to
see" and "does not exist" alike, so a refusal does not reveal which.
"""

from django.contrib.auth.models import AbstractBaseUser

from conversations import selectors
from conversations.models import Conversation, Direction, Message


def conversation_for_staff(*, user: AbstractBaseUser, conversation_id: int) -> Conversation | None:
    """The conversation if ``user`` may see it in the inbox (their own, their teams' unless sensitive, those of
    the teams they supervise; every one for the DPO), else None."""
    return selectors.conversation_get(user=user, conversation_id=conversation_id)


def conversation_inbound_message(*, conversation: Conversation, message_id: int) -> Message | None:
    """A message the customer sent in ``conversation`` (one the caller already may see), with that conversation
    attached (its subject's key already unwrapped); None for another conversation's message or one of ours."""
    message = selectors.message_get(conversation=conversation, message_id=message_id)
    if message is None or message.direction != Direction.INBOUND:
        return None
    return message
