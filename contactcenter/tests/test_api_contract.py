"""The API's contract: the schema lists every field and every status the API answers, with one error model.

A client generated from ``/api/schema/`` must be able to trust it. Checked three ways: the schema itself
(summaries, every error status with its body), the renders the responses are built from (exactly the
serializers' fields, which the sockets carry too), and schemathesis, which calls every operation with
generated requests, as an agent and as the DPO, and fails on any 5xx, any status the schema does not
name and any body that does not match it.
"""

import zlib
from datetime import timedelta

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from consent.tests.factories import UserFactory
from contactcenter import roles
from conversations import selectors, services
from conversations.models import Attachment
from conversations.serializers import ConversationOut, MessageOut, NoteOut
from conversations.tests.factories import ConversationFactory, MessageFactory, TeamFactory, TeamMembershipFactory

CARD = "4111 1111 1111 1111"


@pytest.fixture
def world(db, notices):
    """A team with an agent, a conversation of theirs holding a masked card number, an image and a note."""
    agent = UserFactory(username="ana", role=roles.AGENT)
    dpo = UserFactory(username="dora", role=roles.DPO, is_staff=True)
    team = TeamFactory(name="Support", is_default=True, auto_assign=False)
    TeamMembershipFactory(team=team, user=agent)
    conversation = ConversationFactory(channel="whatsapp", team=team, assigned_agent=agent)
    text = services.message_reply(conversation=conversation, actor=agent, text=f"Ihre Karte {CARD}? Danke")
    image = MessageFactory(conversation=conversation, direction="in", type="image", status="received",
                           content={"caption": "Foto"})  # fmt: skip
    Attachment.objects.create(message=image, mime_type="image/jpeg", size=1234)
    note = services.note_add(conversation=conversation, actor=agent, body="Calls after 5pm")
    return {"agent": agent, "dpo": dpo, "conversation": conversation, "message": text, "image": image, "note": note}


def _keys(rendered: object, serializer: object) -> list[str]:
    """A render against a serializer, recursively: "+x" only rendered, "-x" only declared."""
    from rest_framework import serializers as s

    if isinstance(serializer, s.ListSerializer):
        return [d for item in rendered for d in _keys(item, serializer.child)]
    if not isinstance(serializer, s.Serializer):
        return []
    if rendered is None:
        return [] if serializer.allow_null else ["null, not nullable"]
    declared, given = set(serializer.fields), set(rendered)
    found = [f"+{k}" for k in sorted(given - declared)] + [f"-{k}" for k in sorted(declared - given)]
    for name in sorted(declared & given):
        found += [f"{name}.{d}" for d in _keys(rendered[name], serializer.fields[name])]
    return found


def test_what_responses_and_sockets_carry_is_exactly_what_the_schema_declares(world):
    conversation = selectors.conversation_get(user=world["agent"], conversation_id=world["conversation"].pk)
    request = MessageFactory(conversation=conversation, direction="in", type="text", status="received",
                             content={"text": "Bitte löschen Sie meine Daten"})  # fmt: skip
    rendered = selectors.messages_render(conversation, [world["message"], world["image"], request])
    assert rendered[0]["masked"] and rendered[1]["attachments"]  # the fields the schema used to miss are filled
    assert rendered[2]["request_suggestion"] and rendered[0]["request_suggestion"] is None
    assert _keys(selectors.conversation_render(conversation), ConversationOut()) == []
    for message in rendered:
        assert _keys(message, MessageOut()) == []
    world["note"].conversation = conversation
    assert _keys(selectors.note_render(world["note"]), NoteOut()) == []


@pytest.fixture
def schema_doc(db):
    return APIClient().get("/api/schema/?format=json").json()


def test_every_operation_has_a_summary_and_names_its_errors_with_their_body(schema_doc):
    operations = [(path, method, op) for path, ops in schema_doc["paths"].items() for method, op in ops.items()]
    assert len(operations) >= 20
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        responses = op["responses"]
        assert "401" in responses, where  # every operation needs a signed-in caller
        if "{" in path:
            assert "404" in responses, where
        if "requestBody" in op or any(p["in"] == "query" for p in op.get("parameters", [])):
            assert "400" in responses, where
        if "requestBody" in op:
            assert "415" in responses, where
        for code, response in responses.items():
            if int(code) >= 400:
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref.rsplit("/", 1)[1] in ("ErrorOut", "SensitiveDraftErrorOut"), (where, code)


