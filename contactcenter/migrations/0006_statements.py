"""The privacy statement's sources: what a recipient does, per language; what it receives; the controller's
WhatsApp number and business hours (the contact snippet).

A recipient's service was one English text; the statement shows it in five languages. Meta's shipped entry
gets its five texts; any other keeps its text as the English one, and the statement's completeness check
names the languages the DPO still has to write.
"""

from django.db import migrations, models

META_NAME = "Meta Platforms Ireland Ltd."
META_SERVICE = {
    "en": "WhatsApp Business Platform (Cloud API): delivers the messages between our customers and us",
    "de": "WhatsApp Business Platform (Cloud API): übermittelt die Nachrichten zwischen unseren Kundinnen und Kunden und uns",
    "nl": "WhatsApp Business Platform (Cloud API): bezorgt de berichten tussen onze klanten en ons",
    "it": "WhatsApp Business Platform (Cloud API): recapita i messaggi tra i nostri clienti e noi",
    "pt-br": "WhatsApp Business Platform (Cloud API): entrega as mensagens entre nossos clientes e nós",
}
META_CATEGORIES = ["contact_points", "conversations", "messages", "media"]


def per_language(apps, schema_editor):
    for name in ("Recipient", "HistoricalRecipient"):
        model = apps.get_model("contactcenter", name)
        for row in model.objects.all():
            shipped = row.name == META_NAME and row.service_text == META_SERVICE["en"]
            row.service = dict(META_SERVICE) if shipped else {"en": row.service_text}
            if shipped and not row.data_categories:
                row.data_categories = list(META_CATEGORIES)
            row.save(update_fields=["service", "data_categories"])


def per_language_undo(apps, schema_editor):
    for name in ("Recipient", "HistoricalRecipient"):
        model = apps.get_model("contactcenter", name)
        for row in model.objects.all():
            row.service_text = (row.service or {}).get("en", "")[:300]
            row.save(update_fields=["service_text"])



class Migration(migrations.Migration):

    dependencies = [
        ('contactcenter', '0005_breach_risk_reason_and_complete_notification'),
    ]

    operations = [
        migrations.AddField(
            model_name='controller',
            name='business_hours',
            field=models.JSONField(blank=True, default=dict, help_text='When agents answer, per weekday in the controller\'s time zone, e.g. {"mon": ["09:00", "17:00"], …}; a day left out is closed.', verbose_name='business hours'),
        ),
        migrations.AddField(
            model_name='controller',
            name='response_hours',
            field=models.PositiveSmallIntegerField(default=2, help_text='Within business hours; the contact snippet promises no more than this.', verbose_name='usual response time (hours)'),
        ),
        migrations.AddField(
            model_name='controller',
            name='whatsapp_number',
            field=models.CharField(blank=True, help_text='The number customers write to, in international form (+49…): the contact snippet shows it.', max_length=20, verbose_name='WhatsApp business number'),
        ),
        migrations.AddField(
            model_name='historicalcontroller',
            name='business_hours',
            field=models.JSONField(blank=True, default=dict, help_text='When agents answer, per weekday in the controller\'s time zone, e.g. {"mon": ["09:00", "17:00"], …}; a day left out is closed.', verbose_name='business hours'),
        ),
        migrations.AddField(
            model_name='historicalcontroller',
            name='response_hours',
            field=models.PositiveSmallIntegerField(default=2, help_text='Within business hours; the contact snippet promises no more than this.', verbose_name='usual response time (hours)'),
        ),
        migrations.AddField(
            model_name='historicalcontroller',
            name='whatsapp_number',
            field=models.CharField(blank=True, help_text='The number customers write to, in international form (+49…): the contact snippet shows it.', max_length=20, verbose_name='WhatsApp business number'),
        ),
        migrations.AddField(
            model_name='historicalrecipient',
            name='data_categories',
            field=models.JSONField(blank=True, default=list, help_text='The records of processing and the privacy statement list them.', verbose_name='categories of data they receive'),
        ),
        migrations.AddField(
            model_name='recipient',
            name='data_categories',
            field=models.JSONField(blank=True, default=list, help_text='The records of processing and the privacy statement list them.', verbose_name='categories of data they receive'),
        ),
        migrations.RenameField(model_name='recipient', old_name='service', new_name='service_text'),
        migrations.AddField(model_name='recipient', name='service', field=models.JSONField(default=dict, help_text='Per language, e.g. “delivers our WhatsApp messages”: the privacy statement shows it.', verbose_name='what they do for us')),
        migrations.RenameField(model_name='historicalrecipient', old_name='service', new_name='service_text'),
        migrations.AddField(model_name='historicalrecipient', name='service', field=models.JSONField(default=dict, help_text='Per language, e.g. “delivers our WhatsApp messages”: the privacy statement shows it.', verbose_name='what they do for us')),
        migrations.RunPython(per_language, per_language_undo),
        # Reversible: unapplied, the old column is refilled by per_language_undo from a blank default.
        migrations.AlterField(model_name='recipient', name='service_text', field=models.CharField(max_length=300, default='')),
        migrations.AlterField(model_name='historicalrecipient', name='service_text', field=models.CharField(max_length=300, default='')),
        migrations.RemoveField(model_name='recipient', name='service_text'),
        migrations.RemoveField(model_name='historicalrecipient', name='service_text'),
    ]
