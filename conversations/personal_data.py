"""Where the conversations app keeps personal data (DESIGN decision 3; the type is ``consent.declarations``).

Everything here goes when its subject is erased, or when its category's retention rule says so: conversations,
messages with their content, attachments with their files, notes, alerts, the real-time outbox, and the rows no
foreign key ties to the subject but that name her or her messages (delivery statuses kept early, whose WhatsApp
ids encode the phone number, found by their recipient's blind index; background tasks, whose arguments are
message and attachment ids). The search index's tokens (keyed hashes of her words and of her name) go with
their message, or with her.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import CharField, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.db.models.lookups import In

from consent.declarations import Category, Clock, PersonalData, at, staff_role
from consent.encrypted import or_erased
from consent.models import ContactPoint
from conversations.models import Attachment, Conversation, EarlyStatus, Message, Note, SensitiveAlert


def _team(conversation: Conversation) -> str | None:
    """The team's name; none for a team deleted since (an earlier version of the conversation still names it)."""
    if not conversation.team_id:
        return None
    try:
        return conversation.team.name
    except ObjectDoesNotExist:
        return None


def _conversation(conversation: Conversation) -> dict:
    return {
        "id": conversation.pk,
        "channel": conversation.channel,
        "status": conversation.status,
        "team": _team(conversation),
        "opened_at": at(conversation.created_at),
        "resolved_at": at(conversation.resolved_at),
        "last_message_at": at(conversation.last_message_at),
        "contains_special_category_data": conversation.sensitive,
    }


def _author(message: Message) -> str:
    if message.direction == "in":
        return "you"
    return staff_role(message.author_id) if message.author_id else "automatic"


def _message(message: Message) -> dict:
    # The subject's own words, whole: masking protects them from our agents, not from themselves.
    return {
        "id": message.pk,
        "conversation": message.conversation_id,
        "direction": message.direction,
        "from": _author(message),
        "type": message.type,
        "at": at(message.provider_timestamp or message.created_at),
        "content": or_erased(lambda: message.content, {}),
        "status": message.status,
        "special_category_data_detected": message.special_category,
    }


def _attachment(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "message": attachment.message_id,
        "mime_type": attachment.mime_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "status": attachment.status,
    }


def _note(note: Note) -> dict:
    return {
        "conversation": note.conversation_id,
        "at": at(note.created_at),
        "by": staff_role(note.author_id) if note.author_id else "staff",
        "text": or_erased(lambda: note.body, ""),
    }


def _alert(alert: SensitiveAlert) -> dict:
    return {
        "conversation": alert.conversation_id,
        "message": alert.message_id,
        "at": at(alert.created_at),
        "what": alert.label,
        "severity": alert.severity,
        "status": alert.status,
        "excerpt_shown_to_our_dpo": or_erased(lambda: alert.excerpt, ""),
    }


def _event(event) -> dict:
    return {"kind": event.kind, "at": at(event.created_at), "conversation": event.conversation_id}


def _early_statuses(subject_pk: int) -> QuerySet:
    # An early status is kept precisely while no stored message carries its id (and for ever, if another system
    # sent on her number), so it is found by whom it went to: its recipient's blind index is one of her contact
    # points', now or before a number change (their history rows). Rows kept before that index was recorded are
    # still found by the ids of her stored messages.
    numbers = ContactPoint.objects.filter(subject=subject_pk).values("value_index")
    former = ContactPoint.history.filter(subject=subject_pk).values("value_index")
    ids = Message.objects.filter(conversation__subject=subject_pk, provider_message_id__isnull=False)
    return EarlyStatus.objects.filter(
        Q(recipient_index__in=numbers)
        | Q(recipient_index__in=former)
        | Q(provider_message_id__in=ids.values("provider_message_id"))
    )


def _early_status(status: EarlyStatus) -> dict:
    return {"status": status.status, "at": at(status.timestamp)}


def _as_text(rows: QuerySet) -> QuerySet:
    """The rows' primary keys as text, to compare with an id read out of a task's arguments as text (``KT``):
    PostgreSQL's ``->>`` gives text, and SQLite compares the number it extracts with a text column as text."""
    return rows.order_by().annotate(pk_text=Cast("pk", output_field=CharField())).values("pk_text")


def _tasks(subject_pk: int) -> QuerySet:
    from django_tasks_db.models import DBTaskResult

    # Subqueries, not lists of ids: a subject with years of messages would otherwise send them all as parameters.
    messages = Message.objects.filter(conversation__subject=subject_pk)
    attachments = Attachment.objects.filter(message__conversation__subject=subject_pk)
    named = Q(In(KT("args_kwargs__kwargs__message_id"), _as_text(messages))) | Q(
        In(KT("args_kwargs__kwargs__attachment_id"), _as_text(attachments))
    )
    return DBTaskResult.objects.filter(task_path__startswith="conversations.").filter(named)


def _task(task) -> dict:
    return {"task": task.task_path.rsplit(".", 1)[-1], "status": task.status, "at": at(task.enqueued_at)}


PERSONAL_DATA = [
    PersonalData(
        "conversations.Conversation",
        Category.CONVERSATIONS,
        subject="subject",
        export=_conversation,
        history=True,
        clocks={
            Clock.COLLECTED: "created_at",
            Clock.CONVERSATION_RESOLVED: "resolved_at",
            Clock.LAST_CONTACT: "last_inbound_at",
        },
        conversation="pk",
    ),
    PersonalData(
        "conversations.Message",
        Category.MESSAGES,
        subject="conversation__subject",
        export=_message,
        clocks={Clock.COLLECTED: "created_at", Clock.CONVERSATION_RESOLVED: "conversation__resolved_at"},
        conversation="conversation",
    ),
    # The search index: keyed hashes of her name and of her messages' words. A message's tokens go with the message
    # (foreign key, whenever its retention removes it), her name's with her: they never keep her data alive on
    # their own, hence her identity's category. Not exported: hashes of words the export holds whole already,
    # meaningless without our master key.
    PersonalData("conversations.SearchToken", Category.IDENTITY, subject="subject", conversation="conversation"),
    PersonalData(
        "conversations.Attachment",
        Category.MEDIA,
        subject="message__conversation__subject",
        export=_attachment,
        files=("file",),
        clocks={Clock.COLLECTED: "created_at"},
        conversation="message__conversation",
    ),
    PersonalData(
        "conversations.Note",
        Category.NOTES,
        subject="conversation__subject",
        export=_note,
        clocks={Clock.COLLECTED: "created_at", Clock.CONVERSATION_RESOLVED: "conversation__resolved_at"},
        conversation="conversation",
    ),
    PersonalData(
        "conversations.SensitiveAlert",
        Category.SENSITIVE_ALERTS,
        subject="subject",
        export=_alert,
        history=True,
        clocks={Clock.COLLECTED: "created_at"},
        conversation="conversation",
    ),
    PersonalData(
        "conversations.ConversationEvent",
        Category.REALTIME_EVENTS,
        subject="conversation__subject",
        export=_event,
        clocks={Clock.COLLECTED: "created_at"},
        conversation="conversation",
    ),
    PersonalData(
        "conversations.EarlyStatus",
        Category.EARLY_STATUSES,
        rows=_early_statuses,
        export=_early_status,
        clocks={Clock.COLLECTED: "created_at"},
    ),
    PersonalData(
        "django_tasks_database.DBTaskResult",
        Category.BACKGROUND_TASKS,
        rows=_tasks,
        export=_task,
        clocks={Clock.COLLECTED: "enqueued_at"},
        purgeable={"status__in": ["SUCCESSFUL", "FAILED"]},  # a task still to run is never purged
    ),
]
