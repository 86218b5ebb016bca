"""An alert's own page in the admin: acknowledge or dismiss it there, and the queue opens on the open alerts."""

import pytest
from django.test import Client

from consent.tests.factories import UserFactory
from conversations import services
from conversations.models import SensitiveAlert
from conversations.tests.conftest import inbound_text

pytestmark = pytest.mark.usefixtures("fresh_watch_terms")

QUEUE = "/admin/conversations/sensitivealert/"


@pytest.fixture
def alerts(dpo, notices, default_team) -> list[SensitiveAlert]:
    """Three alerts on cards customers sent: all open."""
    services.watch_term_create(actor=dpo, kind="finding", value="payment_card", severity="high")
    for n in range(3):
        text = f"Meine Karte {n}: 4111 1111 1111 1111"
        services.ingest(inbound=inbound_text(f"491512345678{n}", text, message_id=f"wamid.page{n}", name="E"))
    return list(SensitiveAlert.objects.order_by("pk"))


def page_of(alert: SensitiveAlert) -> str:
    return f"{QUEUE}{alert.pk}/change/"


def status_url(alert: SensitiveAlert) -> str:
    return f"{QUEUE}{alert.pk}/status/"


def test_an_open_alert_offers_both_and_acknowledging_records_who_then_back_to_the_queue(dpo_client, dpo, alerts):
    alert = alerts[0]
    html = dpo_client.get(page_of(alert)).content.decode()
    assert 'id="alert-acknowledged"' in html and 'id="alert-dismissed"' in html
    assert f'action="{status_url(alert)}' in html and "csrfmiddlewaretoken" in html
    assert 'name="_save"' not in html  # nothing else on the page can change

    response = dpo_client.post(status_url(alert), {"status": "acknowledged"}, follow=True)
    assert response.redirect_chain[0] == (QUEUE, 302)  # back to the list (which opens on the open ones)
    assert "Alert marked “Acknowledged”." in response.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.handled_by) == ("acknowledged", dpo) and alert.handled_at is not None
    latest = alert.history.first()
    assert (latest.history_user, latest.history_change_reason) == (dpo, "marked acknowledged")


def test_only_the_moves_the_table_allows_are_offered_and_accepted(dpo_client, dpo, alerts):
    acknowledged, dismissed = alerts[0], alerts[1]
    services.alert_set_status(alert=acknowledged, status="acknowledged", actor=dpo)
    services.alert_set_status(alert=dismissed, status="dismissed", actor=dpo)

    html = dpo_client.get(page_of(acknowledged)).content.decode()
    assert 'id="alert-acknowledged"' not in html and 'id="alert-dismissed"' in html
    html = dpo_client.get(page_of(dismissed)).content.decode()
    assert 'id="alert-acknowledged"' not in html and 'id="alert-dismissed"' not in html
    assert "Nothing more to do with this alert." in html

    # A stale page (someone dismissed it meanwhile): refused with a warning, nothing changes.
    refused = dpo_client.post(status_url(dismissed), {"status": "acknowledged"}, follow=True)
    assert "can no longer be marked “Acknowledged”: it is “Dismissed” now" in refused.content.decode()
    dismissed.refresh_from_db()
    assert dismissed.status == "dismissed"
    assert dpo_client.post(status_url(alerts[2]), {"status": "open"}).status_code == 400
    assert dpo_client.post(status_url(alerts[2]), {}).status_code == 400
    assert dpo_client.get(status_url(alerts[2])).status_code == 405
    assert dpo_client.post(f"{QUEUE}999999/status/", {"status": "dismissed"}).status_code == 404
    alerts[2].refresh_from_db()
    assert alerts[2].status == "open"


def test_the_buttons_need_the_permission_and_the_csrf_token(alerts):
    alert = alerts[0]
    # Staff who may look at alerts but not handle them: no buttons, and a forged post is refused.
    viewer = UserFactory(username="auditor", is_staff=True)
    viewer.user_permissions.add(*_permissions("view_sensitivealert"))
    client = Client()
    client.force_login(viewer)
    html = client.get(page_of(alert)).content.decode()
    assert 'id="alert-dismissed"' not in html
    assert client.post(status_url(alert), {"status": "dismissed"}).status_code == 403
    # The DPO's own browser, without the form's token: refused too.
    dpo = UserFactory(username="dpo-csrf", role="DPO", is_staff=True)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(dpo)
    assert strict.post(status_url(alert), {"status": "dismissed"}).status_code == 403
    alert.refresh_from_db()
    assert alert.status == "open"


def test_the_queue_opens_on_the_open_alerts_with_their_count_and_all_stay_one_click_away(dpo_client, dpo, alerts):
    services.alert_set_status(alert=alerts[0], status="dismissed", actor=dpo)
    first = dpo_client.get(QUEUE)
    assert (first.status_code, first["Location"]) == (302, f"{QUEUE}?status__exact=open")
    # Other filters are kept when the status one is added.
    assert dpo_client.get(f"{QUEUE}?severity__exact=high")["Location"] == (
        f"{QUEUE}?severity__exact=high&status__exact=open"
    )
    assert dpo_client.get(f"{QUEUE}?status__exact=bogus")["Location"] == f"{QUEUE}?status__exact=open"

    opened = dpo_client.get(f"{QUEUE}?status__exact=open")
    html = opened.content.decode()
    assert list(opened.context["cl"].result_list) == [alerts[2], alerts[1]]
    assert "Open alerts: 2" in html
    assert "Open (2)" in html and "Dismissed (1)" in html and "All alerts (3)" in html
    assert "?status__exact=all" in html

    everything = dpo_client.get(f"{QUEUE}?status__exact=all")
    assert everything.status_code == 200 and len(everything.context["cl"].result_list) == 3
    dismissed = dpo_client.get(f"{QUEUE}?status__exact=dismissed")
    assert list(dismissed.context["cl"].result_list) == [alerts[0]]


def test_the_page_and_the_queue_speak_the_dpos_language(dpo_client, alerts):
    dpo_client.cookies["django_language"] = "de"
    html = dpo_client.get(page_of(alerts[0])).content.decode()
    assert "Zur Kenntnis nehmen" in html and "Verwerfen" in html and "Diese Warnung ist „Offen“." in html
    queue = dpo_client.get(f"{QUEUE}?status__exact=open").content.decode()
    assert "Offene Warnungen: 3" in queue and "Alle Warnungen (3)" in queue


def _permissions(*codenames: str) -> list:
    from django.contrib.auth.models import Permission

    return list(Permission.objects.filter(content_type__app_label="conversations", codename__in=codenames))
