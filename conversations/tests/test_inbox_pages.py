"""The inbox pages: login, what an agent sees, and the hooks the browser script and tests rely on."""

import re
from datetime import timedelta

import pytest

from conversations.models import CannedResponse, Message
from conversations.services import message_reply, note_add
from conversations.tests.factories import ConversationFactory, TeamMembershipFactory

pytestmark = pytest.mark.urls("conversations.tests.urls_inbox_test")


@pytest.fixture
def logged_in(client, agent):
    client.force_login(agent)
    return client


def test_anonymous_is_sent_to_the_inbox_login(client, db):
    response = client.get("/inbox/")
    assert response.status_code == 302
    assert response["Location"] == "/inbox/login/?next=/inbox/"
    assert client.get("/inbox/c/1/")["Location"] == "/inbox/login/?next=/inbox/c/1/"


def test_agent_logs_in_on_the_inbox_login_page(client, agent):
    page = client.get("/inbox/login/?next=/inbox/")
    assert page.status_code == 200
    assert b'<label for="id_username">' in page.content and b'<label for="id_password">' in page.content
    response = client.post("/inbox/login/", {"username": "agent1", "password": "x-test-password-1", "next": "/inbox/"})
    assert response.status_code == 302 and response["Location"] == "/inbox/"
    assert client.get("/inbox/").status_code == 200


def test_wrong_password_stays_on_the_login_page(client, agent):
    response = client.post("/inbox/login/", {"username": "agent1", "password": "wrong-password"})
    assert response.status_code == 200
    assert b'role="alert"' in response.content


def test_user_without_inbox_permission_gets_403(client, nobody):
    client.force_login(nobody)
    assert client.get("/inbox/").status_code == 403


def test_list_shows_own_team_with_unread_and_masked_contact(logged_in, support, teams):
    ours = ConversationFactory(channel="whatsapp", team=support, unread_count=3)
    theirs = ConversationFactory(channel="whatsapp", team=teams[1])
    html = logged_in.get("/inbox/").content.decode()
    assert f'data-conversation-id="{ours.pk}"' in html
    assert f'data-conversation-id="{theirs.pk}"' not in html
    assert re.search(r'class="unread-count">3<', html)
    assert "+4915123" not in html  # the number only ever appears masked
    assert 'id="conversation-list"' in html and "inbox/inbox.js" in html


def test_list_filters(logged_in, agent, support):
    mine = ConversationFactory(channel="whatsapp", team=support, assigned_agent=agent)
    queued = ConversationFactory(channel="whatsapp", team=support)
    html = logged_in.get("/inbox/?scope=mine").content.decode()
    assert f'data-conversation-id="{mine.pk}"' in html and f'data-conversation-id="{queued.pk}"' not in html
    html = logged_in.get("/inbox/?scope=unassigned&status=open").content.decode()
    assert f'data-conversation-id="{queued.pk}"' in html and f'data-conversation-id="{mine.pk}"' not in html
    assert logged_in.get("/inbox/?status=resolved").content.decode().count("data-conversation-id=") == 0


def test_conversation_page_shows_messages_ticks_notes_and_customer(logged_in, agent, support, marketing):
    conversation = ConversationFactory(channel="whatsapp", team=support)
    sent = message_reply(conversation=conversation, actor=agent, text="Shipped <b>today</b>")
    failed = message_reply(conversation=conversation, actor=agent, text="Second")
    read = message_reply(conversation=conversation, actor=agent, text="Third")
    Message.objects.filter(pk=sent.pk).update(status="delivered")
    Message.objects.filter(pk=failed.pk).update(
        status="failed", error_code="131047", error_title="Re-engagement message"
    )
    Message.objects.filter(pk=read.pk).update(status="read")
    note_add(conversation=conversation, actor=agent, body="Prefers e-mail")
    CannedResponse.objects.create(team=support, shortcut="thanks", language="de", title="Danke", body="Vielen Dank!")
    CannedResponse.objects.create(team=support, shortcut="thanks", language="en", title="Thanks", body="Thank you!")
    CannedResponse.objects.create(team=support, shortcut="bye", language="en", title="Bye", body="Goodbye!")

    html = logged_in.get(f"/inbox/c/{conversation.pk}/").content.decode()

    assert re.search(rf'data-message-id="{sent.pk}" data-status="delivered"', html)
    assert re.search(rf'data-message-id="{failed.pk}" data-status="failed"', html)
    assert "Re-engagement message (131047)" in html and "tick--failed" in html
    assert "tick--read" in html and "tick--delivered" in html
    assert "Shipped &lt;b&gt;today&lt;/b&gt;" in html  # customer-visible text is escaped
    assert 'class="note"' in html and "Prefers e-mail" in html
    # Canned responses: the subject's language first, English where there is no translation.
    assert "Vielen Dank!" in html and "Thank you!" not in html and "Goodbye!" in html
    # Customer panel: masked contact, language, jurisdiction, consent per purpose.
    assert re.search(r'id="customer-contact">\+49•+\d\d<', html)
    assert 'id="customer-language" data-language="de">German<' in html and 'id="customer-jurisdiction">GDPR<' in html
    assert 'data-purpose="marketing" data-consent-status="none"' in html
    # Keyboard and screen readers: labelled composer, send button, live log.
    assert '<label for="composer-text">' in html and 'id="send"' in html and 'role="log"' in html
    assert 'id="window-countdown"' in html


