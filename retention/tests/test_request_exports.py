"""The answer to an access or portability request as a download: stored encrypted, offered through a signed link
that ends after seven days, every download recorded, gone with an erasure and with the purge."""

import hashlib
import io
import json
import time
import warnings
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import signing
from django.test import AsyncClient
from django.utils import timezone
from jsonschema import Draft202012Validator

from consent.crypto import DecryptionFailed, ip_hash
from consent.models import AccessRecord
from conversations.models import Direction, Message
from retention.models import DownloadVia, RequestDownload, RequestExport, RequestState, SubjectRequest
from retention.selectors import request_export_current
from retention.services import export_files, purge_expired, subject_erase, subject_export
from retention.services.export import SCHEMA_FILE
from retention.services.request_exports import (
    ExportGone,
    ExportNotFound,
    request_export_link,
    request_export_open,
    request_export_prepare,
)
from retention.services.requests import RequestIncomplete, request_receive, request_withdraw
from retention.tests import scenario

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

IP = "203.0.113.77"


def files_under(root: str) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file()) if Path(root).exists() else []


def url(token: str) -> str:
    return f"/privacy/download/{token}/"


def verified(world, kind: str = "access") -> SubjectRequest:
    return request_receive(kind=kind, channel="chat", actor=world.dpo, subject=world.wilhelmine, verified=True)


@pytest.fixture
def answered(world) -> tuple[SubjectRequest, RequestExport]:
    request = verified(world)
    return request, request_export_prepare(request=request, actor=world.dpo)


