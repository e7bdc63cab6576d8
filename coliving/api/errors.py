"""Domain errors. Services raise these; the exception handler renders them in the family's shape."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    status = 400
    code = "bad_request"
    message = "Bad request"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        status: int | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ):
        self.message = message or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.details = details
        self.headers = headers or {}
        super().__init__(self.message)


class NotFound(ApplicationError):
    status = 404
    code = "not_found"
    message = "Not found"


class Forbidden(ApplicationError):
    status = 403
    code = "forbidden"
    message = "Forbidden"


class Conflict(ApplicationError):
    status = 409
    code = "conflict"
    message = "Conflict"


class Unprocessable(ApplicationError):
    status = 422
    code = "validation_error"
    message = "Validation failed"


class ServerError(ApplicationError):
    status = 500
    code = "server_error"
    message = "Internal server error"
