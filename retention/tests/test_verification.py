"""One-time codes (retention.services.verification): they reach a known customer through the fake Graph API or
by e-mail, reach no stranger, answer alike either way, verify once, expire, lock, are rate-limited, are never
stored, and go with their subject."""

import json
import logging
import re
import uuid
from datetime import timedelta

import httpx
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consent.exceptions import InvalidContactPoint
from consent.services import subject_restrict
from consent.tests.factories import SubjectFactory
from conversations.models import Conversation, ConversationStatus, Message, MessageStatus
from devtools.fakegraph import FakeGraphAPI
from retention import registry
from retention.exceptions import ChallengeExpired, ChallengeLocked, ChallengeUsed, RateLimited, WrongCode
from retention.models import ErasureReason, RetentionRule, VerificationChallenge
from retention.services import purge_expired, subject_erase
from retention.services.verification import (
    PER_ADDRESS_PER_HOUR,
    PER_IDENTIFIER_PER_HOUR,
    challenge_send,
    challenge_start,
    challenge_verify,
)

pytestmark = pytest.mark.django_db

NUMBER = "+49 151 23456789"  # Erika's, as a person types it
WA_ID = "4915123456789"  # as the Cloud API writes it
STRANGER = "+49 151 99999999"
ADDRESS = "anna.souza@example.org"
IP = "203.0.113.7"


@pytest.fixture
def fake(settings):
    """The fake Graph API on loopback, the app's WhatsApp settings pointing at it (no status webhooks)."""
    settings.OUTBOUND_BACKOFF_SECONDS = 0.001
    api = FakeGraphAPI(access_token=settings.WHATSAPP_ACCESS_TOKEN, auto_statuses=()).start()
    settings.WHATSAPP_API_BASE = api.url
    yield api
    api.stop()


@pytest.fixture
def erika(db):
    return SubjectFactory(value=NUMBER, display_name="Erika Mustermann")


@pytest.fixture
def anna(db):
    return SubjectFactory(kind="email", value="Anna.Souza@Example.org", display_name="Anna Souza", language="pt-br")


