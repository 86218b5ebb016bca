"""A fake of Meta's Graph API for WhatsApp, speaking the real HTTP protocol on 127.0.0.1.

Used by tests (``FakeGraphAPI(port=0).start()``) and by ``manage.py fake_graph_api``
so the whole loop runs without a Meta account:

- ``POST /{phone_number_id}/messages``: checks the bearer token (401) and the body's
  shape (400, Graph-style error), records the request and answers with a ``wamid``.
  ``fail_next`` makes the next sends fail with a given HTTP status / Graph code.
- Authentication templates (the names in ``authentication_templates``) are checked as
  Meta checks them: the code as the body's only parameter and again as the copy-code
  button's (a ``url`` button at index 0). The codes accepted are recorded:
  ``sent_codes(to=...)``, so that a test, or a person trying ``make run``, can read them.
- ``POST /{phone_number_id}/media``: the upload of a file an agent sends (multipart/form-data with
  ``messaging_product=whatsapp``, ``type`` and ``file``), checked as the Cloud API checks it (token, fields,
  the supported types and their limits); recorded (``uploads``) and answered with a media id. Image and
  document messages must name an uploaded (or ``add_media``) id: an unknown one is refused as Meta refuses it.
  ``fail_upload_next`` makes the next uploads fail.
- ``send_gate`` holds accepted sends open (accepted, not yet answered) until it is set.
- ``GET /{media_id}`` and ``GET /media-download/{media_id}``: the two-step media download.
- Paths may start with the Graph API version (``/v23.0/...``), as the real base URL does.
- With a webhook URL and the app secret it posts signed ``sent`` → ``delivered`` →
  ``read`` status webhooks for each accepted send, and ``customer_says`` posts a
  signed inbound text message, as Meta would.

It is a development and test tool: it keeps everything in memory and trusts its caller.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx

from conversations.providers.whatsapp.signature import HEADER, signature_for

DISPLAY_PHONE_NUMBER = "15550783881"
BUSINESS_ACCOUNT_ID = "102290129340398"


# --- Payload builders (the shapes of Meta's webhook reference; see conversations/tests/fixtures/whatsapp) ------------


def webhook_envelope(*values: dict[str, Any]) -> dict[str, Any]:
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": BUSINESS_ACCOUNT_ID, "changes": [{"value": value, "field": "messages"} for value in values]}],
    }


def _metadata(phone_number_id: str) -> dict[str, str]:
    return {"display_phone_number": DISPLAY_PHONE_NUMBER, "phone_number_id": phone_number_id}


def new_wamid() -> str:
    return "wamid." + base64.b64encode(secrets.token_bytes(24)).decode()


def inbound_text_value(
    *,
    wa_id: str,
    name: str,
    text: str,
    phone_number_id: str,
    message_id: str | None = None,
    timestamp: int | None = None,
) -> dict[str, Any]:
    return {
        "messaging_product": "whatsapp",
        "metadata": _metadata(phone_number_id),
        "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
        "messages": [
            {
                "from": wa_id,
                "id": message_id or new_wamid(),
                "timestamp": str(timestamp if timestamp is not None else int(time.time())),
                "type": "text",
                "text": {"body": text},
            }
        ],
    }


def status_value(
    *,
    message_id: str,
    status: str,
    recipient: str,
    phone_number_id: str,
    timestamp: int | None = None,
    error_code: int | None = None,
    error_title: str = "",
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": str(timestamp if timestamp is not None else int(time.time())),
        "recipient_id": recipient,
    }
    if status == "failed":
        entry["errors"] = [
            {"code": error_code or 131026, "title": error_title or "Message undeliverable", "message": error_title}
        ]
    else:
        entry["conversation"] = {"id": secrets.token_hex(16), "origin": {"type": "service"}}
        entry["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "service"}
    return {"messaging_product": "whatsapp", "metadata": _metadata(phone_number_id), "statuses": [entry]}


def post_signed(url: str, payload: dict[str, Any], *, app_secret: str, timeout: float = 10.0) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", HEADER: signature_for(body, secret=app_secret)}
    return httpx.post(url, content=body, headers=headers, timeout=timeout)


# --- The server -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any  # parsed JSON, or the raw bytes when it was not JSON


@dataclass(slots=True)
class _Failure:
    status: int
    code: int
    message: str
    retry_after: str | None


@dataclass(frozen=True, slots=True)
class RecordedUpload:
    media_id: str
    data: bytes
    mime_type: str  # the form's ``type`` field
    filename: str  # the file part's filename
    file_content_type: str  # the file part's own Content-Type


@dataclass(slots=True)
class _Media:
    data: bytes
    mime_type: str
    sha256: str


@dataclass
class FakeGraphAPI:
    access_token: str = "dev-access-token"  # noqa: S105 — the development default of settings
    phone_number_id: str | None = None  # None: accept any
    host: str = "127.0.0.1"
    port: int = 0
    webhook_url: str | None = None
    app_secret: str | None = None
    status_delays: tuple[float, float, float] = (0.3, 0.3, 0.3)  # before sent, delivered, read
    auto_statuses: tuple[str, ...] = ("sent", "delivered", "read")
    requests: list[RecordedRequest] = field(default_factory=list)
    webhook_responses: list[int] = field(default_factory=list)  # HTTP status the app answered each webhook with
    accepted_ids: list[str] = field(default_factory=list)  # the wamid of every accepted send, in order
    # Approved templates of Meta's authentication category (settings.WHATSAPP_TEMPLATES' "verification_code").
    authentication_templates: tuple[str, ...] = ("verification_code",)
    on_code: Callable[[str, str], None] | None = None  # called with (to, code) for each accepted one-time code

    uploads: list[RecordedUpload] = field(default_factory=list)  # every accepted upload, in order
    on_upload: Callable[[RecordedUpload], None] | None = None  # called with each accepted upload
    # When set: every accepted message send waits (at most ``hold_seconds``) until the event is set before it is
    # answered, as a slow Graph API would; fault tests kill the sender while it waits.
    send_gate: threading.Event | None = None
    hold_seconds: float = 30.0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[_Failure] = []
        self._upload_failures: list[_Failure] = []
        self._media_failures: list[int] = []
        self._media: dict[str, _Media] = {}
        self._codes: list[tuple[str, str]] = []  # (to, code) of every accepted authentication template
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: ThreadingHTTPServer | None = None

    # lifecycle
    def start(self) -> FakeGraphAPI:
        self._server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        thread = threading.Thread(target=self._server.serve_forever, name="fake-graph-api", daemon=True)
        thread.start()
        return self

    def serve_forever(self) -> None:
        """For the management command: block until interrupted."""
        self._server = ThreadingHTTPServer((self.host, self.port), _handler_for(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        try:
            self._server.serve_forever()
        finally:
            self.stop()

    def stop(self) -> None:
        self._stopping.set()
        for thread in list(self._threads):
            thread.join(timeout=5)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # what tests inspect and arrange
    @property
    def sends(self) -> list[RecordedRequest]:
        """Accepted and refused message sends, in order."""
        with self._lock:
            return [r for r in self.requests if r.method == "POST" and r.path.endswith("/messages")]

    def sent_codes(self, to: str | None = None) -> list[str]:
        """The one-time codes accepted in authentication templates, in order (only those to ``to``, digits
        only as the Cloud API writes numbers, when given)."""
        with self._lock:
            return [code for recipient, code in self._codes if to is None or recipient == to.lstrip("+")]

    def fail_next(
        self, count: int = 1, *, status: int = 500, code: int = 1, message: str = "", retry_after: str | None = None
    ) -> None:
        with self._lock:
            self._failures.extend(
                _Failure(status, code, message or HTTPStatus(status).phrase, retry_after) for _ in range(count)
            )

    def fail_upload_next(
        self, count: int = 1, *, status: int = 500, code: int = 1, message: str = "", retry_after: str | None = None
    ) -> None:
        """The next ``count`` uploads (``POST /{phone_number_id}/media``) fail so."""
        with self._lock:
            self._upload_failures.extend(
                _Failure(status, code, message or HTTPStatus(status).phrase, retry_after) for _ in range(count)
            )

    def fail_media_next(self, count: int = 1, *, status: int = 500) -> None:
        with self._lock:
            self._media_failures.extend([status] * count)

    def add_media(
        self, data: bytes, *, mime_type: str = "image/jpeg", media_id: str | None = None, sha256: str | None = None
    ) -> str:
        media_id = media_id or str(secrets.randbelow(10**15) + 10**15)
        with self._lock:
            self._media[media_id] = _Media(
                data, mime_type, sha256 if sha256 is not None else hashlib.sha256(data).hexdigest()
            )
        return media_id

    def wait_for(self, predicate: Callable[[], object], timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.02)
        return bool(predicate())

    # acting as Meta towards the app
    def post_webhook(self, payload: dict[str, Any]) -> int:
        if not self.webhook_url or not self.app_secret:
            raise RuntimeError("FakeGraphAPI needs webhook_url and app_secret to post webhooks")
        try:
            status = post_signed(self.webhook_url, payload, app_secret=self.app_secret).status_code
        except httpx.HTTPError:
            status = 0  # Meta would retry later; the fake only records it
        with self._lock:
            self.webhook_responses.append(status)
        return status

    def customer_says(self, wa_id: str, name: str, text: str, *, message_id: str | None = None) -> tuple[int, str]:
        message_id = message_id or new_wamid()
        value = inbound_text_value(
            wa_id=wa_id, name=name, text=text, phone_number_id=self._phone_id(), message_id=message_id
        )
        return self.post_webhook(webhook_envelope(value)), message_id

    def post_status(self, message_id: str, status: str, *, recipient: str, **error: Any) -> int:
        value = status_value(
            message_id=message_id, status=status, recipient=recipient, phone_number_id=self._phone_id(), **error
        )
        return self.post_webhook(webhook_envelope(value))

    # internals
    def _phone_id(self) -> str:
        return self.phone_number_id or "106540352242922"

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _take_failure(self) -> _Failure | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def _take_upload_failure(self) -> _Failure | None:
        with self._lock:
            return self._upload_failures.pop(0) if self._upload_failures else None

    def _accept_upload(self, *, data: bytes, mime_type: str, filename: str, file_content_type: str) -> str:
        media_id = self.add_media(data, mime_type=mime_type)
        upload = RecordedUpload(media_id, data, mime_type, filename, file_content_type)
        with self._lock:
            self.uploads.append(upload)
        if self.on_upload is not None:
            self.on_upload(upload)
        return media_id

    def _media_known(self, media_id: str) -> bool:
        with self._lock:
            return media_id in self._media

    def _take_media_failure(self) -> int | None:
        with self._lock:
            return self._media_failures.pop(0) if self._media_failures else None

    def _media_get(self, media_id: str) -> _Media | None:
        with self._lock:
            return self._media.get(media_id)

    def _schedule_statuses(self, message_id: str, recipient: str) -> None:
        if not self.webhook_url or not self.app_secret or not self.auto_statuses:
            return

        def run() -> None:
            for status, delay in zip(self.auto_statuses, self.status_delays, strict=False):
                if self._stopping.wait(delay):
                    return
                self.post_status(message_id, status, recipient=recipient)

        thread = threading.Thread(target=run, name="fake-graph-statuses", daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()


def graph_error(code: int, message: str, *, kind: str = "OAuthException") -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "type": kind,
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": message},
            "fbtrace_id": secrets.token_urlsafe(12),
        }
    }


BUTTON_SUB_TYPES = frozenset({"quick_reply", "url", "copy_code", "flow", "catalog", "mpm", "voice_call"})


def _component_problem(component: Any) -> str:
    if not isinstance(component, dict) or not isinstance(component.get("parameters", []), list):
        return "template.components must be a list of components"
    kind = component.get("type")
    if kind not in {"header", "body", "button"}:
        return f"template component type {kind!r} is not header, body or button"
    if kind == "button":
        if component.get("sub_type") not in BUTTON_SUB_TYPES:
            return "a button component needs a sub_type"
        if not str(component.get("index", "")).isdigit() or not 0 <= int(component["index"]) <= 9:
            return "a button component needs an index from 0 to 9"
    for parameter in component.get("parameters", []):
        if not isinstance(parameter, dict) or not isinstance(parameter.get("type"), str):
            return "each template parameter needs a type"
        if parameter["type"] == "text" and not (isinstance(parameter.get("text"), str) and parameter["text"]):
            return "a text parameter needs its text"
    return ""


def authentication_code(template: dict[str, Any]) -> tuple[str, str]:
    """(the code, "") of an authentication template as Meta accepts it, or ("", why not): the code is the
    body's one text parameter (at most 15 characters) and the copy-code button's, sent as a ``url`` button at
    index 0."""
    components = template.get("components") or []
    bodies = [c for c in components if c.get("type") == "body"]
    buttons = [c for c in components if c.get("type") == "button"]
    if len(bodies) != 1 or len(bodies[0].get("parameters", [])) != 1:
        return "", "(#131008) Required parameter is missing: the code is the body's one parameter"
    code = bodies[0]["parameters"][0].get("text", "")
    if not isinstance(code, str) or not 0 < len(code) <= 15:
        return "", "(#131009) Parameter value is not valid: a one-time code is at most 15 characters"
    if len(buttons) != 1 or len(buttons[0].get("parameters", [])) != 1:
        return "", "(#131008) Required parameter is missing: the copy-code button carries the code"
    button = buttons[0]
    if button.get("sub_type") != "url" or str(button.get("index")) != "0":
        return "", "(#131009) Parameter value is not valid: Button at index 0 must be of type Url"
    if button["parameters"][0].get("text") != code:
        return "", "(#131009) Parameter value is not valid: the button's code differs from the body's"
    return code, ""


def message_body_problem(body: Any) -> str:
    """Why a send body is not what the Cloud API accepts, or "" when it is."""
    if not isinstance(body, dict):
        return "body must be a JSON object"
    if body.get("messaging_product") != "whatsapp":
        return "messaging_product must be whatsapp"
    if body.get("recipient_type", "individual") != "individual":
        return "recipient_type must be individual"
    to = body.get("to")
    if not isinstance(to, str) or not to.isdigit() or not 7 <= len(to) <= 15:
        return "to must be a phone number in international format, digits only"
    kind = body.get("type", "text")
    if kind == "text":
        text = body.get("text")
        if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"].strip():
            return "text.body is required"
        if len(text["body"]) > 4096:
            return "text.body is longer than 4096 characters"
        return ""
    if kind == "template":
        template = body.get("template")
        if not isinstance(template, dict) or not isinstance(template.get("name"), str) or not template["name"]:
            return "template.name is required"
        language = template.get("language")
        if not isinstance(language, dict) or not isinstance(language.get("code"), str) or not language["code"]:
            return "template.language.code is required"
        components = template.get("components", [])
        if not isinstance(components, list):
            return "template.components must be a list of components"
        for component in components:
            if problem := _component_problem(component):
                return problem
        return ""
    if kind in ("image", "document"):
        return _media_section_problem(kind, body.get(kind))
    return f"message type {kind!r} is not supported by this fake"


# What the Cloud API takes in a media message's section, beside the id (or a link).
_MEDIA_SECTION_KEYS = {"image": {"id", "link", "caption"}, "document": {"id", "link", "caption", "filename"}}


def _media_section_problem(kind: str, section: Any) -> str:
    if not isinstance(section, dict):
        return f"{kind} must be an object"
    unknown = set(section) - _MEDIA_SECTION_KEYS[kind]
    if unknown:
        return f"{kind} does not take {', '.join(sorted(unknown))}"
    if not isinstance(section.get("id"), str) or not section["id"]:
        return f"{kind}.id is required (this fake takes uploaded media, not links)"
    caption = section.get("caption", "")
    if not isinstance(caption, str) or len(caption) > 1024:
        return f"{kind}.caption is at most 1024 characters"
    if kind == "document" and not isinstance(section.get("filename", ""), str):
        return "document.filename must be a string"
    return ""


MB = 1024 * 1024
# The Cloud API's supported media for messages an app sends, with their size limits.
UPLOAD_LIMITS = {
    "image/jpeg": 5 * MB,
    "image/png": 5 * MB,
    "image/webp": 500 * 1024,
    "application/pdf": 100 * MB,
    "text/plain": 100 * MB,
    "application/msword": 100 * MB,
    "application/vnd.ms-excel": 100 * MB,
    "application/vnd.ms-powerpoint": 100 * MB,
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": 100 * MB,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": 100 * MB,
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": 100 * MB,
    "audio/aac": 16 * MB,
    "audio/amr": 16 * MB,
    "audio/mpeg": 16 * MB,
    "audio/mp4": 16 * MB,
    "audio/ogg": 16 * MB,
    "video/mp4": 16 * MB,
    "video/3gpp": 16 * MB,
}


@dataclass(frozen=True, slots=True)
class FormPart:
    name: str
    filename: str | None
    content_type: str
    data: bytes


def multipart_parse(content_type: str, body: bytes) -> dict[str, FormPart] | None:
    """The parts of a multipart/form-data body by field name; None when it is not one."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        return None
    parts: dict[str, FormPart] = {}
    for chunk in body.split(b"--" + match.group(1).encode())[1:]:
        if chunk.startswith(b"--"):
            break
        head, separator, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not separator:
            return None
        headers = {}
        for line in head.decode("utf-8", errors="replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if name is None:
            return None
        parts[name.group(1)] = FormPart(
            name.group(1),
            filename.group(1) if filename else None,
            headers.get("content-type", ""),
            data.removesuffix(b"\r\n"),
        )
    return parts


def upload_problem(parts: dict[str, FormPart] | None) -> tuple[int, str]:
    """(Graph error code, message) of an upload the Cloud API would refuse, or (0, "")."""
    if parts is None:
        return 100, "(#100) The request must be multipart/form-data"
    product = parts.get("messaging_product")
    if product is None or product.data != b"whatsapp":
        return 100, "(#100) The parameter messaging_product is required and must be whatsapp"
    kind = parts.get("type")
    if kind is None or not kind.data:
        return 100, "(#100) The parameter type is required"
    upload = parts.get("file")
    if upload is None or upload.filename is None:
        return 100, "(#100) The parameter file is required"
    mime_type = kind.data.decode("utf-8", errors="replace")
    limit = UPLOAD_LIMITS.get(mime_type)
    if limit is None:
        return 131053, f"(#131053) Media upload error: unsupported type {mime_type}"
    if not upload.data:
        return 131053, "(#131053) Media upload error: the file is empty"
    if len(upload.data) > limit:
        return 131053, f"(#131053) Media upload error: larger than {limit // 1024} KB for {mime_type}"
    return 0, ""


_VERSION = re.compile(r"v\d+(\.\d+)?")


def _graph_parts(path: str) -> list[str]:
    """The path's segments without a leading Graph API version (``/v23.0/...``)."""
    parts = path.strip("/").split("/")
    return parts[1:] if parts and _VERSION.fullmatch(parts[0]) else parts


def _handler_for(fake: FakeGraphAPI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "FakeGraphAPI/1.0"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # request lines carry phone numbers; tests inspect ``fake.requests`` instead

        def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") == f"Bearer {fake.access_token}":
                return True
            self._json(401, graph_error(190, "Invalid OAuth access token - Cannot parse access token"))
            return False

        def _read_body(self) -> Any:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                return json.loads(raw)
            except ValueError:
                return raw

        def _upload(self, parts: dict[str, FormPart] | None) -> None:
            failure = fake._take_upload_failure()
            if failure is not None:
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
                self._json(failure.status, graph_error(failure.code, failure.message), headers)
                return
            code, problem = upload_problem(parts)
            if problem:
                self._json(400, graph_error(code, problem))
                return
            assert parts is not None
            media_id = fake._accept_upload(
                data=parts["file"].data,
                mime_type=parts["type"].data.decode(),
                filename=parts["file"].filename or "",
                file_content_type=parts["file"].content_type,
            )
            self._json(200, {"id": media_id})

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            body = self._read_body()
            fake._record(RecordedRequest("POST", path, dict(self.headers.items()), body))
            parts = _graph_parts(path)
            if len(parts) == 2 and parts[1] == "media":
                if not self._authorised():
                    return
                if fake.phone_number_id and parts[0] != fake.phone_number_id:
                    self._json(400, graph_error(100, "Unsupported post request.", kind="GraphMethodException"))
                    return
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self._upload(multipart_parse(self.headers.get("Content-Type", ""), raw))
                return
            if len(parts) != 2 or parts[1] != "messages":
                self._json(400, graph_error(100, "Unsupported post request.", kind="GraphMethodException"))
                return
            if not self._authorised():
                return
            if fake.phone_number_id and parts[0] != fake.phone_number_id:
                self._json(400, graph_error(100, "Unsupported post request.", kind="GraphMethodException"))
                return
            failure = fake._take_failure()
            if failure is not None:
                headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
                self._json(failure.status, graph_error(failure.code, failure.message), headers)
                return
            problem = message_body_problem(body)
            if problem:
                self._json(400, graph_error(100, f"(#100) Invalid parameter: {problem}"))
                return
            kind = body.get("type")
            if kind in ("image", "document") and not fake._media_known(body[kind]["id"]):
                self._json(400, graph_error(131009, "(#131009) Parameter value is not valid: unknown media id"))
                return
            code = ""
            if body.get("type") == "template" and body["template"]["name"] in fake.authentication_templates:
                code, problem = authentication_code(body["template"])
                if problem:
                    self._json(400, graph_error(int(problem[2:8]), problem))
                    return
            message_id = new_wamid()
            with fake._lock:
                fake.accepted_ids.append(message_id)
                if code:
                    fake._codes.append((body["to"], code))
            if code and fake.on_code is not None:
                fake.on_code(body["to"], code)
            if fake.send_gate is not None:
                fake.send_gate.wait(fake.hold_seconds)
            self._json(
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                    "messages": [{"id": message_id}],
                },
            )
            fake._schedule_statuses(message_id, body["to"])

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            fake._record(RecordedRequest("GET", path, dict(self.headers.items()), None))
            if not self._authorised():
                return
            parts = _graph_parts(path)
            media = fake._media_get(parts[-1]) if parts else None
            status = fake._take_media_failure()
            if status is not None:
                self._json(status, graph_error(1, HTTPStatus(status).phrase))
                return
            if media is None:
                self._json(404, graph_error(100, "Unsupported get request.", kind="GraphMethodException"))
                return
            if len(parts) == 2 and parts[0] == "media-download":
                self.send_response(200)
                self.send_header("Content-Type", media.mime_type)
                self.send_header("Content-Length", str(len(media.data)))
                self.end_headers()
                self.wfile.write(media.data)
                return
            self._json(
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": f"{fake.url}/media-download/{parts[-1]}",
                    "mime_type": media.mime_type,
                    "sha256": media.sha256,
                    "file_size": len(media.data),
                    "id": parts[-1],
                },
            )

    return Handler
