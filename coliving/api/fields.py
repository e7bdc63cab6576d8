"""Serializer fields the coliving family's input serializers share, so a rule is written once
and the OpenAPI document states it (``coliving/api/schema.py`` reads their ``schema_rules``).

DRF's ``CharField`` is lenient in three ways the schema cannot describe: it turns ``12345``
or ``true`` into a string, checks ``max_length`` *after* trimming (a 5,001-character
message with a trailing space passes a limit of 5,000), and refuses a value that is only
whitespace although its schema (``minLength: 1``) allows it. ``StrictCharField`` takes
JSON strings only, measures what was sent, and its schema says "not blank" and "no NUL"
with a pattern.
"""

from __future__ import annotations

from rest_framework import serializers

# Not only whitespace (Python's ``str.isspace``, which is what trimming removes; ``\s`` in
# Python's ``re`` is the same set), and no NUL character (refused by every CharField).
NOT_BLANK_PATTERN = r"^[^\x00]*[^\s\x00][^\x00]*$"
NO_NUL_PATTERN = r"^[^\x00]*$"


class StrictCharField(serializers.CharField):
    """A JSON string only; ``max_length`` applies to the string as sent, before trimming."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        if self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)

    def schema_rules(self) -> dict:
        """What ``to_internal_value`` and the validators refuse beyond the type and lengths."""
        if self.trim_whitespace and not self.allow_blank:
            return {"pattern": NOT_BLANK_PATTERN}
        return {"pattern": NO_NUL_PATTERN}
