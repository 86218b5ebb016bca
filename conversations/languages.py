"""The language an agent chose for the inbox (``AgentProfile.language``), applied to everything they read.

The choice is copied into the session when they sign in or change it, so applying it costs no query: the
middleware reads the session that authentication loads anyway. Empty means the browser's language, which
Django's ``LocaleMiddleware`` picked already from ``Accept-Language``.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from conversations.models import AgentProfile

SESSION_KEY = "inbox_language"
CODES = frozenset(code for code, _ in settings.LANGUAGES)


def agent_language(*, user: AbstractBaseUser) -> str:
    """The agent's chosen language, or "" for the browser's."""
    return AgentProfile.objects.filter(user=user).values_list("language", flat=True).first() or ""


def agent_language_set(*, user: AbstractBaseUser, language: str) -> None:
    if language and language not in CODES:
        raise ValueError(f"unknown language {language!r}")
    AgentProfile.objects.update_or_create(user=user, defaults={"language": language})


def remember_in_session(request: HttpRequest, language: str) -> None:
    if language:
        request.session[SESSION_KEY] = language
    else:
        request.session.pop(SESSION_KEY, None)


def copy_on_login(sender: Any, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the stored choice follows the agent into every new session."""
    if request is not None and hasattr(request, "session"):
        remember_in_session(request, agent_language(user=user))


class AgentLanguageMiddleware:
    """After authentication: a signed-in user's chosen language wins over the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        language = session.get(SESSION_KEY) if session is not None else None
        if language in CODES:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