@pytest.fixture
def logged():
    """What our code logs, as it logs it: read before the console's redacting filter (which would mask a number
    that slipped through) sees the record."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Keep(level=logging.DEBUG)
    loggers = [logging.getLogger(name) for name in ("retention", "conversations", "devtools")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    yield lines
    for logger, level in zip(loggers, levels, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


@pytest.fixture
def start(django_capture_on_commit_callbacks):
    """``challenge_start`` as a request makes it: committed, and so its task run (the test backend runs tasks
    at once, as the task would run in the worker)."""

    def run(value: str = NUMBER, *, kind: str = "whatsapp", ip: str = IP, language: str = "de"):
        with django_capture_on_commit_callbacks(execute=True):
            return challenge_start(kind=kind, value=value, ip=ip, language=language)

    return run


def _other(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def _public(challenge: VerificationChallenge) -> dict:
    """What the page may learn from a challenge."""
    return {
        "type": type(challenge),
        "fields": sorted(f.attname for f in challenge._meta.concrete_fields),
        "kind": challenge.kind,
        "lifetime": challenge.expires_at - challenge.created_at,
        "attempts": challenge.attempts,
        "contact_point": challenge.contact_point_id,
        "sent_at": challenge.sent_at,
        "verified_at": challenge.verified_at,
        "locked_at": challenge.locked_at,
        "hash_length": len(challenge.code_hash),
    }


# --- Sending ------------------------------------------------------------------------------------------------


def test_a_known_whatsapp_customer_gets_the_code_as_an_authentication_template(fake, erika, start):
    challenge = start()

    [send] = fake.sends
    [code] = fake.sent_codes(to=WA_ID)
    assert re.fullmatch(r"\d{6}", code)
    assert send.body == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": WA_ID,
        "type": "template",
        "template": {
            "name": "verification_code",
            "language": {"code": "de"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": code}]},
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": code}]},
            ],
        },
    }
    challenge.refresh_from_db()
    assert challenge.contact_point == erika.contact_points.get() and challenge.sent_at is not None
    # Through the outbound pipeline: a message, sent, kept with the code masked, in a conversation that is no
    # work for an agent (she had none open).
    message = Message.objects.get()
    assert message.status == MessageStatus.SENT and message.provider_message_id == fake.accepted_ids[0]
    assert message.template_name == "verification_code" and message.author is None
    assert code not in json.dumps(message.content) and "••••••" in message.content["text"]
    assert message.conversation.status == ConversationStatus.RESOLVED
    assert challenge_verify(challenge_id=challenge.pk, code=code).verified_at is not None


def test_the_code_joins_her_conversation_in_progress_on_that_number(fake, erika, start):
    from conversations.tests.factories import ConversationFactory

    conversation = ConversationFactory(channel="whatsapp", subject=erika, contact_point=erika.contact_points.get())
    start(language="pt-BR")
    message = Message.objects.get()
    assert message.conversation == conversation and Conversation.objects.count() == 1
    assert fake.sends[0].body["template"]["language"] == {"code": "pt_BR"}


def test_a_known_address_gets_the_code_by_email_in_the_persons_language(anna, start):
    challenge = start(ADDRESS.upper(), kind="email", language="pt-br")

    [sent] = mail.outbox
    assert sent.to == [ADDRESS]
    assert sent.subject == "Seu código de verificação"
    code = re.search(r"Seu código de verificação é (\d{6})\.", sent.body).group(1)
    assert "10 minutos" in sent.body and "não compartilhe" in sent.body
    assert challenge_verify(challenge_id=challenge.pk, code=code).verified_at is not None


def test_the_email_follows_the_language_of_the_page(anna, start):
    start(ADDRESS, kind="email", language="de")
    assert mail.outbox[0].subject == "Ihr Bestätigungscode" and "innerhalb von 10 Minuten" in mail.outbox[0].body


def test_nothing_goes_to_a_stranger_and_the_answer_is_the_same(fake, erika, anna, start):
    known = start(NUMBER)
    unknown = start(STRANGER)
    known_mail = start(ADDRESS, kind="email")
    unknown_mail = start("nobody@example.org", kind="email")

    assert [s.body["to"] for s in fake.sends] == [WA_ID] and len(mail.outbox) == 1
    assert _public(known) == _public(unknown) == {**_public(known_mail), "kind": "whatsapp"}
    assert _public(unknown_mail) == _public(known_mail)
    unknown.refresh_from_db()
    assert unknown.contact_point is None and unknown.sent_at is None
    # Whatever is entered, an unknown identifier's challenge answers as a wrong code does.
    with pytest.raises(WrongCode) as refused:
        challenge_verify(challenge_id=unknown.pk, code="123456")
    assert refused.value.extra == {"attempts_left": 4}


def test_the_request_does_the_same_database_work_for_known_and_unknown(erika, django_capture_on_commit_callbacks):
    def work(value: str) -> tuple[list[str], int]:
        capture = django_capture_on_commit_callbacks(execute=False)
        with capture as callbacks, CaptureQueriesContext(connection) as queries:
            challenge_start(kind="whatsapp", value=value, ip=IP, language="de")
        # The statements, their values left out (the identifiers' hashes differ, nothing else may).
        values = r"'[^']*'|\"s\d+_x\d+\"|-?\b\d+\b|%s"  # a lock key's sign and spacing vary with the hash
        statements = [re.sub(r"\s+", " ", re.sub(values, "?", q["sql"])) for q in queries.captured_queries]
        return statements, len(callbacks)

    assert work(NUMBER) == work(STRANGER)


def test_the_request_path_sends_nothing_the_task_does(fake, erika, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        challenge = challenge_start(kind="whatsapp", value=NUMBER, ip=IP, language="de")
    assert len(callbacks) == 1 and fake.sends == [] and Message.objects.count() == 0
    [queued] = default_task_backend.results
    assert queued.task.name == "challenge_send" and queued.kwargs == {"challenge_id": str(challenge.pk)}
    assert queued.args == []  # the challenge's id alone: no code (there is none yet), no number

    assert challenge_send.call(**queued.kwargs) == "sent"
    assert len(fake.sent_codes(to=WA_ID)) == 1
    assert challenge_send.call(**queued.kwargs) == "over"  # run twice: one code only
    assert len(fake.sends) == 1


def test_a_restricted_customer_is_sent_nothing(fake, erika, anna, start):
    subject_restrict(subject=erika, ground="accuracy", actor=None, reason="contested")
    subject_restrict(subject=anna, ground="accuracy", actor=None, reason="contested")
    start(NUMBER)
    start(ADDRESS, kind="email")
    assert fake.sends == [] and mail.outbox == [] and Message.objects.count() == 0


def test_what_is_no_number_or_address_is_refused_alike(erika):
    for kind, value in [("whatsapp", "not a number"), ("email", "nobody@"), ("webchat", "visitor-1")]:
        with pytest.raises(InvalidContactPoint):
            challenge_start(kind=kind, value=value, ip=IP, language="de")
    assert VerificationChallenge.objects.count() == 0


def test_a_failed_send_is_logged_without_the_recipient(fake, erika, start, logged, settings):
    settings.OUTBOUND_MAX_ATTEMPTS = 1
    fake.fail_next(status=400, code=131026, message="Message undeliverable")
    challenge = start()
    assert Message.objects.get().status == MessageStatus.FAILED
    assert f"verification challenge {challenge.pk}: code failed by whatsapp" in logged
    assert not any(WA_ID in line or "23456789" in line for line in logged)


# --- Verifying ----------------------------------------------------------------------------------------------


def test_a_right_code_verifies_once(fake, erika, start):
    challenge = start()
    [code] = fake.sent_codes()
    verified = challenge_verify(challenge_id=str(challenge.pk), code=f" {code[:3]} {code[3:]} ")  # as typed
    assert verified.verified_at is not None and verified.contact_point.subject == erika
    with pytest.raises(ChallengeUsed):
        challenge_verify(challenge_id=challenge.pk, code=code)


def test_the_code_expires_after_ten_minutes(fake, erika, start):
    challenge = start()
    [code] = fake.sent_codes()
    assert challenge.expires_at - challenge.created_at == timedelta(minutes=10)
    past = timezone.now() - timedelta(minutes=10, seconds=1)
    VerificationChallenge.objects.filter(pk=challenge.pk).update(
        created_at=past, expires_at=past + timedelta(minutes=10)
    )
    with pytest.raises(ChallengeExpired):
        challenge_verify(challenge_id=challenge.pk, code=code)
    for nonsense in (uuid.uuid4(), "not-a-uuid"):  # no such challenge (erased, purged), or garbage
        with pytest.raises(ChallengeExpired):
            challenge_verify(challenge_id=nonsense, code=code)


def test_five_wrong_codes_lock_it_and_then_even_the_right_code_is_refused(fake, erika, start):
    challenge = start()
    [code] = fake.sent_codes()
    left = []
    for _ in range(4):
        with pytest.raises(WrongCode) as refused:
            challenge_verify(challenge_id=challenge.pk, code=_other(code))
        left.append(refused.value.extra["attempts_left"])
    assert left == [4, 3, 2, 1]
    with pytest.raises(ChallengeLocked):
        challenge_verify(challenge_id=challenge.pk, code="")
    with pytest.raises(ChallengeLocked):
        challenge_verify(challenge_id=challenge.pk, code=code)
    challenge.refresh_from_db()
    assert challenge.attempts == 5 and challenge.locked_at is not None and challenge.verified_at is None


def test_the_code_template_is_approved_with_the_challenges_expiry(settings):
    from retention.models.verification import CODE_LIFETIME

    template = settings.WHATSAPP_TEMPLATES["verification_code"]
    assert template["category"] == "AUTHENTICATION" and template["button"] == "copy_code"
    assert template["code_expiration_minutes"] * 60 == CODE_LIFETIME.total_seconds()
    assert set(template["languages"]) == {"en", "de", "nl", "it", "pt_BR"} == set(template["preview"])


# --- Rate limits --------------------------------------------------------------------------------------------


def _refusal(start, value: str, ip: str) -> tuple:
    with pytest.raises(RateLimited) as refused:
        start(value, ip=ip)
    return type(refused.value), refused.value.code, refused.value.message, refused.value.http_status


def test_at_most_three_codes_per_identifier_an_hour_known_or_not(fake, erika, start):
    for n in range(PER_IDENTIFIER_PER_HOUR):
        start(NUMBER, ip=f"198.51.100.{n}")
        start(STRANGER, ip=f"198.51.100.{n}")
    assert PER_IDENTIFIER_PER_HOUR == 3 and len(fake.sends) == 3
    known, unknown = _refusal(start, NUMBER, "192.0.2.1"), _refusal(start, STRANGER, "192.0.2.1")
    assert known == unknown == (RateLimited, "rate_limited", "too many one-time codes asked for within the hour", 429)
    with pytest.raises(RateLimited) as refused:
        start("+49 1512 3456789", ip="192.0.2.2")  # the same number, written otherwise
    assert 0 < refused.value.extra["retry_after"] <= 3600
    assert VerificationChallenge.objects.count() == 6 and len(fake.sends) == 3  # refusals leave nothing

    hour_ago = timezone.now() - timedelta(hours=1, seconds=1)
    VerificationChallenge.objects.update(created_at=hour_ago, expires_at=hour_ago + timedelta(minutes=10))
    start(NUMBER, ip="192.0.2.3")
    assert len(fake.sends) == 4


def test_at_most_ten_codes_per_address_an_hour(fake, erika, start):
    for n in range(PER_ADDRESS_PER_HOUR - 1):
        start(f"+49 151 000000{n:02d}")
    start(NUMBER)
    assert PER_ADDRESS_PER_HOUR == 10 and len(fake.sends) == 1
    assert _refusal(start, "+49 151 11111111", IP) == _refusal(start, NUMBER, IP)
    start(NUMBER, ip="2001:db8::1")  # another machine
    assert len(fake.sends) == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # each thread its own connection
def test_the_limits_hold_for_requests_at_the_same_moment():
    """Eight requests for one number at once, each on its own connection (as from several server processes):
    three get a code, five are refused; the count is taken one request after the other."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    barrier = Barrier(8)

    def ask(n: int) -> str:
        try:
            barrier.wait()
            challenge_start(kind="whatsapp", value=STRANGER, ip=f"198.51.100.{n}", language="en")
            return "started"
        except RateLimited:
            return "refused"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = sorted(pool.map(ask, range(8)))
    assert outcomes == ["refused"] * 5 + ["started"] * 3
    assert VerificationChallenge.objects.count() == 3


