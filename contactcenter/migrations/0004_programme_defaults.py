"""What every installation has: Meta, which delivers WhatsApp messages, and Brazil's authority, the ANPD.

The controller, its DPO and the authority of its establishment (under the GDPR, the one where it is
established) are the company's to enter. Meta's last review date is left empty: the DPO reviews the entry
(and the current transfer basis) before a statement names it. Each row is created with its first history
entry, so the history shows what was shipped and every change since.
"""

from django.db import migrations
from django.utils import timezone

META = {
    "name": "Meta Platforms Ireland Ltd.",
    "role": "processor",
    "service": "WhatsApp Business Platform (Cloud API): delivers the messages between our customers and us",
    "country": "IE",
    "transfer_mechanism": "dpf",
    "transfer_note": "Onward transfers to Meta Platforms, Inc. (US), certified under the EU-US Data Privacy "
    "Framework; standard contractual clauses where it does not apply",
    "active": True,
}
ANPD = {
    "jurisdiction": "LGPD",
    "name": "Autoridade Nacional de Proteção de Dados (ANPD)",
    "address": "SCN, Quadra 6, Conjunto A, Edifício Venâncio 3000, Brasília - DF, 70716-900, Brasil",
    "website": "https://www.gov.br/anpd",
    "email": "",
}


def ship(apps, schema_editor):
    for model, values, key in (("Recipient", META, "name"), ("SupervisoryAuthority", ANPD, "jurisdiction")):
        live = apps.get_model("contactcenter", model)
        history = apps.get_model("contactcenter", f"Historical{model}")
        row, created = live.objects.get_or_create(**{key: values[key]}, defaults=values)
        if created:
            history.objects.create(**values, id=row.pk, history_date=timezone.now(), history_type="+",
                                   history_change_reason="shipped with the installation")  # fmt: skip


def unship(apps, schema_editor):
    apps.get_model("contactcenter", "Recipient").objects.filter(name=META["name"]).delete()
    apps.get_model("contactcenter", "SupervisoryAuthority").objects.filter(jurisdiction="LGPD").delete()


class Migration(migrations.Migration):
    dependencies = [("contactcenter", "0003_privacy_programme")]

    operations = [migrations.RunPython(ship, unship)]
