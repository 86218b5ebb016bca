"""A demo host page that embeds the web-chat widget with one script tag, as a shop would."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def webchat_demo(request: HttpRequest) -> HttpResponse:
    """A stand-in for a customer's website: the widget as a shop would embed it."""
    server = f"{request.scheme}://{request.get_host()}"
    return render(request, "devtools/webchat_demo.html", {"server": server})