def body(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def test_the_stored_file_is_ciphertext_and_the_request_is_completed_and_she_is_told(world, answered, settings):
    request, export = answered
    stored = [p for p in files_under(settings.MEDIA_ROOT) if p.parts[-2] == "exports"]
    assert [p.name for p in stored] == [f"{export.uid.hex}.bin"]  # a random name: nothing of whose it is
    ciphertext = stored[0].read_bytes()
    plaintext = b"".join(export_files.export_file_open(export=export))
    assert zipfile.is_zipfile(io.BytesIO(plaintext)) and b"PK\x03\x04" not in ciphertext
    assert len(plaintext) == export.size and hashlib.sha256(plaintext).hexdigest() == export.sha256
    for value in (scenario.TEXT, scenario.CAPTION, scenario.NOTE, "data.json", scenario.NAME):
        assert value.encode() not in ciphertext, value
    assert scenario.PICTURE[:64] not in ciphertext
    assert export.expires_at - export.created_at == timedelta(days=7)
    request.refresh_from_db()
    assert request.state == RequestState.COMPLETED and request.closed_at is not None
    told = [m.content.get("text", "") for m in Message.objects.filter(conversation__subject=world.wilhelmine,
                                                                    direction=Direction.OUTBOUND)]  # fmt: skip
    assert any(request.reference in text for text in told), told  # in the chat: her window is open
    assert request_export_current(request=request) == export


def test_her_link_gives_her_zip_with_her_messages_and_every_download_is_recorded(world, answered, client, tmp_path):
    request, export = answered
    token = request_export_link(export=export)
    response = client.get(url(token), REMOTE_ADDR=IP)
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="data-{request.reference}.zip"'
    assert response["Cache-Control"] == "no-store" and response["Referrer-Policy"] == "no-referrer"
    zipped = body(response)
    assert int(response["Content-Length"]) == len(zipped) == export.size
    assert hashlib.sha256(zipped).hexdigest() == export.sha256
    archive = zipfile.ZipFile(io.BytesIO(zipped))
    data = json.loads(archive.read("data.json"))
    texts = [m["content"].get("text") for m in data["categories"]["messages"]]
    assert scenario.TEXT in texts and scenario.LATER in texts
    assert scenario.OTTO_TEXT not in json.dumps(data, ensure_ascii=False)  # nobody else's
    assert [n for n in archive.namelist() if n.startswith("media/")]  # her picture, decrypted
    body(client.get(url(request_export_link(export=export)), REMOTE_ADDR="198.51.100.1"))  # a fresh link works too

    downloads = list(RequestDownload.objects.order_by("pk"))
    assert [(d.request_id, d.export_id, d.via, d.by_id) for d in downloads] == [
        (request.pk, export.pk, DownloadVia.LINK, None)
    ] * 2
    assert [d.ip_hash for d in downloads] == [ip_hash(IP), ip_hash("198.51.100.1")]
    # Her next export says what we answered and when she fetched it, valid under the published schema.
    subject_export(subject=world.wilhelmine, path=tmp_path / "next.zip")
    again = json.loads(zipfile.ZipFile(tmp_path / "next.zip").read("data.json"))
    mine = [r for r in again["categories"]["subject_requests"] if r["record"] in ("RequestExport", "RequestDownload")]
    assert [r["record"] for r in mine].count("RequestDownload") == 2 and len(mine) == 3
    assert {r["request"] for r in mine} == {request.reference} and {r["via"] for r in mine[1:]} == {"link"}
    assert IP not in json.dumps(again) and ip_hash(IP) not in json.dumps(again)
    schema = json.loads(SCHEMA_FILE.read_text())
    assert list(Draft202012Validator(schema).iter_errors({**again, "categories": {"subject_requests": mine}})) == []


def test_a_link_that_is_not_ours_is_404_and_records_nothing(world, answered, client):
    _, export = answered
    token = request_export_link(export=export)
    value, timestamp, signature = token.rsplit(":", 2)
    other = signing.TimestampSigner(salt="another.use")
    wrong_key = signing.TimestampSigner(salt="retention.request_export.link").sign_object(
        {"e": export.pk, "k": "x" * 24, "l": "de"}, compress=False
    )  # what a leaked SECRET_KEY alone makes: the row's random key is missing
    forged = [
        f"{value}:{timestamp}:{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
        f"{value[:-1]}{'x' if value[-1] != 'x' else 'y'}:{timestamp}:{signature}",
        other.sign_object({"e": export.pk, "k": export.link_key}),
        wrong_key,
        "nothing-at-all",
        token[:-1],
    ]
    for token in forged:
        response = client.get(url(token), REMOTE_ADDR=IP)
        assert response.status_code == 404, token
        assert response["Cache-Control"] == "no-store"
        assert b"PK" not in response.content
    assert not RequestDownload.objects.exists()
    with pytest.raises(ExportNotFound) as refused:
        request_export_open(token=forged[0], ip=IP)
    assert not isinstance(refused.value, ExportGone)


def test_an_expired_link_is_410_in_her_language_and_records_nothing(world, answered, client, monkeypatch):
    _, export = answered
    made = time.time() - timedelta(days=7, seconds=1).total_seconds()  # a link made seven days and a second ago
    with monkeypatch.context() as then:
        then.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(int(made)))
        token = request_export_link(export=export)
    response = client.get(url(token), REMOTE_ADDR=IP, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 410
    page = response.content.decode()
    assert 'lang="de"' in page and "Dieser Download-Link ist abgelaufen" in page  # hers, not the browser's
    assert response["Cache-Control"] == "no-store"
    # A link made later (the status page shows a fresh one) still ends with its export.
    fresh = request_export_link(export=export)
    RequestExport.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url(fresh), REMOTE_ADDR=IP).status_code == 410
    assert request_export_current(request=export.request) is None
    assert not RequestDownload.objects.exists()


def test_the_dpo_downloads_her_answer_recorded_as_staff_and_in_the_access_log(world, answered, client):
    request, export = answered
    address = f"/dpo/requests/{request.reference}/export/"
    assert client.get(address).status_code == 302  # to the admin's login
    client.force_login(world.agent)  # no staff member: the admin's login again
    assert client.get(address).status_code == 302
    client.force_login(world.dpo)
    response = client.get(address, REMOTE_ADDR=IP)
    zipped = body(response)
    assert hashlib.sha256(zipped).hexdigest() == export.sha256
    assert response["Content-Disposition"] == f'attachment; filename="data-{request.reference}.zip"'
    [download] = RequestDownload.objects.all()
    assert (download.via, download.by_id, download.export_id, download.ip_hash) == (
        DownloadVia.STAFF, world.dpo.pk, export.pk, ip_hash(IP)
    )  # fmt: skip
    record = AccessRecord.objects.get(action="request_export.download")
    assert record.subject_id == world.wilhelmine.pk and record.object_ref == f"retention.requestexport:{export.pk}"
    assert request.reference in record.reason
    assert client.get("/dpo/requests/R-0000-0000/export/").status_code == 404