# --- What is kept -------------------------------------------------------------------------------------------


def test_codes_numbers_and_addresses_are_never_stored_or_logged(fake, erika, anna, start, logged):
    whatsapp = start()
    email = start(ADDRESS, kind="email")
    text = "\n".join(logged)
    [code] = fake.sent_codes()
    emailed = re.search(r"\d{6}", mail.outbox[0].body).group(0)
    table = VerificationChallenge._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")
        stored = json.dumps([[str(value) for value in row] for row in cursor.fetchall()])
    for secret in (code, emailed, WA_ID, "23456789", ADDRESS, IP):
        assert secret not in stored
        assert secret not in text
    # The columns hold hashes: the identifier's blind index is the contact point's, the address is keyed.
    whatsapp.refresh_from_db()
    assert whatsapp.value_index == erika.contact_points.get().value_index
    assert re.fullmatch(r"[0-9a-f]{64}", whatsapp.code_hash) and re.fullmatch(r"[0-9a-f]{64}", whatsapp.ip_hash)
    assert f"verification challenge {email.pk}: code sent by email" in logged  # by its id, and the channel


def test_the_challenge_is_erased_with_its_subject(fake, erika, start, settings, tmp_path):
    settings.ERASURE_JOURNAL_PATH = tmp_path / "erasure-journal.jsonl"
    hers = start()
    strangers = start(STRANGER)
    receipt = subject_erase(subject=erika, actor=None, reason=ErasureReason.SUBJECT_REQUEST)
    assert not VerificationChallenge.objects.filter(pk=hers.pk).exists()
    assert VerificationChallenge.objects.filter(pk=strangers.pk).exists()  # nobody's: it goes by its clock
    assert receipt.counts["subject_requests"] == 1