def test_lists_that_grow_are_paged_in_the_schema(schema_doc):
    paths = schema_doc["paths"]
    schemas = schema_doc["components"]["schemas"]
    for path in ("/api/v1/conversations/{conversation_id}/messages/", "/api/v1/conversations/{conversation_id}/notes/"):
        op = paths[path]["get"]
        assert {p["name"] for p in op["parameters"] if p["in"] == "query"} == {"after_id", "limit"}
        page = schemas[op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
        assert set(page["properties"]) == {"next", "results"}
    listed = paths["/api/v1/conversations/"]["get"]
    assert {"cursor", "limit", "q"} <= {p["name"] for p in listed["parameters"]}  # keyset, with a search
    page = listed["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schemas[page]["properties"]) == {"count", "next", "results"}


def test_messages_page_by_page_each_once(world):
    api = APIClient()
    api.force_authenticate(world["agent"])
    conversation = world["conversation"]
    for n in range(5):
        services.message_reply(conversation=conversation, actor=world["agent"], text=f"Nachricht {n}")
    url = f"/api/v1/conversations/{conversation.pk}/messages/?limit=3"
    seen, pages = [], 0
    while url:
        page = api.get(url).json()
        seen += [m["id"] for m in page["results"]]
        url, pages = page["next"], pages + 1
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 7 and pages == 3
    too_many = api.get(f"/api/v1/conversations/{conversation.pk}/messages/?limit=201")
    assert too_many.status_code == 400 and list(too_many.json()["fields"]) == ["limit"]


def test_one_error_model_for_every_refusal(world, nobody):
    conversation = world["conversation"]
    anonymous = APIClient().get("/api/v1/conversations/")
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "not_authenticated"
    api = APIClient()
    api.force_authenticate(world["agent"])
    hidden = api.get("/api/v1/conversations/999999/")
    assert hidden.status_code == 404 and hidden.json() == {"error": "not_found", "detail": hidden.json()["detail"]}
    invalid = api.post(f"/api/v1/conversations/{conversation.pk}/status/", {"status": "closed"}, format="json")
    assert invalid.status_code == 400 and invalid.json()["error"] == "invalid" and "status" in invalid.json()["fields"]
    services.conversation_set_status(conversation=conversation, status="resolved", actor=None)
    conflict = api.post(f"/api/v1/conversations/{conversation.pk}/status/", {"status": "pending"}, format="json")
    assert conflict.status_code == 409 and conflict.json()["error"] == "invalid_transition"
    draft = api.post(f"/api/v1/conversations/{conversation.pk}/draft-check/", {"text": "x"}, format="json")
    assert draft.status_code == 200
    stranger = APIClient()
    stranger.force_authenticate(nobody)  # signed in, no role
    refused = stranger.post(f"/api/v1/conversations/{conversation.pk}/reply/", {"text": "hi"}, format="json")
    assert refused.status_code == 403 and refused.json()["error"] == "permission_denied"


# --- schemathesis ----------------------------------------------------------------------------------------------


def _schema() -> schemathesis.BaseSchema:
    """The schema as the app serves it (read through WSGI at collection: it needs no database)."""
    from contactcenter.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _schema()


@pytest.fixture
def wsgi_in_test_transaction(db):
    """As Django's test client does, the handler must not close the connection at the end of each request
    (inside the test's transaction, it would look like a broken one)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(world):
    """The agent and the DPO, with their tokens, and the ids of what they may see."""
    tokens = [Token.objects.get_or_create(user=world[role])[0].key for role in ("agent", "dpo")]
    real = {"conversation_id": world["conversation"].pk, "message_id": world["message"].pk,
            "public_id": str(world["conversation"].subject.public_id)}  # fmt: skip
    return tokens, real


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_answers_as_the_schema_says(case, callers, wsgi_in_test_transaction):
    tokens, real = callers
    parameters = case.path_parameters or {}
    # Half the cases name objects that exist and that both callers may see, so the operations' own rules
    # run (the rest get the 404s of generated ids).
    if parameters and zlib.crc32(repr(sorted(parameters.items())).encode()) % 2 == 0:
        for name in parameters:
            if name in real:
                parameters[name] = real[name]
    for token in tokens:
        case.validate_response(case.call(headers={"Authorization": f"Token {token}"}), checks=CHECKS)


def test_what_fails_outside_an_api_view_still_answers_the_error_model(client, db):
    from django.test import RequestFactory

    from contactcenter import views

    no_view = client.get("/api/v1/conversations/abc/", HTTP_ACCEPT_LANGUAGE="de")
    assert no_view.status_code == 404 and no_view["Content-Type"] == "application/json"
    assert no_view.json() == {"error": "not_found", "detail": "Nicht gefunden."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
    failed = views.server_error(RequestFactory().get("/api/v1/conversations/"))
    assert failed.status_code == 500 and failed["Content-Type"] == "application/json"
    assert b"server_error" in failed.content and b"Traceback" not in failed.content
    assert views.server_error(RequestFactory().get("/inbox/"))["Content-Type"].startswith("text/html")


def test_every_refusal_of_a_reply_matches_the_schema(callers, wsgi_in_test_transaction, world, settings):
    """The refusals generated requests do not reach: a closed window, a restricted customer, a draft asking
    for a card number (warned, then blocked). Each answers what the schema says, body included."""
    from consent import services as consent_services

    tokens, _ = callers
    reply = schema["/api/v1/conversations/{conversation_id}/reply/"]["POST"]
    conversation = world["conversation"]

    def answer(text: str):
        case = reply.Case(path_parameters={"conversation_id": conversation.pk}, body={"text": text},
                          media_type="application/json")  # fmt: skip
        response = case.call(headers={"Authorization": f"Token {tokens[0]}"})
        case.validate_response(response, checks=CHECKS)
        return response.status_code, response.json()

    status, body = answer("Bitte senden Sie uns Ihre vollständige Kreditkartennummer")
    assert (status, body["error"]) == (409, "sensitive_draft") and body["kinds"] == ["payment_card"]
    settings.SENSITIVE_DRAFT_BLOCK = True
    status, body = answer("Bitte senden Sie uns Ihre vollständige Kreditkartennummer")
    assert (status, body["error"], body["blocked"]) == (422, "sensitive_draft_blocked", True)
    consent_services.subject_restrict(subject=conversation.subject, ground="accuracy", actor=None, reason="contested")
    assert answer("Hallo")[1]["error"] == "processing_restricted"
    consent_services.subject_restriction_lift(
        subject=conversation.subject, actor=None, reason="verified", customer_informed=True
    )
    type(conversation).objects.filter(pk=conversation.pk).update(last_inbound_at=timezone.now() - timedelta(days=2))
    status, body = answer("Hallo")
    assert (status, body["error"], set(body)) == (409, "window_closed", {"error", "detail"})
