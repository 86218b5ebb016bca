"""Where the background tasks lived before they moved beside their services (the house-in-order release).

A database worker (``django_tasks_db``) stores each queued task by its import path; rows queued by the
previous release name ``conversations.tasks.deliver_message`` and ``conversations.tasks.fetch_attachment``,
and these names keep them runnable. New rows name the services' own paths. Remove this module once no task
row naming it is left (``manage.py prune_db_task_results`` clears finished ones).
"""

from conversations.services.media import fetch_attachment
from conversations.services.outbound import deliver_message

__all__ = ["deliver_message", "fetch_attachment"]
