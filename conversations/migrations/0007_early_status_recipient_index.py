"""Early statuses keep their recipient's blind index, so that the registry finds them by the subject's contact
points (erasure, export) even when no stored message carries their id. Rows kept before stay without one: they
are found by stored message ids as before, and purged within a day (``purge_early_statuses``)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0006_alerts_belong_to_their_subject'),
    ]

    operations = [
        migrations.AddField(
            model_name='earlystatus',
            name='recipient_index',
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=64),
        ),
    ]
