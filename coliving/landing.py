"""``/`` and ``/schema/``: a small page saying what this is and where to go next.

A person who opens the host in a browser (or mistypes the schema's address with a slash)
gets links to the API documentation, the API itself, the health check and the admin,
instead of a bare 404. It loads nothing: no scripts, no fonts, no images.
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe


@require_safe
def landing(request):
    return render(
        request,
        "coliving/landing.html",
        {"title": settings.SPECTACULAR_SETTINGS["TITLE"], "version": settings.SPECTACULAR_SETTINGS["VERSION"]},
    )
