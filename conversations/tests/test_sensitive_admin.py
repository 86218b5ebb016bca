"""The DPO's side in the admin: watch terms through the service, the alert queue masked, the access log read-only."""

import pytest
from django.test import Client

from consent.models import AccessRecord
from conversations import services
from conversations.models import Message, SensitiveAlert, WatchTerm
from conversations.tests.conftest import inbound_text

pytestmark = pytest.mark.usefixtures("fresh_watch_terms")


def card_message() -> Message:
    """A customer's message with a watch term and a card number, routed to the default team."""
    inbound = inbound_text("4915123456789", "Anwalt sagt: Karte 4111 1111 1111 1111", message_id="wamid.adm1", name="E")
    return services.ingest(inbound=inbound).message


def test_a_dpo_adds_a_watch_term_in_the_admin_and_it_applies(
    dpo_client, dpo, notices, default_team, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(
            "/admin/conversations/watchterm/add/",
            {"kind": "term", "value": " Anwalt ", "severity": "high", "direction": "both", "active": "on"},
        )
    assert response.status_code == 302, response.content[:500]
    term = WatchTerm.objects.get()
    assert (term.value, term.created_by, term.history.first().history_user) == ("Anwalt", dpo, dpo)
    # Invalid patterns are refused with the reason, nothing stored.
    bad = {"kind": "pattern", "value": "(oops", "severity": "low", "direction": "both"}
    refused = dpo_client.post("/admin/conversations/watchterm/add/", bad)
    assert refused.status_code == 200 and b"Not a valid regular expression" in refused.content
    assert WatchTerm.objects.count() == 1
    card_message()
    assert SensitiveAlert.objects.get().label == "watch term: Anwalt"
    # Terms are switched off, not deleted: alerts point at them.
    assert dpo_client.post(f"/admin/conversations/watchterm/{term.pk}/delete/", {"post": "yes"}).status_code == 403


def test_the_alert_queue_shows_masked_excerpts_and_moves_through_actions(dpo_client, dpo, notices, default_team):
    services.watch_term_create(actor=dpo, kind="finding", value="payment_card", severity="high")
    card_message()
    alert = SensitiveAlert.objects.get()

    page = dpo_client.get("/admin/conversations/sensitivealert/", follow=True)
    assert page.status_code == 200
    assert "•••• •••• •••• 1111" in page.content.decode() and "4111 1111" not in page.content.decode()
    dpo_client.post("/admin/conversations/sensitivealert/",
                    {"action": "acknowledge", "_selected_action": [alert.pk]})  # fmt: skip
    alert.refresh_from_db()
    assert (alert.status, alert.handled_by) == ("acknowledged", dpo)


def test_agents_have_no_alert_queue_and_nobody_edits_the_access_log(agent, dpo_client, dpo, notices, default_team):
    message = card_message()
    message = Message.objects.select_related("conversation__subject").get(pk=message.pk)
    services.message_reveal(message=message, actor=dpo, reason="checking the DPO view of the log")
    agent_client = Client()
    agent_client.force_login(agent)
    assert agent_client.get("/admin/conversations/sensitivealert/").status_code == 302  # no admin access at all
    record = AccessRecord.objects.get()
    # The stated reason may name the customer: the list shows who did what, the record's page why.
    listing = dpo_client.get("/admin/consent/accessrecord/").content.decode()
    assert f"/admin/consent/accessrecord/{record.pk}/change/" in listing and "checking the DPO" not in listing
    page = dpo_client.get(f"/admin/consent/accessrecord/{record.pk}/change/")
    assert page.status_code == 200 and "checking the DPO view of the log" in page.content.decode()
    assert dpo_client.post(f"/admin/consent/accessrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessRecord.objects.count() == 1
