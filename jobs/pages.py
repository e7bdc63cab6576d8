"""The pages the newsletter emails link to (outside the API: people open them in a browser).

``GET`` shows a page with one button and changes nothing — mail scanners and link
previews fetch links, and must not confirm or unsubscribe anyone — and the button's
``POST`` does it. The token in the path is what authorises the change, so these forms
need no CSRF cookie; the unsubscribe ``POST`` is also what mail clients send for RFC 8058
one-click unsubscribe (``List-Unsubscribe-Post``).
"""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from jobs import services

PAGES = {
    "confirm": {
        "title": "Confirm your subscription",
        "prompt": "Confirm that you want to receive the newsletter.",
        "button": "Confirm my subscription",
        "done": "Thank you: your subscription is confirmed.",
    },
    "unsubscribe": {
        "title": "Unsubscribe",
        "prompt": "Stop receiving the newsletter at this address.",
        "button": "Unsubscribe",
        "done": "You are unsubscribed. You will not receive the newsletter any more.",
    },
}
UNKNOWN = "This link is not valid (any more)."


def _page(request, action: str, token: str):
    page = PAGES[action]
    known = len(token) <= 64
    if request.method == "POST" and known:
        change = services.newsletter_confirm if action == "confirm" else services.newsletter_unsubscribe
        known = change(token=token) is not None
        message = page["done"] if known else UNKNOWN
        return render(request, "jobs/newsletter_page.html", {**page, "message": message}, status=200 if known else 404)
    return render(request, "jobs/newsletter_page.html", {**page, "form": known, "message": None if known else UNKNOWN})


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def newsletter_confirm(request, token: str):
    return _page(request, "confirm", token)


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def newsletter_unsubscribe(request, token: str):
    return _page(request, "unsubscribe", token)
