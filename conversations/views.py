"""Server-rendered pages of the agent inbox. Thin: check login and permission, read through selectors, render.

Every action on these pages goes through the REST API (``conversations.api``)
and live updates through the socket (``conversations.consumers.agent``);
these views only draw the first screen.
"""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consent.jurisdictions import JURISDICTIONS
from consent.models import ConsentStatus
from consent.selectors import consent_state_list
from conversations import selectors
from conversations.languages import agent_language_set, remember_in_session
from conversations.models import AttachmentStatus, Channel, Conversation, ConversationStatus, MessageType
from conversations.request_suggestion_texts import request_suggestion_texts

LOGIN_URL = reverse_lazy("inbox:login")
SCOPES = [
    ("all", gettext_lazy("All I can see")),
    ("mine", gettext_lazy("Mine")),
    ("team", gettext_lazy("My teams")),
    ("unassigned", gettext_lazy("Unassigned")),
]
# The first page of the list; the rest comes a page at a time over the API ("Load more").
LIST_PAGE = 50
EARLIER_LIMIT = 20
THREAD_LIMIT = 200
# Who may turn a customer's message into a subject request (the button posts to the subject-rights API).
RECORD_REQUEST = "retention.add_subjectrequest"


class InboxLoginView(auth_views.LoginView):
    template_name = "inbox/login.html"
    redirect_authenticated_user = True
    next_page = reverse_lazy("inbox:index")


class InboxLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("inbox:login")


def _inbox_required(view: Any) -> Any:
    # Not logged in → our login page (agents are not staff: the admin's would refuse them);
    # logged in without the permission → 403, not a login loop.
    return login_required(login_url=LOGIN_URL)(
        permission_required("conversations.view_conversation", raise_exception=True)(view)
    )


def _template_language(language: str) -> str:
    # Subjects use Django codes ("pt-br"); Meta's templates use locale codes ("pt_BR").
    head, _, tail = language.partition("-")
    return f"{head}_{tail.upper()}" if tail else head


def _list_context(request: HttpRequest) -> dict[str, Any]:
    scope = request.GET.get("scope", "all")
    scope = scope if scope in dict(SCOPES) else "all"
    wanted = request.GET.get("status", "")
    wanted = wanted if wanted in ConversationStatus.values else ""
    q = request.GET.get("q", "").strip()[:200]
    # Read the high-water mark before the list: whatever happens after it is replayed over the socket.
    last_event_id = selectors.event_last_id()
    page = selectors.conversation_page(user=request.user, scope=scope, status=wanted or None, q=q, limit=LIST_PAGE)
    return {
        "conversations": [_labelled(selectors.conversation_render(c)) for c in page.rows],
        "total": page.total,
        "next_cursor": page.next or "",
        "scope": scope,
        "status": wanted,
        "q": q,
        "scopes": SCOPES,
        "statuses": ConversationStatus.choices,
        "last_event_id": last_event_id,
        "api_base": reverse("api-conversation-list"),
        "query": request.GET.urlencode(),
    }


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _labelled(rendered: dict[str, Any]) -> dict[str, Any]:
    """A conversation's render with its channel, status and preview type in the reader's words (page only)."""
    rendered["channel_label"] = _label(Channel, rendered["channel"])
    rendered["status_label"] = _label(ConversationStatus, rendered["status"])
    preview = rendered.get("preview")
    if preview:
        preview["type_label"] = _label(MessageType, preview.get("type", ""))
    return rendered


# Why a message was not sent, for the failures we record ourselves (the provider's own reasons come as it wrote them).
OWN_FAILURES = {
    "restricted": gettext_lazy("Not sent: processing is restricted for this customer."),
    "file_unreadable": gettext_lazy("Not sent: the stored file could not be read."),
    "no_file": gettext_lazy("Not sent: the message has no stored file."),
}


def _labelled_message(rendered: dict[str, Any]) -> dict[str, Any]:
    rendered["type_label"] = _label(MessageType, rendered["type"])
    rendered["own_failure"] = rendered["error_code"] in OWN_FAILURES
    if rendered["own_failure"]:
        rendered["error_title"] = str(OWN_FAILURES[rendered["error_code"]])
    for attachment in rendered["attachments"]:
        attachment["status_label"] = _label(AttachmentStatus, attachment["status"])
    return rendered


