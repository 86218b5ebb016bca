"""The consent API: who may read and record what."""

import pytest
from rest_framework.test import APIClient

from consent.models import ConsentEvent
from consent.selectors import consent_state
from tests.clients import token_client


@pytest.fixture
def client():
    return APIClient()


def url(subject, purpose_code: str = "", action: str = "") -> str:
    base = f"/api/v1/subjects/{subject.public_id}/consents/"
    return base + (f"{purpose_code}/{action}/" if purpose_code else "")


def test_anonymous_requests_are_refused(client, subject_de, newsletter, notices):
    assert client.get("/api/v1/purposes/").status_code == 401
    assert client.get(url(subject_de)).status_code == 401
    response = client.post(url(subject_de, "newsletter", "grant"), {"reference": "x"}, format="json")
    assert response.status_code == 401
    assert not ConsentEvent.objects.exists()


def test_bad_token_is_refused(subject_de):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get(url(subject_de)).status_code == 401


def test_token_authenticated_agent_reads_purposes_and_state(agent, subject_de, newsletter, service, notices):
    api = token_client(agent)
    purposes = api.get("/api/v1/purposes/").json()
    assert [p["code"] for p in purposes] == ["newsletter", "service"]
    assert purposes[0]["legal_bases"]["GDPR"]["citation"] == "Art. 6(1)(a) GDPR"
    states = api.get(url(subject_de)).json()
    assert {s["purpose"]: s["status"] for s in states} == {"newsletter": "none", "service": "none"}


def test_user_without_role_is_forbidden(nobody, subject_de, newsletter, notices):
    api = token_client(nobody)
    assert api.get(url(subject_de)).status_code == 403
    assert api.post(url(subject_de, "newsletter", "withdraw"), {}, format="json").status_code == 403


def test_session_authentication_works_with_csrf(agent, subject_de, newsletter, notices):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(agent)
    assert api.get(url(subject_de)).status_code == 200
    # Session writes without the CSRF token are refused.
    assert api.post(url(subject_de, "newsletter", "withdraw"), {}, format="json").status_code == 403


def test_grant_and_withdraw_by_staff(agent, subject_de, newsletter, notices):
    api = token_client(agent)
    missing = api.post(url(subject_de, "newsletter", "grant"), {"channel": "api"}, format="json")
    assert missing.status_code == 400 and missing.json()["error"] == "invalid_evidence"
    assert "reference" in missing.json()["detail"]
    granted = api.post(url(subject_de, "newsletter", "grant"), {"reference": "call #1234"}, format="json")
    assert granted.status_code == 201, granted.content
    assert granted.json()["status"] == "granted"
    event = ConsentEvent.objects.get(seq=granted.json()["event_seq"])
    assert event.actor_id == agent.pk and event.evidence == {"reference": "call #1234"} and event.channel == "api"

    withdrawn = api.post(url(subject_de, "newsletter", "withdraw"), {"channel": "whatsapp"}, format="json")
    assert withdrawn.status_code == 201 and withdrawn.json()["status"] == "withdrawn"
    again = api.post(url(subject_de, "newsletter", "withdraw"), {}, format="json")
    assert again.status_code == 200 and again.json()["changed"] is False
    assert consent_state(subject=subject_de, purpose=newsletter) == "withdrawn"


def test_double_opt_in_purpose_through_the_api(agent, subject_de, marketing, notices):
    api = token_client(agent)
    refused = api.post(url(subject_de, "marketing", "grant"), {"reference": "form"}, format="json")
    assert refused.status_code == 409 and refused.json()["error"] == "double_opt_in_required"
    started = api.post(url(subject_de, "marketing", "request"), {"channel": "whatsapp"}, format="json")
    assert started.status_code == 201 and "JA" in started.json()["message"]
    assert consent_state(subject=subject_de, purpose=marketing) == "pending"


def test_unknown_subject_or_purpose_is_404(agent, subject_de, notices):
    api = token_client(agent)
    assert api.post(url(subject_de, "no-such-purpose", "withdraw"), {}, format="json").status_code == 404
    assert api.get("/api/v1/subjects/00000000-0000-4000-8000-000000000000/consents/").status_code == 404


def test_openapi_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    for path in ("/api/v1/purposes/", "/api/v1/subjects/{public_id}/consents/{purpose_code}/grant/"):
        assert path in body
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content, "the docs load no third-party assets"
