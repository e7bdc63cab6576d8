"""Request-wide middleware: the ``X-Request-ID`` header and the log filter that prints it,
the request size limits, and django-csp's middleware with the settings' policy built once.

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

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

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


# What django-csp's decorators set on a response that brings a policy of its own.
_OWN_POLICY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")
_EXEMPT = ("_csp_exempt", "_csp_exempt_ro")


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the header of a response that used no nonce and brings no
    policy of its own built once per process rather than on every response.

    That is every JSON answer of the APIs: django-csp rebuilt the same string from the
    settings for each of them (a tenth of a millisecond, more than the view's own rendering
    of a small body). Any other response — a page whose template used the nonce, a view
    decorated with its own policy or exemption, a debug error page, a setting with
    ``EXCLUDE_URL_PREFIXES`` — takes django-csp's own path; the header is the same string.
    """

    _cache: tuple = (None, None, "", "")  # (the two settings it was built from, the policies)

    def process_response(self, request, response):
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(getattr(response, name, None) is not None for name in _OWN_POLICY)
            or any(hasattr(response, name) for name in _EXEMPT)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        policy, policy_ro = self._settings_policies()
        if policy is None:
            return super().process_response(request, response)
        if policy and HEADER not in response:
            response[HEADER] = policy
        if policy_ro and HEADER_REPORT_ONLY not in response:
            response[HEADER_REPORT_ONLY] = policy_ro
        # As django-csp does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response

    @classmethod
    def _settings_policies(cls) -> tuple[str | None, str]:
        """The settings' policy and report-only policy (None when a setting excludes URL
        prefixes: django-csp's path decides); rebuilt when a setting changes (tests)."""
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        config_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        built_for, built_for_ro, policy, policy_ro = cls._cache
        if config is not built_for or config_ro is not built_for_ro:
            if any((value or {}).get("EXCLUDE_URL_PREFIXES") for value in (config, config_ro)):
                policy = None
            else:
                policy, policy_ro = build_policy(), build_policy(report_only=True)
            cls._cache = (config, config_ro, policy, policy_ro)
        return policy, policy_ro
