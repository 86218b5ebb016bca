"""The privacy programme: one controller with its DPO and encarregado, the processors and recipients with their
transfers, the authority per jurisdiction; edited by the DPO with history, shipped with Meta and the ANPD."""

import pytest
from django.core.exceptions import ValidationError

from contactcenter.models import Controller, Recipient, SupervisoryAuthority

pytestmark = pytest.mark.django_db


def controller(**fields) -> Controller:
    values = dict(name="Demo Shop GmbH", address="Musterstraße 1, 10115 Berlin", email="hello@shop.example",
                  dpo_name="Dana Datenschutz", dpo_email="dpo@shop.example")  # fmt: skip
    values.update(fields)
    found = Controller(**values)
    found.full_clean()
    found.save()
    return found


def test_there_is_one_controller_and_the_dpo_is_the_encarregado_unless_named_apart():
    first = controller()
    second = controller(name="Demo Shop AG")
    assert Controller.objects.count() == 1 and first.pk == second.pk == 1
    assert Controller.current().name == "Demo Shop AG"
    assert second.encarregado == ("Dana Datenschutz", "dpo@shop.example")
    apart = controller(encarregado_name="Elisa Encarregada", encarregado_email="encarregada@shop.example")
    assert apart.encarregado == ("Elisa Encarregada", "encarregada@shop.example")
    with pytest.raises(ValidationError, match="neither"):
        controller(encarregado_name="Elisa Encarregada")


def test_a_recipient_outside_the_eea_needs_a_transfer_mechanism():
    hosting = Recipient(
        name="Hosting Inc.", service={"en": "hosts our servers"}, country="us", transfer_mechanism="none"
    )
    with pytest.raises(ValidationError) as refused:
        hosting.full_clean()
    assert "transfer_mechanism" in refused.value.message_dict
    hosting.transfer_mechanism = "dpf"
    hosting.full_clean()
    assert hosting.country == "US"
    for country in ("DE", "NO"):  # the EEA: no transfer
        Recipient(name="Local", service={"en": "mail"}, country=country, transfer_mechanism="none").full_clean()
    with pytest.raises(ValidationError):  # Brazil is a third country under the GDPR, the controller's regime
        Recipient(
            name="São Paulo hosting", service={"en": "hosting"}, country="BR", transfer_mechanism="none"
        ).full_clean()
    with pytest.raises(ValidationError, match="two-letter"):
        Recipient(name="X", service={"en": "x"}, country="Germany", transfer_mechanism="none").full_clean()


def test_the_migrations_ship_meta_for_whatsapp_and_the_anpd_for_review():
    meta = Recipient.objects.get(name="Meta Platforms Ireland Ltd.")
    assert (meta.role, meta.country, meta.transfer_mechanism) == ("processor", "IE", "dpf")
    assert "Meta Platforms, Inc." in meta.transfer_note and meta.last_reviewed is None  # the DPO reviews it
    anpd = SupervisoryAuthority.objects.get(jurisdiction="LGPD")
    assert "ANPD" in anpd.name and anpd.website.startswith("https://www.gov.br/anpd")


def test_the_dpo_keeps_the_programme_with_history_and_the_breach_form_starts_from_it(dpo_client, dpo):
    added = dpo_client.post("/admin/contactcenter/controller/add/", {
        "name": "Demo Shop GmbH", "address": "Musterstraße 1", "email": "hello@shop.example",
        "dpo_name": "Dana Datenschutz", "dpo_email": "dpo@shop.example",
        "business_hours": '{"mon": ["09:00", "17:00"]}',
        "response_hours": "2",
    })  # fmt: skip
    assert added.status_code == 302, added.content.decode()[:1500]
    assert dpo_client.get("/admin/contactcenter/controller/add/").status_code == 403  # one controller
    changed = dpo_client.post("/admin/contactcenter/controller/1/change/", {
        "name": "Demo Shop GmbH", "address": "Musterstraße 2", "email": "hello@shop.example",
        "dpo_name": "Dana Datenschutz", "dpo_email": "privacy@shop.example", "business_hours": "{}",
        "response_hours": "2",
    })  # fmt: skip
    assert changed.status_code == 302
    history = Controller.current().history.order_by("history_id")
    assert [h.dpo_email for h in history] == ["dpo@shop.example", "privacy@shop.example"]
    assert history.last().history_user == dpo
    form = dpo_client.get("/admin/contactcenter/breach/add/").content.decode()
    assert "Dana Datenschutz, privacy@shop.example" in form
    meta = Recipient.objects.get(name="Meta Platforms Ireland Ltd.")
    assert dpo_client.post(f"/admin/contactcenter/recipient/{meta.pk}/delete/", {"post": "yes"}).status_code == 403
