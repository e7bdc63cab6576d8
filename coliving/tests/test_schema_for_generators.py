"""The OpenAPI document is in the shape client generators read cleanly (issue 12).

openapi-python-client built an object model for a string wrapped in a one-member ``allOf``
and could not express a body sent in three encodings; these tests keep such shapes out of
the whole document (``coliving/api/schema.py``'s hooks make them), whatever endpoint adds
them. ``test_generated_client.py`` runs the generated client itself.
"""

from __future__ import annotations

import functools
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from coliving.api.families import Family
from coliving.api.routing import registry
from coliving.api.schema import postprocess_named_components, postprocess_unwrap_primitives

METHODS = ("get", "post", "put", "patch", "delete")
# snake_case, readable: <resource>_<action> (bookings_create, integrations_bookings_feed).
OPERATION_ID = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")


@functools.cache
def document() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def operations():
    for path, item in document()["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def nodes(node, where="#"):
    """Every schema-like dict of ``node`` with where it is."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from nodes(value, f"{where}/{index}")


def test_no_primitive_is_wrapped_in_a_one_member_all_of():
    wrapped = [
        where
        for where, node in nodes(document())
        if isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1 and "$ref" not in node["allOf"][0]
    ]
    assert not wrapped


def test_every_enum_of_a_component_property_is_a_named_component():
    schemas = document()["components"]["schemas"]
    inline = [
        f"{name}.{prop}"
        for name, schema in schemas.items()
        for prop, prop_schema in schema.get("properties", {}).items()
        if "enum" in prop_schema or "enum" in prop_schema.get("items", {})
    ]
    assert not inline


def test_the_booking_status_is_a_named_enum_that_keeps_its_description():
    schemas = document()["components"]["schemas"]
    assert schemas["BookingStatusEnum"]["enum"] == ["pending", "confirmed", "declined", "cancelled"]
    status = schemas["Booking"]["properties"]["status"]
    assert status["allOf"] == [{"$ref": "#/components/schemas/BookingStatusEnum"}]
    assert status["description"].startswith("`pending` (waiting for the host)")
    feed = document()["paths"]["/v2/integrations/{provider}/bookings"]["get"]
    (parameter,) = [parameter for parameter in feed["parameters"] if parameter["name"] == "status"]
    assert parameter["schema"] == {"$ref": "#/components/schemas/BookingStatusEnum"}


def test_the_feed_enums_are_named_after_their_helper_endpoints():
    schemas = document()["components"]["schemas"]
    assert schemas["FeedSizeUnitEnum"] == {
        "type": "string",
        "enum": ["m2", "sqft"],
        "description": "Values: /json/import/size_unit.",
    }
    unit = schemas["ListingFeedRoomTypes"]["properties"]["room_size_unit"]
    assert unit["allOf"] == [{"$ref": "#/components/schemas/FeedSizeUnitEnum"}]
    assert "Unit of room_size" in unit["description"]


def test_enum_members_that_generators_would_name_alike_have_their_own_names():
    timezones = document()["components"]["schemas"]["TimezoneEnum"]
    names = dict(zip(timezones["enum"], timezones["x-enum-varnames"], strict=True))
    assert (names["GMT+0"], names["GMT-0"], names["GMT0"]) == ("GMT_PLUS_0", "GMT_MINUS_0", "GMT0")
    assert len(set(names.values())) == len(names)
    # An enum whose values generators tell apart is left alone.
    assert "x-enum-varnames" not in document()["components"]["schemas"]["BookingStatusEnum"]


def test_operation_ids_are_unique_and_readable():
    ids = [operation["operationId"] for _, _, operation in operations()]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert [i for i in ids if not OPERATION_ID.fullmatch(i)] == []


def test_every_response_body_is_a_named_component():
    schemas = document()["components"]["schemas"]
    inline = []
    for path, method, operation in operations():
        for status, response in operation["responses"].items():
            for media, content in response.get("content", {}).items():
                ref = content["schema"].get("$ref", "")
                if not ref.startswith("#/components/schemas/") or ref.rsplit("/", 1)[-1] not in schemas:
                    inline.append(f"{method.upper()} {path} {status} {media}")
    assert not inline


def test_every_request_body_has_one_content_type_and_the_coliving_family_json():
    for path, method, operation in operations():
        body = operation.get("requestBody")
        if body is None:
            continue
        assert len(body["content"]) == 1, (method, path, list(body["content"]))
        if registry.family_of_path(re.sub(r"\{\w+\}", "1", path)) is Family.COLIVING:
            assert list(body["content"]) == ["application/json"], (method, path)
            assert "description" not in body  # nothing else is accepted


def test_the_request_body_names_the_other_encodings_a_view_still_accepts():
    body = document()["paths"]["/spaces/{subdomain}/api/resources/{id}/bookings"]["post"]["requestBody"]
    assert list(body["content"]) == ["application/json"]
    assert body["description"] == "Also accepted as application/x-www-form-urlencoded, with the same fields."


def test_the_hooks_unwrap_and_name_whatever_an_endpoint_adds():
    """The hooks are generic: a later endpoint's wrapped primitive or inline response list is
    handled the same way (they run on the whole document, not on known names)."""
    result = {
        "paths": {
            "/things": {
                "get": {
                    "operationId": "things_list",
                    "parameters": [{"in": "query", "name": "kind", "schema": {"type": "string", "enum": ["a", "b"]}}],
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}
                                }
                            }
                        },
                        "406": {"content": {"text/plain": {"schema": {"type": "string"}}}},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {"size": {"allOf": [{"type": "integer", "enum": [1, 2]}], "description": "Size."}},
                },
                "KindEnum": {"type": "string", "enum": ["b", "a"]},
            }
        },
    }
    result = postprocess_unwrap_primitives(result, None, None, True)
    assert result["components"]["schemas"]["Thing"]["properties"]["size"] == {
        "type": "integer",
        "enum": [1, 2],
        "description": "Size.",
    }
    result = postprocess_named_components(result, None, None, True)
    operation = result["paths"]["/things"]["get"]
    assert operation["parameters"][0]["schema"] == {"$ref": "#/components/schemas/KindEnum"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ThingList"
    }
    assert operation["responses"]["406"]["content"]["text/plain"]["schema"] == {
        "$ref": "#/components/schemas/ThingsList406Body"
    }
    assert result["components"]["schemas"]["ThingList"]["items"] == {"$ref": "#/components/schemas/Thing"}


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["multipart", "form"])
@pytest.mark.parametrize("action", ["create", "message"])
def test_the_coliving_family_answers_a_form_body_415_in_its_shape(key_client, action, encoding):
    from bookings.models import Booking, BookingMessage
    from bookings.tests.factories import make_booking
    from listings.tests.factories import RoomTypeFactory

    client: APIClient = key_client(["bookings.read", "bookings.write"])
    booking = make_booking(room_type=RoomTypeFactory(listing__host=client.owner))
    path = "/v2/bookings" if action == "create" else f"/v2/bookings/{booking.pk}/messages"
    if encoding == "form":
        response = client.post(path, "message=hi", content_type="application/x-www-form-urlencoded")
    else:
        response = client.post(path, {"message": "hi"}, format="multipart")
    assert response.status_code == 415, response.content
    assert response.json() | {"error": "…"} == {"success": False, "error": "…", "code": "unsupported_media_type"}
    assert list(Booking.objects.all()) == [booking] and not BookingMessage.objects.exists()
