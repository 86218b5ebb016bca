"""The self-service page in a real browser (issue "Subject rights", acceptance): a Brazilian customer files an
access request in Portuguese, gets the code over WhatsApp through the fake Graph API, enters it, sees the
reference and the due date; the DPO fulfils it in the admin; the customer downloads the ZIP from the status
page, and it holds her messages."""

import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from retention.models import SubjectRequest
from tests.conftest import DORA_PASSWORD, log_in

WA_ID = "5511987654321"
TEXT = "Olá, meu pedido 8812 ainda não chegou"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_access_request_from_the_page_to_the_download(asgi_server, fake_graph, chromium, dora, anna, settings,
                                                         tmp_path):  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ERASURE_JOURNAL_PATH = tmp_path / "journal.jsonl"
    status, _ = fake_graph.customer_says(WA_ID, "Joana Silva", TEXT)  # a customer we know, on WhatsApp
    assert status == 200

    customer = chromium.new_context(locale="pt-BR", accept_downloads=True).new_page()
    customer.set_default_timeout(15_000)
    customer.goto(f"{asgi_server}/privacy/")
    expect(customer.locator("html")).to_have_attribute("lang", "pt-br")  # the browser's language
    expect(customer.locator("h1")).to_have_text("Seus dados, seus direitos")
    customer.get_by_label("Acesso: uma cópia dos meus dados").check()
    customer.get_by_label("Pelo WhatsApp").check()
    customer.get_by_label("Seu número de WhatsApp (com o código do país) ou e-mail").fill(f"+{WA_ID}")
    customer.get_by_role("button", name="Enviar código").click()
    expect(customer.locator("h1")).to_have_text("Digite seu código")

    assert fake_graph.wait_for(lambda: fake_graph.sent_codes(to=WA_ID), timeout=10)  # an authentication template
    [code] = fake_graph.sent_codes(to=WA_ID)
    customer.get_by_label("O código de seis dígitos que enviamos a você").fill(code)
    customer.get_by_role("button", name="Confirmar").click()

    expect(customer.locator("h1")).to_have_text("Sua solicitação")
    [request] = SubjectRequest.objects.all()
    expect(customer.locator("#reference")).to_have_text(request.reference)
    expect(customer.locator("#state")).to_have_text("Identidade verificada")
    expect(customer.locator("#due")).not_to_be_empty()
    assert (request.kind, request.channel, request.jurisdiction) == ("access", "self_service", "LGPD")
    status_page = customer.url

    dpo = chromium.new_context(locale="en-GB").new_page()
    dpo.set_default_timeout(15_000)
    log_in(dpo, f"{asgi_server}/admin/login/", "dora", DORA_PASSWORD)
    dpo.goto(f"{asgi_server}/admin/retention/subjectrequest/")
    row = dpo.locator("#result_list tr", has_text=request.reference)
    row.locator("input[name=_selected_action]").check()
    dpo.select_option("select[name=action]", "fulfil")
    dpo.get_by_role("button", name=re.compile("Go|Run")).click()
    expect(dpo.locator(".messagelist")).to_contain_text("1 request(s): fulfilled.")

    customer.goto(status_page)
    expect(customer.locator("#state")).to_have_text("Concluída")
    with customer.expect_download() as download_info:
        customer.locator("#download").click()
    archive = zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read()))
    data = json.loads(archive.read("data.json"))
    texts = [m["content"].get("text") for m in data["categories"]["messages"]]
    assert TEXT in texts
    assert request.downloads.count() == 1
