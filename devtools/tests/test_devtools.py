"""The development tools: present in development, absent from a production install."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from consent.ledger import ledger_verify
from consent.models import ConsentEvent, PrivacyNotice, Purpose, Subject
from conversations.models import Team
from tests.processes import manage, production_env, run_python

DEV_COMMANDS = ("fake_graph_api", "play_customer", "seed_demo")


def test_production_install_has_none_of_the_dev_commands():
    listed = manage("help", **production_env())
    assert listed.returncode == 0, listed.stderr
    assert "[consent]" in listed.stdout and "verify_ledger" in listed.stdout  # the listing itself worked
    for command in DEV_COMMANDS:
        assert command not in listed.stdout
        refused = manage(command, "--help", **production_env())
        assert refused.returncode != 0 and "Unknown command" in refused.stderr


def test_production_urls_have_no_demo_page_and_no_devtools_app():
    probe = (
        "import django; django.setup(); from django.apps import apps; from django.urls import Resolver404, resolve\n"
        "print(apps.is_installed('devtools'))\n"
        "try:\n    resolve('/webchat/demo/'); print('demo page served')\n"
        "except Resolver404:\n    print('no demo page')\n"
    )
    result = run_python(probe, DJANGO_SETTINGS_MODULE="contactcenter.settings", **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "no", "demo", "page"]


def test_development_lists_the_dev_commands():
    listed = manage("help")
    assert listed.returncode == 0, listed.stderr
    assert "[devtools]" in listed.stdout
    for command in DEV_COMMANDS:
        assert command in listed.stdout


def test_devtools_on_without_debug_is_a_deploy_warning():
    checked = manage("check", "--deploy", "--fail-level", "WARNING", **production_env(DEVTOOLS="1"))
    assert checked.returncode != 0
    assert "contactcenter.W001" in checked.stderr + checked.stdout


@pytest.mark.django_db
def test_the_demo_page_embeds_the_widget_with_one_script_tag(client):
    assert reverse("webchat:demo") == "/webchat/demo/"
    response = client.get("/webchat/demo/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<script") == 1
    assert 'src="/static/webchat/widget.js"' in page and 'data-server="http://testserver"' in page


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


@pytest.mark.django_db
def test_seed_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_complete(capsys, debug_on):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    for username in ("admin", "dpo", "supervisor", "agent"):
        assert username in out
    assert Team.objects.count() == 2
    assert Purpose.objects.count() == 4
    assert PrivacyNotice.objects.filter(published_at__isnull=False).exclude(document="").count() == 10  # generated
    assert Subject.objects.count() == 2
    assert ConsentEvent.objects.count() == 5
    assert ledger_verify().intact


@pytest.mark.django_db
def test_demo_dpo_signs_in_to_the_admin(client, debug_on):
    call_command("seed_demo")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "dpo", "password": "dpo-demo-pass", "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert b"Consent ledger" in index.content
    agent_login = client.post("/admin/login/", {"username": "agent", "password": "agent-demo-pass"})
    assert agent_login.status_code == 200, "agents have no admin access"
