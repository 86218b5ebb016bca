"""The self-service page: the same answer for everyone, the code through the channel, the request with its
reference and due date, the status page, in the customer's language."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing
from django.utils import formats, timezone, translation

from consent import services as consent_services
from consent.models import Subject
from retention.models import SubjectRequest
from retention.services.request_status import request_status_path
from retention.services.requests import request_receive

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _paths(settings, tmp_path):
    settings.ERASURE_JOURNAL_PATH = tmp_path / "journal.jsonl"
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _known(address: str = "joana@example.com.br") -> Subject:
    subject, _ = consent_services.subject_get_or_create_by_contact(kind="email", value=address, language="pt-br",
                                                                  actor=None)  # fmt: skip
    Subject.objects.filter(pk=subject.pk).update(jurisdiction="LGPD")
    return Subject.objects.get(pk=subject.pk)


def _strip(page: bytes) -> str:
    """The page without what differs on every response (the CSRF token, the Content-Security-Policy nonce)."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.decode())
    return re.sub(r'nonce="[^"]+"', "", text)


@pytest.fixture(autouse=True)
def _after_commit(django_capture_on_commit_callbacks):
    """The code goes out in a task after the commit: run those callbacks as the server would."""
    global _commits
    _commits = django_capture_on_commit_callbacks


def _start(client, address: str, *, lang: str = "pt-br"):
    with _commits(execute=True):
        return client.post(f"/privacy/?lang={lang}", {"kind": "access", "channel": "email", "identifier": address})


def test_the_page_speaks_the_browsers_language_and_offers_a_visible_switch(client):
    page = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9").content.decode()
    assert '<html lang="pt-br">' in page and "Seus dados, seus direitos" in page
    for code in ("en", "de", "nl", "it"):
        assert f'href="/privacy/?lang={code}"' in page
    german = client.get("/privacy/?lang=de")
    assert "Ihre Daten, Ihre Rechte" in german.content.decode() and german.cookies["django_language"].value == "de"
    assert 'name="csrfmiddlewaretoken"' in german.content.decode()


def test_known_and_unknown_addresses_get_the_same_answer_and_only_the_known_one_a_code(client):
    _known()
    known = _start(client, "joana@example.com.br")
    known_page = client.get(known["Location"])
    other = client.__class__()
    unknown = _start(other, "ninguem@example.com.br")
    unknown_page = other.get(unknown["Location"])
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert _strip(known_page.content) == _strip(unknown_page.content)
    [message] = mail.outbox  # the task ran after commit: one code, to the known address only
    assert message.to == ["joana@example.com.br"]


