"""Sensitive-data alerts belong to their subject and outlive a purged conversation (their own retention rule)."""

import django.db.models.deletion
from django.db import migrations, models


def subject_from_conversation(apps, schema_editor):
    SensitiveAlert = apps.get_model("conversations", "SensitiveAlert")
    for alert in SensitiveAlert.objects.select_related("conversation").filter(subject__isnull=True).iterator():
        SensitiveAlert.objects.filter(pk=alert.pk).update(subject_id=alert.conversation.subject_id)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0005_legal_hold"),
        ("conversations", "0005_team_membership_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="sensitivealert",
            name="subject",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="sensitive_alerts",
                to="consent.subject",
            ),
        ),
        migrations.AddField(
            model_name="historicalsensitivealert",
            name="subject",
            field=models.ForeignKey(
                blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+", to="consent.subject",
            ),
        ),
        migrations.RunPython(subject_from_conversation, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sensitivealert",
            name="subject",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="sensitive_alerts", to="consent.subject"
            ),
        ),
        migrations.AlterField(
            model_name="sensitivealert",
            name="conversation",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="alerts",
                to="conversations.conversation",
            ),
        ),
        migrations.AlterField(
            model_name="sensitivealert",
            name="message",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="alerts",
                to="conversations.message",
            ),
        ),
    ]