def test_a_signed_in_agent_opening_her_link_is_in_the_access_log_her_own_download_is_not(world, answered, client):
    request, export = answered
    token = request_export_link(export=export)
    body(client.get(url(token), REMOTE_ADDR=IP))  # she herself
    assert not AccessRecord.objects.filter(action="request_export.download").exists()
    client.force_login(world.agent)  # a colleague she forwarded the link to, say
    body(client.get(url(token), REMOTE_ADDR=IP))
    [record] = AccessRecord.objects.filter(action="request_export.download")
    assert (record.subject_id, record.actor_id) == (world.wilhelmine.pk, world.agent.pk)
    assert request.reference in record.reason and record.object_ref == f"retention.requestexport:{export.pk}"
    assert [d.by_id for d in RequestDownload.objects.order_by("pk")] == [None, world.agent.pk]


def test_a_staff_member_without_the_permission_is_refused(world, answered, client, django_user_model):
    request, _ = answered
    clerk = django_user_model.objects.create_user("clerk", password="x-test-password-1", is_staff=True)
    client.force_login(clerk)
    assert client.get(f"/dpo/requests/{request.reference}/export/").status_code == 403
    assert not RequestDownload.objects.exists()


def test_no_export_for_a_request_not_verified_or_of_another_kind(world, settings):
    unverified = request_receive(kind="access", channel="email", actor=world.dpo, subject=world.wilhelmine)
    erasure = verified(world, kind="erasure")
    restriction = verified(world, kind="restriction")
    for request in (unverified, erasure, restriction):
        with pytest.raises(RequestIncomplete):
            request_export_prepare(request=request, actor=world.dpo)
    assert not RequestExport.objects.exists()
    assert [p for p in files_under(settings.MEDIA_ROOT) if "exports" in p.parts] == []
    states = dict(SubjectRequest.objects.values_list("pk", "state"))
    assert states == {unverified.pk: RequestState.RECEIVED, erasure.pk: RequestState.VERIFIED,
                      restriction.pk: RequestState.VERIFIED}  # fmt: skip
    portability = verified(world, kind="portability")
    request_export_prepare(request=portability, actor=world.dpo)  # answered the same way
    with pytest.raises(RequestIncomplete):  # once: it is completed
        request_export_prepare(request=portability, actor=world.dpo)
    assert RequestExport.objects.count() == 1


def test_a_request_withdrawn_while_its_export_is_made_gets_none(world, settings, monkeypatch):
    from retention.services import request_exports

    request = verified(world)

    def export_then_withdrawn(**kwargs):
        result = subject_export(**kwargs)
        request_withdraw(request=request, actor=None, reason="the customer withdrew it meanwhile")
        return result

    monkeypatch.setattr(request_exports, "subject_export", export_then_withdrawn)
    with pytest.raises(RequestIncomplete):
        request_export_prepare(request=request, actor=world.dpo)
    assert not RequestExport.objects.exists()
    assert [p for p in files_under(settings.MEDIA_ROOT) if "exports" in p.parts] == []
    assert SubjectRequest.objects.get(pk=request.pk).state == RequestState.WITHDRAWN


