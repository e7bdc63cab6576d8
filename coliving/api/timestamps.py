"""The one way the coliving family writes a timestamp on the wire.

The specs show ``2024-01-01T08:00:00Z`` (``created_at`` in ``coliving-integrations-api.txt``):
UTC, whole seconds, ``Z``. That is every timestamp field (users, ``/v2/me``, bookings),
except the one the documents give with milliseconds: ``/v2/me``'s ``api_key_verified_at``
(``reference-notes.md``, "ISO 8601 with milliseconds"), written by ``iso_ms``.
Serializers use ``TimestampField``; hand-built bodies call ``iso_seconds`` / ``iso_ms``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from rest_framework import serializers


def _iso(value: datetime | None, timespec: str) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def iso_seconds(value: datetime | None) -> str | None:
    """``2024-01-01T08:00:00Z``: the family's timestamp."""
    return _iso(value, "seconds")


def iso_ms(value: datetime | None) -> str | None:
    """``2024-01-01T08:00:00.000Z``: only where a document shows milliseconds."""
    return _iso(value, "milliseconds")


class TimestampField(serializers.DateTimeField):
    """A read-only ``DateTimeField`` written by ``iso_seconds`` (documented as ``date-time``)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return iso_seconds(value)
