"""Background work (Django's Tasks framework): sending and media downloads.

In the embedded default the immediate backend runs them in-process right
after commit; in production a database-backed worker does.
"""

from django.tasks import task


@task()
def deliver_message(*, message_id: int) -> str:
    from conversations.services import message_deliver

    return message_deliver(message_id=message_id)


@task()
def fetch_attachment(*, attachment_id: int) -> str:
    from conversations.services.media import attachment_fetch

    return attachment_fetch(attachment_id=attachment_id)