def test_an_export_whose_request_could_not_be_completed_is_removed_but_a_failed_notice_keeps_it(
    world, settings, monkeypatch
):
    from retention.services import request_exports, requests

    request = verified(world)
    monkeypatch.setattr(request_exports, "request_fulfil", lambda **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        request_export_prepare(request=request, actor=world.dpo)
    assert not RequestExport.objects.exists()
    assert [p for p in files_under(settings.MEDIA_ROOT) if "exports" in p.parts] == []
    assert SubjectRequest.objects.get(pk=request.pk).state == RequestState.VERIFIED

    monkeypatch.undo()
    monkeypatch.setattr(requests, "request_tell", lambda **kwargs: 1 / 0)  # completed; only telling her failed
    with pytest.raises(ZeroDivisionError):
        request_export_prepare(request=request, actor=world.dpo)
    assert SubjectRequest.objects.get(pk=request.pk).state == RequestState.COMPLETED
    [export] = RequestExport.objects.all()
    assert Path(export.file.path).exists()


def test_her_erasure_afterwards_removes_the_export_and_its_file_and_keeps_the_proof(world, answered, client, settings):
    request, export = answered
    token = request_export_link(export=export)
    body(client.get(url(token), REMOTE_ADDR=IP))
    subject_erase(subject=world.wilhelmine, actor=world.dpo, reason="subject_request", reference="request 8")
    assert files_under(settings.MEDIA_ROOT) == []
    assert not RequestExport.objects.exists()
    request.refresh_from_db()
    [download] = RequestDownload.objects.all()
    assert request.subject_id is None and download.request_id == request.pk and download.export_id is None
    response = client.get(url(token), REMOTE_ADDR=IP)
    assert response.status_code == 410 and 'lang="de"' in response.content.decode()
    assert RequestDownload.objects.count() == 1


def test_the_purge_removes_an_export_once_its_link_has_ended(world, answered, settings):
    request, export = answered
    purge_expired()
    assert RequestExport.objects.filter(pk=export.pk).exists()  # within its seven days: kept
    assert Path(export.file.path).exists()
    week_ago = timezone.now() - timedelta(days=7, minutes=1)
    RequestExport.objects.filter(pk=export.pk).update(created_at=week_ago, expires_at=week_ago + timedelta(days=7))
    run = purge_expired()
    assert not RequestExport.objects.filter(pk=export.pk).exists()
    assert not Path(export.file.path).exists()
    assert run.counts.get("subject_requests") == 1
    assert SubjectRequest.objects.filter(pk=request.pk).exists()  # the request's own record is kept 3 years
    assert [p for p in files_under(settings.MEDIA_ROOT) if "exports" in p.parts] == []


def test_the_file_is_read_frame_by_frame_and_a_damaged_one_is_refused(world, monkeypatch):
    monkeypatch.setattr(export_files, "FRAME", 4096)  # her picture alone makes several frames
    request = verified(world)
    export = request_export_prepare(request=request, actor=world.dpo)
    frames = list(export_files.export_file_open(export=export))
    assert len(frames) > 3 and max(map(len, frames)) == 4096
    assert hashlib.sha256(b"".join(frames)).hexdigest() == export.sha256
    path = Path(export.file.path)
    sealed = path.read_bytes()
    pieces, at = [], 0
    while at < len(sealed):
        length = int.from_bytes(sealed[at : at + 4], "big")
        pieces.append(sealed[at : at + 4 + length])
        at += 4 + length
    for damaged, error in (
        (b"".join(pieces[:-1]), export_files.ExportFileDamaged),  # cut off after a whole frame
        (b"".join([pieces[1], pieces[0], *pieces[2:]]), export_files.ExportFileDamaged),  # reordered
        (sealed[:40] + bytes([sealed[40] ^ 1]) + sealed[41:], DecryptionFailed),  # one bit flipped
    ):
        path.write_bytes(damaged)
        with pytest.raises(error):
            b"".join(export_files.export_file_open(export=export))


@pytest.mark.asyncio
async def test_under_asgi_the_zip_is_streamed_asynchronously(world, answered):
    from channels.db import database_sync_to_async

    _, export = answered
    token = await database_sync_to_async(request_export_link)(export=export)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Django warns when it must read a synchronous iterator whole first
        response = await AsyncClient().get(url(token), REMOTE_ADDR=IP)
        assert response.status_code == 200 and response.is_async
        zipped = b"".join([chunk async for chunk in response.streaming_content])
    assert hashlib.sha256(zipped).hexdigest() == export.sha256
    assert await database_sync_to_async(RequestDownload.objects.count)() == 1
