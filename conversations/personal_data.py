"""Where the conversations app keeps personal data (DESIGN decision 3; the type is ``consent.declarations``).

Everything here goes when its subject is erased, or when its category's retention rule says so: conversations,
messages with their content, attachments with their files, notes, alerts, the real-time outbox, and the rows no
foreign key ties to the subject but that name their messages (delivery statuses kept early, whose WhatsApp ids
encode the phone number; background tasks, whose arguments are message and attachment ids).
"""

from django.db.models import Q, QuerySet

from consent.declarations import Category, Clock, PersonalData, at, staff_role
from consent.encrypted import or_erased
from conversations.models import Attachment, Conversation, EarlyStatus, Message, Note, SensitiveAlert


def _conversation(conversation: Conversation) -> dict:
    return {
        "id": conversation.pk,
        "channel": conversation.channel,
        "status": conversation.status,
        "team": conversation.team.name if conversation.team_id else None,
        "opened_at": at(conversation.created_at),
        "resolved_at": at(conversation.resolved_at),
        "last_message_at": at(conversation.last_message_at),
        "contains_special_category_data": conversation.sensitive,
    }


def _author(message: Message) -> str:
    if message.direction == "in":
        return "you"
    return staff_role(message.author) if message.author_id else "automatic"


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
        "by": staff_role(note.author) if note.author_id else "staff",
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
    ids = Message.objects.filter(conversation__subject=subject_pk, provider_message_id__isnull=False)
    return EarlyStatus.objects.filter(provider_message_id__in=ids.values("provider_message_id"))


def _early_status(status: EarlyStatus) -> dict:
    return {"status": status.status, "at": at(status.timestamp)}


def _tasks(subject_pk: int) -> QuerySet:
    from django_tasks_db.models import DBTaskResult

    messages = list(Message.objects.filter(conversation__subject=subject_pk).values_list("pk", flat=True))
    attachments = list(
        Attachment.objects.filter(message__conversation__subject=subject_pk).values_list("pk", flat=True)
    )
    named = Q(args_kwargs__kwargs__message_id__in=messages) | Q(args_kwargs__kwargs__attachment_id__in=attachments)
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