def test_the_registry_declares_it_for_export_erasure_and_purge():
    [declaration] = [d for d in registry.declarations() if d.model == "retention.VerificationChallenge"]
    assert declaration.subject == "contact_point__subject" and declaration.erasure == "delete"
    assert set(declaration.clocks) == {"collected", "request_closed"}


def test_the_purge_removes_challenges_after_their_period(fake, erika, start, settings, tmp_path):
    settings.ERASURE_JOURNAL_PATH = tmp_path / "erasure-journal.jsonl"
    start()
    start(STRANGER)
    rule = RetentionRule.objects.get(category="subject_requests")  # as shipped: "request closed", three years
    assert (rule.clock, rule.period_days) == ("request_closed", 1095)
    now = timezone.now()
    # A challenge is closed when it expires and goes a day later, not three years later: a stranger's attempt
    # on a customer's number is not kept beside her record.
    purge_expired(categories=["subject_requests"])
    assert VerificationChallenge.objects.count() == 2
    VerificationChallenge.objects.update(expires_at=now - timedelta(hours=25))
    run = purge_expired(categories=["subject_requests"])
    assert VerificationChallenge.objects.count() == 0 and run.counts == {"subject_requests": 2}

    RetentionRule.objects.filter(pk=rule.pk).update(clock="collected", period_days=30)  # a DPO's shorter rule
    start(NUMBER, ip="192.0.2.9")
    purge_expired(categories=["subject_requests"], now=now + timedelta(days=29))
    assert VerificationChallenge.objects.count() == 1
    purge_expired(categories=["subject_requests"], now=now + timedelta(days=31))
    assert VerificationChallenge.objects.count() == 0


