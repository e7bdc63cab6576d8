"""Content negotiation that falls back to JSON instead of answering 406.

Partners' HTTP clients send all sorts of ``Accept`` headers (``text/html`` from a
browser, ``application/xml`` by habit). An API that answers 406 to them helps nobody, and
an HTML page on an API path is a bug, so when nothing matches, the view's first renderer
(JSON) is used. ``?format=json`` on ``/schema`` still picks the JSON schema renderer.
"""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class AlwaysJSONNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except NotAcceptable:
            return renderers[0], renderers[0].media_type


class FirstRendererNegotiation(DefaultContentNegotiation):
    """Always the view's first renderer, whatever ``Accept`` or ``?format=`` say: for views
    that read ``format`` themselves (the feed's field guide) or write a body of their own
    type (an iCalendar feed) and answer errors as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
