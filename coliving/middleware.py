"""Request-wide middleware: the ``X-Request-ID`` header and the log filter that prints it.

Every response carries ``X-Request-ID``: the client's own value when it sent a sane one,
a fresh one otherwise. The id is kept in a context variable so that any log line written
while the request runs — including the traceback of an unexpected error — names it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIDMiddleware:
    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get(self.header, "")
        request_id = sent if _ACCEPTABLE_ID.match(sent) else uuid.uuid4().hex
        request.request_id = request_id
        # Not reset afterwards: Django logs a 500 after the middleware chain has returned,
        # and that line should still carry the id. The next request sets its own.
        _request_id.set(request_id)
        response = self.get_response(request)
        response[self.header] = request_id
        return response


class RequestIDLogFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True
