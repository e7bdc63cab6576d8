"""One exception handler for every API family, and the Django error views for API paths.

Everything that can go wrong on an API path ends here and leaves as the family's JSON
error shape: DRF's exceptions, domain ``ApplicationError``s, Django's ``Http404``,
``PermissionDenied``, ``ValidationError`` and ``RequestDataTooBig``, django-ratelimit's
``Ratelimited`` (mapped to 429 *before* the generic 403 it subclasses), a database that
went away (503 with ``Retry-After``), and anything
unexpected (500, logged with the request id, never a traceback in the body).
"""

from __future__ import annotations

import logging
import math
import sys
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.exceptions import Ratelimited
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from coliving.api.errors import ApplicationError, InvalidInput, ServerError
from coliving.api.families import Family
from coliving.api.routing import family_for_request, family_of_request

logger = logging.getLogger("coliving.api")

VALIDATION_STATUS = {Family.COLIVING: 400, Family.COWORKIES: 422, Family.COBOT: 422}
VALIDATION_MESSAGE = {Family.COLIVING: "Validation Error", Family.COWORKIES: "Validation failed"}


def _message(exc: drf.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, (list, dict)):
        return str(exc.default_detail)
    return str(detail)


def _is_lock_contention(exc: OperationalError) -> bool:
    """A lock wait that timed out or a deadlock (PostgreSQL), or SQLite's busy database."""
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate in ("55P03", "40P01") or "database is locked" in str(exc)


def wire_path(serializer: Any, path: tuple[str | int, ...]) -> str:
    """A domain path as the wire spells it, through the fields' ``source``s of ``serializer``.

    ``("items", 3, "available")`` with a serializer whose ``data`` field has
    ``source="items"`` is ``"data.3.available"``; names no field claims stay as they are.
    """
    parts: list[str] = []
    field = serializer
    for segment in path:
        if isinstance(segment, int):
            parts.append(str(segment))
            field = getattr(field, "child", None)
            continue
        fields = getattr(field, "fields", None) or {}
        field = next((f for name, f in fields.items() if f.source == segment or name == segment), None)
        parts.append(field.field_name if field is not None else segment)
    return ".".join(parts)


def _invalid_input_detail(exc: InvalidInput, view: Any) -> dict[str, list[str]]:
    input_class = getattr(view, "input_serializer_class", None)
    serializer = input_class() if input_class is not None else None
    detail: dict[str, list[str]] = {}
    for error in exc.errors:
        detail.setdefault(wire_path(serializer, error.path) or "non_field_errors", []).append(error.message)
    return detail