def test_the_code_files_the_request_and_the_status_page_shows_its_reference_and_due_date(client):
    joana = _known()
    client.get(_start(client, "joana@example.com.br")["Location"])
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    wrong = client.post("/privacy/code/?lang=pt-br", {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 400 and not SubjectRequest.objects.exists()
    done = client.post("/privacy/code/?lang=pt-br", {"code": code})
    assert done.status_code == 302 and "/privacy/requests/" in done["Location"]
    [request] = SubjectRequest.objects.all()
    assert (request.subject, request.kind, request.channel, request.state) == (joana, "access", "self_service",
                                                                                "verified")  # fmt: skip
    page = client.get(done["Location"]).content.decode()
    assert request.reference in page and "Identidade verificada" in page
    with translation.override("pt-br"):  # "1 de janeiro de 2027": the day in São Paulo, in her words
        due = formats.date_format(request.deadline.astimezone(ZoneInfo("America/Sao_Paulo")), "DATE_FORMAT")
    assert re.search(r"\d{1,2} de \w+ de \d{4}", due) and f'<dd id="due">{due}</dd>' in page
    # The link is the credential: a forged one finds nothing.
    assert client.get("/privacy/requests/forged-token/").status_code == 404


def test_the_status_link_needs_its_requests_own_key_and_ends_a_month_after_it_closed(client, settings):
    request = request_receive(kind="access", channel="email", actor=None, subject=_known(), verified=True)
    assert client.get(request_status_path(request=request)).status_code == 200
    # Signed with our SECRET_KEY, but without the request's key: what a leaked SECRET_KEY alone would make.
    for forged in ({"r": request.pk, "k": "guessed"}, {"r": request.pk}, request.pk):
        token = signing.dumps(forged, salt="retention.request_status.link", compress=False)
        assert client.get(f"/privacy/requests/{token}/").status_code == 404
    assert (
        client.get(f"/privacy/requests/{signing.dumps(request.pk, salt='retention.pages.status')}/").status_code == 404
    )  # the links made before the key existed
    missing = SubjectRequest(pk=request.pk + 1000, status_key=request.status_key)
    assert client.get(request_status_path(request=missing)).status_code == 404  # as for a request that is not there

    closed = SubjectRequest.objects.filter(pk=request.pk)
    closed.update(state="completed", closed_at=timezone.now() - timedelta(days=29))
    assert client.get(request_status_path(request=request)).status_code == 200
    SubjectRequest.objects.filter(pk=request.pk).update(closed_at=timezone.now() - timedelta(days=31))
    ended = client.get(request_status_path(request=request) + "?lang=pt-br")
    assert ended.status_code == 410 and "Este link expirou" in ended.content.decode()
    assert request.reference not in ended.content.decode()


def test_behind_our_proxy_the_code_limit_counts_each_clients_address(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    proxied = {"REMOTE_ADDR": "10.0.0.5"}

    def ask(n: int, forwarded: str, **meta: str) -> int:
        with _commits(execute=True):
            return client.post("/privacy/?lang=en", {"kind": "access", "channel": "email",
                                                     "identifier": f"person{n}@example.org"},
                               HTTP_X_FORWARDED_FOR=forwarded, **meta).status_code  # fmt: skip

    assert [ask(n, "203.0.113.7", **proxied) for n in range(11)] == [302] * 10 + [429]  # ten an hour, then refused
    assert ask(11, "198.51.100.20", **proxied) == 302  # another customer behind the same proxy: her own limit
    # Someone reaching us directly cannot pose as a fresh address: the header is not believed from them.
    assert [ask(20 + n, f"192.0.2.{n}", REMOTE_ADDR="203.0.113.7") for n in range(2)] == [429, 429]


def test_five_wrong_codes_lock_it_and_the_right_one_is_refused_then(client):
    _known()
    client.get(_start(client, "joana@example.com.br")["Location"])
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert client.post("/privacy/code/?lang=en", {"code": wrong}).status_code == 400
    locked = client.post("/privacy/code/?lang=en", {"code": code})
    assert locked.status_code == 400 and "locked" in locked.content.decode() and not SubjectRequest.objects.exists()


def test_bad_input_is_a_clear_error_and_nothing_is_started(client):
    bad = client.post("/privacy/?lang=en", {"kind": "access", "channel": "whatsapp", "identifier": "hello"})
    assert bad.status_code == 400 and "not a WhatsApp number" in bad.content.decode()
    assert client.get("/privacy/code/").status_code == 302  # no code step without a start


def test_see_my_requests_lists_hers_after_the_code_and_records_nothing_new(client):
    joana = _known()
    open_one = request_receive(kind="erasure", channel="chat", actor=None, subject=joana, verified=True)
    old = request_receive(kind="access", channel="email", actor=None, subject=joana)
    SubjectRequest.objects.filter(pk=old.pk).update(state="completed", closed_at=timezone.now() - timedelta(days=40))
    other = request_receive(kind="access", channel="email", actor=None, subject=_known("otto@example.com.br"))
    mail.outbox.clear()
    with _commits(execute=True):
        started = client.post("/privacy/?lang=pt-br", {"kind": "see_mine", "channel": "email",
                                                        "identifier": "joana@example.com.br"})  # fmt: skip
    assert started.status_code == 302
    code = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)
    page = client.post("/privacy/code/?lang=pt-br", {"code": code})
    html = page.content.decode()
    assert page.status_code == 200 and "Seus pedidos" in html
    assert open_one.reference in html and old.reference not in html and other.reference not in html
    assert SubjectRequest.objects.count() == 3  # nothing recorded
    [link] = re.findall(r'href="(/privacy/requests/[^"]+)"', html)
    assert open_one.reference in client.get(link).content.decode()
    assert client.get("/privacy/code/").status_code == 302  # the code is used: the list is not shown again
