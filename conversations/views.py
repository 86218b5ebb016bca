"""Server-rendered pages of the agent inbox. Thin: check login and permission, read through selectors, render.

Every action on these pages goes through the REST API (``conversations.api``)
and live updates through the socket (``conversations.consumers.agent``);
these views only draw the first screen.
"""

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse, reverse_lazy

from consent.selectors import consent_state_list
from conversations import selectors
from conversations.models import Conversation, ConversationStatus
from conversations.request_suggestion_texts import request_suggestion_texts

LOGIN_URL = reverse_lazy("inbox:login")
SCOPES = [("all", "All I can see"), ("mine", "Mine"), ("team", "My teams"), ("unassigned", "Unassigned")]
LIST_LIMIT = 100
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
    # Read the high-water mark before the list: whatever happens after it is replayed over the socket.
    last_event_id = selectors.event_last_id()
    rows = list(selectors.conversation_list(user=request.user, scope=scope, status=wanted or None)[:LIST_LIMIT])
    return {
        "conversations": [selectors.conversation_render(c) for c in rows],
        "scope": scope,
        "status": wanted,
        "scopes": SCOPES,
        "statuses": ConversationStatus.choices,
        "last_event_id": last_event_id,
        "api_base": reverse("api-conversation-list"),
        "query": request.GET.urlencode(),
    }


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
    rendered = selectors.conversation_render(conversation)
    subject = conversation.subject
    consent = [
        {"code": row["purpose"].code, "name": row["purpose"].localized("name", "en"), "status": row["status"]}
        for row in consent_state_list(subject=subject)
    ]
    context.update(
        {
            "conversation": rendered,
            "messages": selectors.messages_render(conversation, selectors.message_list(conversation=conversation)),
            "notes": [selectors.note_render(n) for n in selectors.note_list(conversation=conversation)],
            "consent": consent,
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