def _latest_messages(conversation: Conversation) -> list[Any]:
    """The newest messages, oldest first: a long conversation opens at its end, not at its beginning."""
    newest = selectors.message_queryset(conversation=conversation).order_by("-id")[:THREAD_LIMIT]
    return list(reversed(list(newest)))


def _consent_rows(subject: Any, language: str) -> list[dict[str, Any]]:
    """Each purpose's state with its legal basis in the customer's jurisdiction, in the agent's words.

    Only a purpose that rests on consent has a consent state worth showing; the others say which basis they
    rest on and that no consent is needed ("Performance of a contract: no consent needed").
    """
    jurisdiction = JURISDICTIONS.get(subject.jurisdiction)
    rows = []
    for row in consent_state_list(subject=subject):
        purpose = row["purpose"]
        basis = jurisdiction.basis(purpose.basis_for(subject.jurisdiction)) if jurisdiction else None
        on_consent = basis is None or basis.is_consent
        rows.append(
            {
                "code": purpose.code,
                "name": purpose.localized("name", language),
                "status": row["status"],
                "on_consent": on_consent,
                "basis": str(basis.label) if basis else "",
                "state": ConsentStatus(row["status"]).label if on_consent else _("no consent needed"),
                "changed_at": row["changed_at"].isoformat() if row["changed_at"] else "",
            }
        )
    return rows


def _canned(conversation: Conversation) -> list[dict[str, Any]]:
    """The team's canned responses in the subject's language; English where a shortcut has no translation."""
    language = conversation.subject.language
    if conversation.team_id is None:
        return []
    rows = selectors.canned_response_list(team_ids=[conversation.team_id])
    chosen: dict[str, Any] = {}
    for row in rows:
        if row.language == language or (row.language == "en" and row.shortcut not in chosen):
            chosen[row.shortcut] = row
    return [
        {"shortcut": r.shortcut, "title": r.title, "body": r.body, "language": r.language}
        for r in sorted(chosen.values(), key=lambda r: r.shortcut)
    ]


@_inbox_required
def inbox_index(request: HttpRequest) -> HttpResponse:
    return render(request, "inbox/inbox.html", _list_context(request))


@_inbox_required
def inbox_conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    conversation = selectors.conversation_get(user=request.user, conversation_id=conversation_id)
    if conversation is None:
        raise Http404
    context = _list_context(request)
    can_record_request = request.user.has_perm(RECORD_REQUEST)
    rendered = _labelled(selectors.conversation_render(conversation))
    subject = conversation.subject
    earlier = (selectors.conversation_list(user=request.user).filter(subject=subject).exclude(pk=conversation.pk))[
        :EARLIER_LIMIT
    ]
    context.update(
        {
            "conversation": rendered,
            "messages": [
                _labelled_message(m) for m in selectors.messages_render(conversation, _latest_messages(conversation))
            ],
            "notes": [selectors.note_render(n) for n in selectors.note_list(conversation=conversation)],
            "consent": _consent_rows(subject, request.LANGUAGE_CODE),
            "earlier": [_labelled(selectors.conversation_render(c)) for c in earlier],
            "canned": _canned(conversation),
            "templates": selectors.template_list() if conversation.channel == "whatsapp" else [],
            "template_language": _template_language(subject.language),
            "teammates": selectors.teammates(team_id=conversation.team_id),
            "teams": selectors.team_list(),
            "can_reply": request.user.has_perm("conversations.add_message"),
            "can_change": request.user.has_perm("conversations.change_conversation"),
            "can_note": request.user.has_perm("conversations.add_note"),
            "can_record_request": can_record_request,
            "request_texts": request_suggestion_texts() if can_record_request else None,
        }
    )
    return render(request, "inbox/inbox.html", context)


@_inbox_required
@require_POST
def inbox_profile(request: HttpRequest) -> HttpResponse:
    """The agent's inbox language (empty: the browser's); back to the page they came from."""
    language = request.POST.get("language", "")
    try:
        agent_language_set(user=request.user, language=language)
    except ValueError:
        return HttpResponseBadRequest(_("Unknown language."), content_type="text/plain; charset=utf-8")
    remember_in_session(request, language)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("inbox:index")
    return redirect(target)
