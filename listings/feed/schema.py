"""The JSON feed's payload as DRF serializers, built from the field registry, for the
OpenAPI document (``POST /v2/listings``, ``GET /v2/listings/{id}``, ``GET /json/import``).

They describe; they do not validate (``validation.py`` does, with the feed's own rules),
so nothing here can drift from the registry: every property, its type, bounds, enum
values, requiredness and help text come from one ``Field``.
"""

from __future__ import annotations

import functools

from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from listings.feed import enums
from listings.feed.registry import Field, Status, children


def describe(spec: Field) -> str:
    """A field's line of help: status, note, unit, default, helper endpoint."""
    parts = [f"{spec.status}." if not spec.read_only else "Read only: returned, ignored on import.", spec.note]
    if spec.unit:
        parts.append(f"Unit: {spec.unit}.")
    if spec.default is not None:
        parts.append(f"Default: {spec.default}.")
    if spec.enum:
        parts.append(f"Values: /json/import/{spec.enum}.")
    return " ".join(part for part in parts if part)


def _component(pattern: str) -> str:
    words = [word for part in pattern.split(".") if part != "*" for word in part.split("_")]
    return "ListingFeed" + "".join(word[:1].upper() + word[1:] for word in words)


class FeedObjectSerializer(serializers.Serializer):
    """An object of the feed (``serializer_for`` makes one per pattern)."""


class FeedObjectSerializerExtension(OpenApiSerializerExtension):
    """Requiredness is the import's rule: the export (``GET /v2/listings/{id}``) leaves out
    every value a listing has not set, and a listing made in the admin may lack even a
    "Required" address, so the response components require nothing (a generated client
    would otherwise refuse such a listing)."""

    target_class = FeedObjectSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "response":
            schema.pop("required", None)
        return schema


class FeedRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The id of a row of the helper's catalogue.")


class FeedEnumField(serializers.Field):
    """A feed field whose values are one of the feed's enums (``enum_name``, served by the
    helper ``/json/import/<enum_name>``); documented as the named component ``Feed<Name>Enum``."""

    enum_name = ""
    values: tuple = ()


class FeedEnumFieldExtension(OpenApiSerializerFieldExtension):
    """One named component per feed enum, shared by every property that takes it: the feed's
    ``gender`` or ``currency`` are other value sets than the other APIs' fields of the same
    name, and ``property_size_unit`` / ``room_size_unit`` are one set, which drf-spectacular's
    enum naming (by property name) would name twice."""

    target_class = FeedEnumField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        kind = "integer" if all(isinstance(value, int) for value in field.values) else "string"
        name = "Feed" + "".join(word.title() for word in field.enum_name.split("_")) + "Enum"
        schema = {"type": kind, "enum": list(field.values)}
        if field.enum_name != "flag":
            schema["description"] = f"Values: /json/import/{field.enum_name}."
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        auto_schema.registry.register_on_missing(component)
        return component.ref


@functools.cache
def _enum_field(name: str, values: tuple) -> type[FeedEnumField]:
    return type(f"{name.title()}EnumField", (FeedEnumField,), {"enum_name": name, "values": values})


def _field(spec: Field) -> serializers.Field:
    # A Conditional field is required in the object that holds it, whenever that object is sent.
    required = spec.status in (Status.REQUIRED, Status.CONDITIONAL)
    # The platform's ids are returned by GET /v2/listings/{id} and ignored on import; they are
    # optional both ways (the example payload and partners' own documents have none).
    options = {"help_text": describe(spec), "required": required and not spec.read_only}
    kind = spec.type
    bounds = {}
    if spec.minimum is not None:
        bounds["min_value"] = spec.minimum
    if spec.maximum is not None:
        bounds["max_value"] = spec.maximum
    if kind == "object":
        return serializer_for(spec.path)(**options)
    if kind == "list":
        return serializer_for(spec.items)(many=True, **options)
    if kind == "refs":
        return FeedRefSerializer(many=True, **options)
    if kind == "enum":
        return _enum_field(spec.enum, tuple(sorted(enums.values(spec.enum))))(**options)
    if kind == "integer":
        return serializers.IntegerField(**bounds, **options)
    if kind == "money":
        return serializers.FloatField(min_value=0, **options)
    if kind == "percent":
        return serializers.FloatField(min_value=0, max_value=100, **options)
    if kind == "latitude":
        return serializers.FloatField(min_value=-90, max_value=90, **options)
    if kind == "longitude":
        return serializers.FloatField(min_value=-180, max_value=180, **options)
    if kind == "flag":
        return _enum_field("flag", (0, 1))(**options)
    if kind == "url":
        return serializers.URLField(**options)
    if kind == "date":
        return serializers.DateField(**options)
    return serializers.CharField(**options)  # string, text, time, country, phone_*


@functools.cache
def serializer_for(pattern: str) -> type[serializers.Serializer]:
    """The serializer class of the object at ``pattern`` ("" is a whole listing)."""
    specs = children(pattern)
    attrs: dict = {spec.name: _field(spec) for spec in specs}
    # GET /v2/listings/{id} returns what the platform holds, leaving out what it does not
    # rather than inventing it: a listing made in the admin may lack a value an import must
    # send (a room type's host-side ``id``, the listing's ``prices.currency``). Only the
    # platform's own ids are always there.
    attrs["schema_response_optional"] = tuple(spec.name for spec in specs if not spec.read_only)
    name = _component(pattern) if pattern else "ListingFeed"
    attrs["Meta"] = type("Meta", (), {"ref_name": name})
    return type(f"{name}Serializer", (FeedObjectSerializer,), attrs)


ListingFeedSerializer = serializer_for("")
