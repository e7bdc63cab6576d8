"""Domain errors. Services raise these; the exception handler renders them in the family's shape."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
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


@dataclass(frozen=True)
class FieldError:
    """One problem with one input, in the domain's own terms.

    ``path`` names the input as the service knows it — ``("items", 3, "available")`` for
    the fourth item of a batch, ``("checkin",)`` for a single field — never as the wire
    spells it. The family renders it: the view's input serializer maps each name back to
    the field it came from (``checkin`` → ``checkin_at``, ``items`` → ``data``), so a
    service called from a task, a command or the admin raises the same error.
    """

    path: tuple[str | int, ...]
    message: str
    code: str = "invalid"


class InvalidInput(ApplicationError):
    """Input that breaks domain rules; ``errors`` lists every problem found, not just the first.

    Rendered with the family's validation status and shape (400 dotted paths for coliving,
    422 details list for coworkies, 422 ``errors`` for Cobot).
    """

    status = 400
    code = "validation_error"
    message = "Validation Error"

    def __init__(self, errors: Iterable[FieldError], message: str | None = None, *, code: str | None = None):
        self.errors = tuple(errors)
        super().__init__(message, code=code)

    def __str__(self) -> str:
        """Readable where no family renders it (admin messages, commands, task logs)."""
        problems = "; ".join(f"{'.'.join(map(str, e.path))}: {e.message}" for e in self.errors)
        return f"{self.message}: {problems}" if problems else self.message

    @classmethod
    def single(cls, path: tuple[str | int, ...] | str, message: str, code: str = "invalid") -> InvalidInput:
        return cls([FieldError(path if isinstance(path, tuple) else (path,), message, code)])