def test_the_export_shows_her_challenges_without_hashes(fake, erika, start, tmp_path):
    import zipfile

    from retention.services import subject_export

    start()
    subject_export(subject=erika, path=tmp_path / "e.zip")
    data = json.loads(zipfile.ZipFile(tmp_path / "e.zip").read("data.json"))
    [record] = [r for r in data["categories"]["subject_requests"] if r["record"] == "VerificationChallenge"]
    assert set(record) == {"record", "channel", "asked_at", "expires_at", "sent_at", "wrong_codes", "locked_at",
                           "verified_at"}  # fmt: skip
    assert record["channel"] == "whatsapp" and record["wrong_codes"] == 0


# --- The fake Graph API checks authentication templates as Meta does -------------------------------------


CODE = [{"type": "text", "text": "123456"}]
BODY = {"type": "body", "parameters": CODE}


@pytest.mark.parametrize(
    ("components", "error"),
    [
        ([BODY], 131008),  # no copy-code button
        ([BODY, {"type": "button", "sub_type": "copy_code", "index": "0", "parameters": CODE}], 131009),  # sent as url
        ([BODY, {"type": "button", "sub_type": "url", "index": "0",
                 "parameters": [{"type": "text", "text": "654321"}]}], 131009),  # another code on the button
        ([{"type": "button", "index": "0", "parameters": []}], 100),  # no sub_type
    ],
)  # fmt: skip
def test_the_fake_refuses_an_authentication_template_meta_would_refuse(fake, components, error):
    template = {"name": "verification_code", "language": {"code": "en"}, "components": components}
    body = {"messaging_product": "whatsapp", "to": WA_ID, "type": "template", "template": template}
    response = httpx.post(f"{fake.url}/106540352242922/messages", json=body,
                          headers={"Authorization": f"Bearer {fake.access_token}"})  # fmt: skip
    assert response.status_code == 400 and response.json()["error"]["code"] == error
    assert fake.sent_codes() == []
