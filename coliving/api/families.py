"""The three API families and their wire shapes (DESIGN.md, "API families").

- coliving (partner, integrations, JSON feed): ``{"success": true, "data": …}`` and
  ``{"success": false, "error": msg, "code": code, "details": {…}}``;
- coworkies directory: ``{"success": true, "status": 200, "data": …}`` and
  ``{"success": false, "status": N, "error": {"code", "message", "details": [...]}}``;
- cobot (resource bookings): the bare resource, ``{"errors": {field: [msgs]}}`` for 422,
  ``{"error": msg}`` otherwise.

Views declare their family; requests that never reach a view (unknown paths) are given
one by their path and host through the routing registry (``coliving/api/routing.py``).
"""

from __future__ import annotations

import enum
import re
from typing import Any

# The coworkies error codes are fixed by the spec's table.
STATUS_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limit_exceeded",
    500: "server_error",
    503: "service_unavailable",
}


NO_DATA: Any = object()


class Family(enum.StrEnum):
    COLIVING = "coliving"
    COWORKIES = "coworkies"
    COBOT = "cobot"

    def success(self, data: Any = NO_DATA, *, status: int = 200, message: str | None = None) -> Any:
        """The success envelope; ``data`` may be left out where the spec shows only a message."""
        if self is Family.COBOT:
            return data
        body: dict[str, Any] = {"success": True}
        if self is Family.COWORKIES:
            body["status"] = status
        if data is not NO_DATA:
            body["data"] = data
        if message is not None:
            body["message"] = message
        return body

    def error(
        self,
        *,
        status: int,
        code: str,
        message: str,
        details: Any = None,
        retry_after: int | None = None,
    ) -> dict[str, Any]:
        if self is Family.COBOT:
            if status == 422 and isinstance(details, dict) and details:
                return {"errors": details}
            return {"error": message}
        if self is Family.COWORKIES:
            error: dict[str, Any] = {"code": STATUS_CODES.get(status, code), "message": message}
            if details:
                error["details"] = details if isinstance(details, list) else flatten_messages(details)
            return {"success": False, "status": status, "error": error}
        body: dict[str, Any] = {"success": False, "error": message, "code": code}
        if details:
            body["details"] = details
        if retry_after is not None:
            body["retry_after"] = retry_after
        return body

    def validation_details(self, detail: Any) -> Any:
        """DRF's nested error detail in this family's form."""
        if self is Family.COWORKIES:
            return flatten_messages(detail)
        return dotted(detail)


def dotted(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """``{"data": [{}, {"end_date": ["…"]}]}`` → ``{"data.1.end_date": ["…"]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = "non_field_errors" if key in ("non_field_errors", "__all__") and not prefix else str(key)
            out.update(dotted(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            if detail:
                out.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                out.update(dotted(item, f"{prefix}.{index}" if prefix else str(index)))
    elif detail not in (None, ""):
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def flatten_messages(detail: Any) -> list[str]:
    """Coworkies' ``details`` list, as the spec shows it: ``["Job title is required", "City ID
    is required"]``. A message that already names its field (every word of the field's
    name but ``id`` appears in it) stands alone; one that does not — DRF's generic "Ensure
    this value is less than or equal to 50." — is prefixed with the field's path
    (``"per_page: Ensure …"``), or the client could not tell which input it is about."""
    messages = []
    for path, errors in dotted(detail).items():
        words = [word for word in re.split(r"[._]", path.lower()) if word and word != "id" and not word.isdigit()]
        for error in errors:
            named = path == "non_field_errors" or all(word in error.lower() for word in words)
            messages.append(error if named else f"{path}: {error}")
    return messages
