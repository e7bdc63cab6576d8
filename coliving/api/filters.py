"""Query filters of the coliving family that refuse what their schema does not allow.

django-filter ignores an empty value (``?status=`` lists everything) and compares a range
whatever its order (``?checkin_from=2024-03-01&checkin_to=2024-02-01`` answers an empty
page). Both are a client's mistake the answer should name: ``StrictFilterSet`` refuses an
empty or blank value of any declared filter and a ``ranges`` pair given in reverse, with a
400 in the family's shape (DRF's filter backend raises the form's errors as a
``ValidationError``). The filter classes below carry their bounds into the OpenAPI document.
"""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coliving.api.converters import MAX_ID
from coliving.api.fields import NOT_BLANK_PATTERN

EMPTY_MESSAGE = "Must not be empty: leave the parameter out instead."


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """An id: 1 to 2^63 - 1 (PostgreSQL's bigint)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 100, "pattern": NOT_BLANK_PATTERN})
class TextFilter(django_filters.CharFilter):
    """A text of 1 to 100 characters, not only spaces."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, max_length=100, **kwargs)


class StrictFilterSet(django_filters.FilterSet):
    """A FilterSet whose empty values and reversed ``ranges`` (pairs of filter names, lower
    bound first) are errors."""

    ranges: ClassVar[tuple[tuple[str, str], ...]] = ()

    def get_form_class(self):
        base = super().get_form_class()
        ranges = self.ranges

        class StrictForm(base):
            def clean(self):
                cleaned = super().clean()
                for name in self.fields:
                    values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
                    if name in self.data and any(value is None or not str(value).strip() for value in values):
                        self.add_error(name, forms.ValidationError(EMPTY_MESSAGE, code="empty"))
                for low, high in ranges:
                    start, end = cleaned.get(low), cleaned.get(high)
                    if start is not None and end is not None and start > end:
                        self.add_error(high, forms.ValidationError(f"Must not be before {low}.", code="reversed"))
                return cleaned

        return StrictForm


class QueryParamsSerializer(serializers.Serializer):
    """Query parameters read by a serializer, refusing an empty or blank value as
    ``StrictFilterSet`` does: DRF takes ``?since=`` for an omitted optional field (its rule
    for HTML form inputs), so a client whose cursor went empty would re-read everything."""

    def to_internal_value(self, data):
        empty = [name for name in self.fields if name in data and not str(data.get(name)).strip()]
        if empty:
            raise serializers.ValidationError({name: [EMPTY_MESSAGE] for name in empty})
        return super().to_internal_value(data)