def test_closed_window_shows_the_template_picker_not_the_composer(logged_in, support):
    conversation = ConversationFactory(channel="whatsapp", team=support, inbound_ago=timedelta(hours=30))
    html = logged_in.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert re.search(r'<form id="composer" class="composer" hidden>', html)
    assert re.search(r'<form id="template-form" class="template-form">', html)
    assert 'value="conversation_followup"' in html
    # The subject's language, in Meta's locale spelling, is preselected.
    assert '<option value="de" selected>' in html


def test_restricted_customer_shows_why_and_offers_no_way_to_send(logged_in, support):
    from consent.services import subject_restrict

    conversation = ConversationFactory(channel="whatsapp", team=support, inbound_ago=timedelta(hours=30))
    subject_restrict(subject=conversation.subject, ground="legal_claims", actor=None, reason="kept for a dispute")
    html = logged_in.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert 'id="restricted"' in html and "Processing restricted" in html and "legal claims" in html
    assert 'id="composer"' not in html and 'id="template-form"' not in html
    assert '<dd id="customer-restriction">Restricted</dd>' in html


def test_foreign_conversation_is_404(logged_in, support, teams):
    theirs = ConversationFactory(channel="whatsapp", team=teams[1])
    assert logged_in.get(f"/inbox/c/{theirs.pk}/").status_code == 404


def test_view_only_user_gets_no_composer_or_actions(client, support):
    from django.contrib.auth.models import Permission

    viewer = TeamMembershipFactory(team=support, user__username="viewer", user__role=None).user
    viewer.user_permissions.add(Permission.objects.get(codename="view_conversation"))
    conversation = ConversationFactory(channel="whatsapp", team=support)
    client.force_login(viewer)
    html = client.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert 'id="composer"' not in html and 'id="assign-me"' not in html and 'id="note-form"' not in html


def test_teammates_and_other_teams_are_offered(logged_in, support, teammate, teams):
    conversation = ConversationFactory(channel="whatsapp", team=support)
    html = logged_in.get(f"/inbox/c/{conversation.pk}/").content.decode()
    assert f'<option value="{teammate.pk}">agent2</option>' in html
    assert f'<option value="{teams[1].pk}">Sales</option>' in html
    assert f'<option value="{support.pk}">Support</option>' not in html


def test_static_files_are_found():
    from django.contrib.staticfiles import finders

    assert finders.find("inbox/inbox.js") and finders.find("inbox/inbox.css")


def test_customer_panel_names_each_purpose_with_its_basis_and_lists_earlier_conversations(
    logged_in, agent, support, outsider, marketing
):
    from consent.tests.factories import PurposeFactory

    PurposeFactory(code="service", label="Customer service", contract=True)
    conversation = ConversationFactory(channel="whatsapp", team=support)
    subject = conversation.subject
    earlier = ConversationFactory(channel="webchat", team=support, subject=subject, status="resolved")
    elsewhere = ConversationFactory(channel="webchat", team=outsider.team_memberships.get().team, subject=subject,
                                    status="resolved")  # fmt: skip
    html = logged_in.get(f"/inbox/c/{conversation.pk}/").content.decode()
    # A contract needs no consent: said so, instead of a bare "none".
    service = re.search(r'<li data-purpose="service"[^>]*>(.*?)</li>', html, flags=re.S).group(1)
    assert (
        "data-on-consent" not in service and "Performance of a contract" in service and "no consent needed" in service
    )
    marketing_row = re.search(r'<li data-purpose="marketing"[^>]*>(.*?)</li>', html, flags=re.S).group(1)
    assert "No consent" in marketing_row and "Consent" in marketing_row
    # The same customer's other conversations, on any channel, as far as this agent may see them.
    panel = html[html.index('id="earlier"') :]
    panel = panel[: panel.index("</ul>")]
    assert f'data-conversation-id="{earlier.pk}"' in panel and "Web chat" in panel and "Resolved" in panel
    assert f'data-conversation-id="{elsewhere.pk}"' not in panel
    assert f'data-conversation-id="{conversation.pk}"' not in panel


def test_the_agent_chooses_the_inbox_language_and_keeps_it_across_sign_ins(client, agent, support):
    client.force_login(agent)
    assert 'lang="en"' in client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post("/inbox/profile/", {"language": "pt-br", "next": "/inbox/?scope=mine"})
    assert response.status_code == 302 and response["Location"] == "/inbox/?scope=mine"
    html = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'lang="pt-br"' in html and "Sair" in html  # "Sign out", whatever the browser asks for
    # A new session (another browser) starts in the chosen language too.
    client.logout()
    client.force_login(agent)
    assert client.session.get("inbox_language") == "pt-br"
    assert 'lang="pt-br"' in client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    # Back to the browser's language; nonsense refused; no redirect off the site.
    assert client.post("/inbox/profile/", {"language": "xx"}).status_code == 400
    response = client.post("/inbox/profile/", {"language": "", "next": "https://evil.example/"})
    assert response["Location"] == "/inbox/"
    assert 'lang="nl"' in client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()


def test_the_assignee_picker_lists_the_team_after_a_transfer(logged_in, agent, support, teammate, teams):
    conversation = ConversationFactory(channel="webchat", team=support)
    answer = logged_in.get(f"/api/v1/conversations/{conversation.pk}/assignees/")
    assert answer.status_code == 200
    assert {row["username"] for row in answer.json()} == {"agent1", "agent2"}
    hidden = ConversationFactory(channel="webchat", team=teams[1])
    assert logged_in.get(f"/api/v1/conversations/{hidden.pk}/assignees/").status_code == 404
