"""The self-service page's code requests per source address: a script asking for a thousand codes, for as many
identifiers, gets the hour's limit and then a 429 that stores and sends nothing; the address is the client's
behind the proxies we trust, and an IPv6 /64 counts as one."""

import pytest
from django.core import mail

from consent import services as consent_services
from retention.models import VerificationChallenge
from retention.services.verification import PER_ADDRESS_PER_HOUR

pytestmark = pytest.mark.django_db

SCRIPT_IP = "198.51.100.66"


@pytest.fixture(autouse=True)
def _paths(settings, tmp_path):
    settings.ERASURE_JOURNAL_PATH = tmp_path / "journal.jsonl"
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _known(count: int) -> list[str]:
    addresses = [f"kunde{n}@example.org" for n in range(count)]
    for address in addresses:
        consent_services.subject_get_or_create_by_contact(kind="email", value=address, language="de", actor=None)
    return addresses


def _ask(client, identifier: str, *, ip: str, forwarded_for: str | None = None, captured):
    headers = {"REMOTE_ADDR": ip}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    with captured(execute=True):  # the code's task runs after the commit, as on the server
        return client.post(
            "/privacy/?lang=de", {"kind": "access", "channel": "email", "identifier": identifier}, **headers
        )


def test_a_thousand_code_requests_from_one_address_send_only_the_limit(
    client, settings, django_capture_on_commit_callbacks
):
    assert settings.PRIVACY_CODES_PER_ADDRESS_PER_HOUR == PER_ADDRESS_PER_HOUR == 10  # the default
    known = _known(15)
    identifiers = known + [f"fremd{n}@example.org" for n in range(1000 - len(known))]
    answers = [
        _ask(client, identifier, ip=SCRIPT_IP, captured=django_capture_on_commit_callbacks)
        for identifier in identifiers
    ]
    assert [answer.status_code for answer in answers[:10]] == [302] * 10
    refused = answers[10:]
    assert {answer.status_code for answer in refused} == {429}
    assert all(0 < int(answer["Retry-After"]) <= 3601 for answer in refused)
    assert "Es wurden zu viele Codes angefordert" in refused[-1].content.decode()
    # Only the admitted requests left a challenge, and only they sent a code (to the first ten known addresses).
    assert VerificationChallenge.objects.count() == 10
    assert sorted(message.to[0] for message in mail.outbox) == sorted(known[:10])

    # Another address is not held up by the script's.
    assert _ask(client, known[10], ip="192.0.2.10", captured=django_capture_on_commit_callbacks).status_code == 302
    assert len(mail.outbox) == 11


def test_a_spoofed_forwarded_for_counts_against_the_real_peer(client, settings, django_capture_on_commit_callbacks):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.PRIVACY_CODES_PER_ADDRESS_PER_HOUR = 2
    statuses = [
        _ask(client, f"fremd{n}@example.org", ip=SCRIPT_IP, forwarded_for=f"192.0.2.{n}",
             captured=django_capture_on_commit_callbacks).status_code
        for n in range(4)
    ]  # fmt: skip
    assert statuses == [302, 302, 429, 429]
    # Through a trusted proxy the header names the client: each counted as itself.
    proxied = [
        _ask(client, f"anders{n}@example.org", ip="10.1.2.3", forwarded_for=f"192.0.2.{n}",
             captured=django_capture_on_commit_callbacks).status_code
        for n in range(4)
    ]  # fmt: skip
    assert proxied == [302] * 4


def test_ipv6_hosts_in_one_64_share_its_limit(client, settings, django_capture_on_commit_callbacks):
    settings.PRIVACY_CODES_PER_ADDRESS_PER_HOUR = 3
    statuses = [
        _ask(client, f"fremd{n}@example.org", ip=f"2001:db8:5:6::{n + 1:x}",
             captured=django_capture_on_commit_callbacks).status_code
        for n in range(5)
    ]  # fmt: skip
    assert statuses == [302, 302, 302, 429, 429]
    other = _ask(client, "fremd9@example.org", ip="2001:db8:5:7::1", captured=django_capture_on_commit_callbacks)
    assert other.status_code == 302  # the next /64
    assert VerificationChallenge.objects.count() == 4
