"""Request-wide middleware: the ``X-Request-ID`` header and the log filter that prints it.

Every response carries ``X-Request-ID``: the client's own value when it sent a sane one,
a fresh one otherwise. The id is kept in a context variable so that any log line written
while the request runs — including the traceback of an unexpected error — names it.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
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


class RequestLimitsMiddleware:
    """Refuse requests over the size limits before anything reads them.

    - ``Content-Length`` above ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``MAX_REQUEST_BYTES``) is
      413 from the header alone: the body is never read, so a client that announces 30 MB
      and then trickles it holds no worker while it does (the parser's own count only
      starts once something reads). A ``Content-Length`` that is not a number is 400.
    - a URL (path and query string) longer than ``MAX_URL_BYTES`` is 414;
    - request headers longer than ``MAX_HEADER_BYTES`` in all are 431.

    gunicorn (``gunicorn.conf.py``) enforces looser limits of its own on the raw request
    line and on each header, so that anything this middleware would refuse reaches it and
    is answered in the family's error shape; a reverse proxy in front should mirror these
    settings (see the README's "Serving stack").
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self.refusal(request)
        if refusal is not None:
            return refusal
        return self.get_response(request)

    @staticmethod
    def refusal(request):
        from django.conf import settings

        from coliving.api.errors import ApplicationError

        declared = request.META.get("CONTENT_LENGTH") or "0"
        if not declared.strip().isdigit():
            return _limit_response(request, ApplicationError("Content-Length is not a number", status=400))
        if int(declared) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return _limit_response(
                request,
                ApplicationError(
                    f"Request body too large (Content-Length {int(declared)}, at most "
                    f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes)",
                    code="payload_too_large",
                    status=413,
                ),
            )
        url_bytes = len(request.META.get("PATH_INFO", "").encode()) + len(request.META.get("QUERY_STRING", "")) + 1
        if url_bytes > settings.MAX_URL_BYTES:
            return _limit_response(
                request,
                ApplicationError(
                    f"URL too long (at most {settings.MAX_URL_BYTES} bytes)", code="uri_too_long", status=414
                ),
            )
        headers = request.META.items()
        header_bytes = sum(len(name) - 5 + len(str(value)) for name, value in headers if name.startswith("HTTP_"))
        if header_bytes > settings.MAX_HEADER_BYTES:
            return _limit_response(
                request,
                ApplicationError(
                    f"Request headers too large (at most {settings.MAX_HEADER_BYTES} bytes in all)",
                    code="request_header_fields_too_large",
                    status=431,
                ),
            )
        return None


def _limit_response(request, error):
    from django.http import HttpResponse

    from coliving.api.exceptions import _is_api_path, _json_error

    if _is_api_path(request):
        return _json_error(request, error)
    return HttpResponse(error.message + "\n", status=error.status, content_type="text/plain; charset=utf-8")


class OncePerIntervalLogFilter(logging.Filter):
    """Let one record through per ``seconds`` (per process), on one line, counting the rest.

    For django-redis's "Exception ignored": with ``DJANGO_REDIS_IGNORE_EXCEPTIONS`` every cache
    call during a Redis outage logs a traceback, several per request. An operator needs to
    know once that Redis is unreachable, and roughly how often it mattered.
    """

    def __init__(self, seconds: float = 60.0, summary: str = ""):
        super().__init__()
        self.seconds = float(seconds)
        self.summary = summary
        self._last = float("-inf")
        self._suppressed = 0
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self._last < self.seconds:
                self._suppressed += 1
                return False
            self._last, suppressed, self._suppressed = now, self._suppressed, 0
        if self.summary:
            error = record.exc_info[1] if record.exc_info else None
            detail = f"{type(error).__name__}: {error}" if error is not None else record.getMessage()
            record.msg, record.args, record.exc_info, record.exc_text = f"{self.summary} ({detail})", (), None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        if suppressed:
            record.msg = f"{record.msg} [{suppressed} more in the last {self.seconds:g} s not logged]"
        return True
