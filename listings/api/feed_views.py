"""The JSON feed's public helper endpoints under ``/json`` (``shared/spec/coliving-json-feed.txt``):

- ``GET /json/import`` — the example payload;
- ``GET /json/docs`` — the field guide, an HTML page (``?format=json``: the same as JSON);
- ``GET /json/import/<helper>`` — the values of each enum and catalogue.

All come from the field registry (``listings/feed/registry.py``) and the value sets; they
need no key (public, limited per IP).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from coliving.api.base import ApiView
from coliving.api.negotiation import FirstRendererNegotiation
from listings.feed import docs
from listings.feed.registry import helpers
from listings.feed.schema import ListingFeedSerializer


class FeedExampleView(ApiView):
    """The spec's example payload: a listing that imports cleanly."""

    public = True
    enveloped = False  # the payload, not {"success", "data"}: coliving/api/schema.py reads it

    @extend_schema(
        operation_id="json_import_example",
        tags=["json feed"],
        summary="JSON feed example payload",
        description="The example listing of the host JSON feed; the field guide is at `/json/docs`.",
        responses={200: ListingFeedSerializer},
    )
    def get(self, request):
        # Bare, as the spec presents it: the payload itself, ready to POST to /v2/listings.
        return Response(docs.example())


@extend_schema_field({"type": ["string", "number", "null"]})
class DefaultValueField(serializers.JSONField):
    pass


class FieldGuideFieldSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Dotted; * stands for the items of a list.")
    type = serializers.CharField()
    status = serializers.CharField()
    unit = serializers.CharField(allow_null=True)
    default = DefaultValueField(allow_null=True)
    helper = serializers.CharField(allow_null=True, help_text="The helper endpoint listing its values.")
    note = serializers.CharField()
    read_only = serializers.BooleanField()


class FieldGuideSectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    title = serializers.CharField()
    fields = FieldGuideFieldSerializer(many=True)


class FieldGuideHelperSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField()
    kind = serializers.ChoiceField(choices=["enum", "catalogue"])
    note = serializers.CharField()
    fields = serializers.ListField(child=serializers.CharField())


class FieldGuideSerializer(serializers.Serializer):
    example = serializers.CharField()
    status_legend = serializers.DictField(child=serializers.CharField())
    types = serializers.DictField(child=serializers.CharField())
    helpers = FieldGuideHelperSerializer(many=True)
    sections = FieldGuideSectionSerializer(many=True)


class FieldGuideView(ApiView):
    """The field-by-field guide: status legend, helper endpoints, one table per section."""

    public = True
    content_negotiation_class = FirstRendererNegotiation

    @extend_schema(
        operation_id="json_docs",
        tags=["json feed"],
        summary="JSON feed field guide",
        description="An HTML page; `?format=json` returns the same guide as JSON.",
        parameters=[OpenApiParameter("format", str, description="`json` for the JSON guide; anything else: the page.")],
        responses={
            (200, "application/json"): FieldGuideSerializer,
            (200, "text/html"): OpenApiResponse(OpenApiTypes.STR, description="The guide as a page"),
        },
    )
    def get(self, request):
        guide = docs.field_guide()
        if request.query_params.get("format") == "json":
            return self.respond(guide)
        return HttpResponse(render_to_string("listings/feed_docs.html", {"guide": guide}))


class HelperValueSerializer(serializers.Serializer):
    value = serializers.CharField(required=False, help_text="Enums: the value to send.")
    label = serializers.CharField(required=False, help_text="Enums: what it means.")
    id = serializers.IntegerField(required=False, help_text="Catalogues: the id to send.")
    name = serializers.CharField(required=False, help_text="Catalogues: the entry's name.")
    scope = serializers.CharField(required=False, help_text="Amenities: property or room.")


class HelperView(ApiView):
    """The values of one enum or catalogue of the feed (``helper`` is set per route)."""

    public = True
    helper: str = ""

    def get(self, request):
        return self.respond(docs.helper_values(self.helper))


def helper_view(name: str) -> type[HelperView]:
    """A view class per helper, so each has its own documented operation."""
    kind = docs.helper_kind(name)
    schema = extend_schema(
        operation_id=f"json_import_{name}",
        tags=["json feed"],
        summary=f"JSON feed helper: {name}",
        description=f"{docs.helper_note(name)} ({kind}; see `/json/docs`).",
        responses={200: HelperValueSerializer(many=True)},
    )

    def get(self, request):
        return HelperView.get(self, request)

    class_name = f"{''.join(part.title() for part in name.split('_'))}HelperView"
    return type(class_name, (HelperView,), {"helper": name, "get": schema(get), "__doc__": docs.helper_note(name)})


HELPER_VIEWS = {name: helper_view(name) for name in helpers()}