def error_payload(exc: Exception, family: Family, view: Any = None) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Map ``exc`` to ``(status, body, headers)`` in ``family``'s shape."""
    headers: dict[str, str] = {}
    retry_after: int | None = None
    details: Any = None

    if isinstance(exc, Ratelimited):  # before PermissionDenied: it subclasses it
        exc = drf.Throttled(wait=60)
    elif isinstance(exc, Http404):
        exc = drf.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        exc = ApplicationError("Request body too large", code="payload_too_large", status=413)
    elif isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        exc = ApplicationError("Too many parameters in the query string or body")
    elif isinstance(exc, SuspiciousOperation):
        exc = ApplicationError("Bad request")
    elif isinstance(exc, OperationalError) and _is_lock_contention(exc):
        exc = ApplicationError(
            "The resource is busy, retry shortly", code="lock_timeout", status=409, headers={"Retry-After": "1"}
        )
    elif isinstance(exc, (OperationalError, InterfaceError)):
        # The database went away (restarted, failed over, unreachable): the transaction was
        # rolled back with the connection, so retrying is safe. CONN_HEALTH_CHECKS has the
        # worker open a fresh connection for its next request.
        logger.warning("Database unavailable: %s", str(exc).strip().splitlines()[0] if str(exc).strip() else exc)
        exc = ApplicationError(
            "The database is unavailable, retry shortly",
            code="service_unavailable",
            status=503,
            headers={"Retry-After": "5"},
        )
    elif isinstance(exc, DjangoValidationError):
        exc = drf.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )

    if isinstance(exc, InvalidInput):
        status = VALIDATION_STATUS[family]
        code, message = exc.code, exc.message if family is Family.COLIVING else VALIDATION_MESSAGE[Family.COWORKIES]
        details = family.validation_details(_invalid_input_detail(exc, view))
    elif isinstance(exc, ApplicationError):
        status, code, message, details = exc.status, exc.code, exc.message, exc.details
        headers.update(exc.headers)
        if "Retry-After" in headers:
            retry_after = int(headers["Retry-After"])
    elif isinstance(exc, drf.ValidationError):
        status = VALIDATION_STATUS[family]
        code = "validation_error"
        message = VALIDATION_MESSAGE.get(family, "Validation failed")
        details = family.validation_details(exc.detail)
    elif isinstance(exc, drf.Throttled):
        status, code, message = 429, "rate_limit_exceeded", "Rate limit exceeded"
        retry_after = max(1, math.ceil(exc.wait or 1))
        headers["Retry-After"] = str(retry_after)
    elif isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        status = 401
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "unauthorized"
        if code in ("not_authenticated", "authentication_failed"):
            code = "api_key_missing" if code == "not_authenticated" else "invalid_api_key"
        message = _message(exc)
        if isinstance(exc, drf.NotAuthenticated):
            message = "API key missing"
    elif isinstance(exc, drf.APIException):
        status = exc.status_code
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else "error"
        code = {"parse_error": "bad_request", "permission_denied": "forbidden"}.get(code, code)
        message = _message(exc)
        if isinstance(exc, drf.ParseError) and not message.startswith("Malformed"):
            message = f"Malformed request body: {message}"
        if status == 415:
            code = "unsupported_media_type"
    else:
        logger.error("Unhandled error in an API view", exc_info=exc)
        status, code, message = 500, "server_error", "Internal server error"

    body = family.error(status=status, code=code, message=message, details=details, retry_after=retry_after)
    return status, body, headers


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    view = context.get("view")
    request = context.get("request")
    family = getattr(view, "family", None) or family_for_request(request)
    status, body, headers = error_payload(exc, family, view)
    if isinstance(exc, (drf.NotAuthenticated, drf.AuthenticationFailed)):
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    set_rollback()
    response = Response(body, status=status, headers=headers)
    response.exception = True
    return response


# --- Django-level handlers: requests that never reach a DRF view -------------------------


def _json_error(request: HttpRequest, exc: Exception) -> JsonResponse:
    status, body, headers = error_payload(exc, family_for_request(request))
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _is_api_path(request: HttpRequest) -> bool:
    return family_of_request(request) is not None


@csrf_exempt
def api_not_found(request: HttpRequest, exception: Exception | None = None, *args, **kwargs):
    """Catch-all for unknown paths under the API prefixes."""
    return _json_error(request, Http404())


def handler400(request, exception=None):
    if _is_api_path(request):
        if isinstance(exception, RequestDataTooBig):
            return _json_error(request, exception)
        return _json_error(request, ApplicationError("Bad request"))
    from django.views.defaults import bad_request

    return bad_request(request, exception)


def handler403(request, exception=None):
    if _is_api_path(request):
        return _json_error(request, drf.PermissionDenied())
    from django.views.defaults import permission_denied

    return permission_denied(request, exception)


def handler404(request, exception=None):
    if _is_api_path(request):
        return _json_error(request, Http404())
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request):
    if _is_api_path(request):
        # Called while the exception is being handled: a database outage outside a DRF view
        # (middleware, Django's own views) is a 503 too.
        failure = sys.exc_info()[1]
        if isinstance(failure, (OperationalError, InterfaceError)):
            return _json_error(request, failure)
        return _json_error(request, ServerError())  # generic message; Django logged the traceback
    from django.views.defaults import server_error

    return server_error(request)
