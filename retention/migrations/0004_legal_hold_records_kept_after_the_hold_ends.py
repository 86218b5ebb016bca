"""A legal hold's record is kept for its rule's period counted from the hold's end (released, or its end date
passed), not from when it was placed: the evidence of why data was kept longer outlives the hold by that
period (``consent.personal_data``: the hold's clock, ``hold_ended`` since 0005). The shipped reason for the customer said "after
they were placed"; it is replaced where it is still the shipped text (a DPO's own wording stays), with a
history row saying why."""

from django.db import migrations
from django.utils import timezone

SHIPPED = {
    "en": "Records of legal holds on your data are kept for three years after they were placed, as evidence "
    "of why data was kept longer.",
    "de": "Einträge über rechtliche Aufbewahrungspflichten für Ihre Daten bewahren wir drei Jahre ab ihrer "
    "Anordnung auf, als Nachweis, warum Daten länger gespeichert wurden.",
    "nl": "Gegevens over een wettelijke bewaarplicht voor uw gegevens bewaren we drie jaar nadat die is "
    "opgelegd, als bewijs waarom gegevens langer zijn bewaard.",
    "it": "I dati sugli obblighi legali di conservazione dei suoi dati sono conservati per tre anni dalla loro "
    "disposizione, come prova del motivo per cui i dati sono stati conservati più a lungo.",
    "pt-br": "Os registros de retenção legal dos seus dados são guardados por três anos após serem "
    "determinados, como prova do motivo pelo qual os dados foram guardados por mais tempo.",
}

AFTER_THE_END = {
    "en": "Records of legal holds on your data are kept for three years after the hold ends (it is lifted or "
    "its end date passes), as evidence of why data was kept longer, or until the rest of your data is erased, if "
    "that comes first.",
    "de": "Einträge über rechtliche Aufbewahrungspflichten für Ihre Daten bewahren wir drei Jahre nach deren "
    "Ende auf (Aufhebung oder Ablauf der Frist), als Nachweis, warum Daten länger gespeichert wurden, oder bis Ihre "
    "übrigen Daten gelöscht sind, falls das früher ist.",
    "nl": "Gegevens over een wettelijke bewaarplicht voor uw gegevens bewaren we drie jaar nadat die is "
    "geëindigd (opgeheven of verlopen), als bewijs waarom gegevens langer zijn bewaard, of tot uw overige "
    "gegevens zijn gewist, als dat eerder is.",
    "it": "I dati sugli obblighi legali di conservazione dei suoi dati sono conservati per tre anni dalla loro "
    "cessazione (revoca o scadenza), come prova del motivo per cui i dati sono stati conservati più a lungo, o "
    "finché gli altri suoi dati non vengono cancellati, se ciò avviene prima.",
    "pt-br": "Os registros de retenção legal dos seus dados são guardados por três anos após o fim da retenção "
    "(revogação ou fim do prazo), como prova do motivo pelo qual os dados foram guardados por mais tempo, ou até "
    "que o restante dos seus dados seja eliminado, se isso ocorrer antes.",
}


def _replace(apps, old: dict, new: dict, why: str) -> None:
    RetentionRule = apps.get_model("retention", "RetentionRule")
    History = apps.get_model("retention", "HistoricalRetentionRule")
    rule = RetentionRule.objects.filter(category="legal_holds").first()
    if rule is None or rule.legal_reason != old:
        return
    rule.legal_reason = new
    rule.save(update_fields=["legal_reason"])
    History.objects.create(
        id=rule.pk, category=rule.category, clock=rule.clock, period_days=rule.period_days, action=rule.action,
        legal_reason=new, history_date=timezone.now(), history_type="~", history_change_reason=why,
    )  # fmt: skip


def forwards(apps, schema_editor):
    _replace(apps, SHIPPED, AFTER_THE_END, "shipped text: the period counts from the hold's end")


def backwards(apps, schema_editor):
    _replace(apps, AFTER_THE_END, SHIPPED, "shipped text: the period counts from the placement")


class Migration(migrations.Migration):
    dependencies = [("retention", "0003_purge_run_interrupted_and_progress")]

    operations = [migrations.RunPython(forwards, backwards)]
