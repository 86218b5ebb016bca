"""Pages of the web-chat channel: a demo host page that embeds the widget with one script tag."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def webchat_demo(request: HttpRequest) -> HttpResponse:
    """A stand-in for a customer's website: the widget as a shop would embed it."""
    server = f"{request.scheme}://{request.get_host()}"
    return render(request, "webchat/demo.html", {"server": server})
