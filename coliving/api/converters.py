"""Path converters of the API routes.

``<id:pk>`` takes any path segment and gives the view an ``int`` within PostgreSQL's
``bigint`` or ``None``: ``/v2/bookings/abc`` or an id past 2⁶³ − 1 then reaches the view,
whose one lookup path (``FamilyMixin.get_object``) answers the family's own 404 message
("Booking not found or unauthorized") instead of a generic one — and never a 500 from a
number the database cannot compare.
"""

from __future__ import annotations

from django.urls import register_converter

MAX_ID = 2**63 - 1


def parse_id(value: str) -> int | None:
    if not (value.isascii() and value.isdigit() and len(value) <= 19):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> int | None:
        return parse_id(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")
