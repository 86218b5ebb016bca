"""Each subject's last contact (``consent.Subject.last_contact_at``, the retention clock "last contact"), filled
from the conversations that are still there: the newest message a customer wrote to us."""

from django.db import migrations
from django.db.models import Max, OuterRef, Subquery


def forwards(apps, schema_editor):
    Subject = apps.get_model("consent", "Subject")
    Conversation = apps.get_model("conversations", "Conversation")
    newest = (
        Conversation.objects.filter(subject=OuterRef("pk"))
        .values("subject")
        .annotate(newest=Max("last_inbound_at"))
        .values("newest")
    )
    Subject.objects.filter(last_contact_at__isnull=True).update(last_contact_at=Subquery(newest[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0006_subject_last_contact"),
        ("conversations", "0007_early_status_recipient_index"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
