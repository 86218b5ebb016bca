"""Test data for conversations: teams, their members, conversations and the messages we sent.

Teams and memberships are built through ``conversations.services`` (validated, with history), as the admin
builds them. A conversation or an outbound message is a plain insert: the tests that use them are about what
happens next (an agent's action, a status), not about how a customer's first message opens a conversation
(``ingest`` and its tests) or how a reply is sent (``message_reply`` and test_outbound). Their subject still
comes through ``consent.services``, and a message's content through its encrypting descriptor.
"""

from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from consent.tests.factories import SubjectFactory, UserFactory
from contactcenter import roles
from conversations import services
from conversations.models import Conversation, Direction, Message, MessageStatus, Team, TeamMembership


class TeamFactory(factory.Factory):
    """A team, through ``team_create``; the slug follows the name."""

    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.LazyAttribute(lambda team: slugify(team.name))
    auto_assign = True
    is_default = False
    languages = ()

    @classmethod
    def _create(cls, model_class, **kwargs) -> Team:
        return services.team_create(actor=None, **kwargs)


class TeamMembershipFactory(factory.Factory):
    """A member of a team, through ``team_member_add``; by default a new user in the Agent role."""

    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory, role=roles.AGENT)
    role = TeamMembership.Role.AGENT

    @classmethod
    def _create(cls, model_class, **kwargs) -> TeamMembership:
        return services.team_member_add(actor=None, **kwargs)


class ConversationFactory(factory.django.DjangoModelFactory):
    """An open conversation on the channel of its subject's contact point: the customer wrote ``inbound_ago``
    (five minutes) ago, so the 24-hour window is open, and nobody has read it yet. ``inbound_ago=None``: the
    customer never wrote (a conversation we started)."""

    class Meta:
        model = Conversation

    class Params:
        inbound_ago = timedelta(minutes=5)

    channel = "webchat"
    subject = factory.SubFactory(SubjectFactory, kind=factory.SelfAttribute("..channel"))
    contact_point = factory.LazyAttribute(lambda conversation: conversation.subject.contact_points.first())
    team = None
    assigned_agent = None
    last_inbound_at = factory.LazyAttribute(
        lambda conversation: None if conversation.inbound_ago is None else timezone.now() - conversation.inbound_ago
    )
    last_message_at = factory.LazyFunction(timezone.now)
    unread_count = 1


class MessageFactory(factory.django.DjangoModelFactory):
    """An agent's message we handed to the provider earlier, arranged directly. ``content`` (a dict) is
    encrypted under the conversation's subject by the model's descriptor, as every write of it is."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory, channel="whatsapp")
    direction = Direction.OUTBOUND
    provider = factory.SelfAttribute("conversation.channel")
    provider_message_id = None
    status = MessageStatus.QUEUED
    content = None

    @classmethod
    def _create(cls, model_class, *, content: dict | None, **kwargs) -> Message:
        message = model_class(**kwargs)
        if content is not None:
            message.content = content
        message.save()
        return message
