"""Views describe what they return; the schema wraps it in the family's success envelope,
and the paginator's envelope follows the view's family too."""

import pytest
from django.urls import path
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from coliving.api.base import ApiGenericView, ApiView
from coliving.api.families import Family
from coliving.api.pagination import PagePagination


class Thing(serializers.Serializer):
    id = serializers.IntegerField()


class WholeBody(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()


def _view(family_, responses, paginated=False):
    base = ApiGenericView if paginated else ApiView

    class View(base):
        family = family_
        any_key = True
        tenancy = "owner"
        pagination_class = PagePagination if paginated else None

        @extend_schema(responses=responses, operation_id=f"op_{family_}_{paginated}_{len(str(responses))}")
        def get(self, request):
            raise NotImplementedError

    return View


def _schema(view, route="v2/things"):
    generator = SchemaGenerator(patterns=[path(route, view.as_view())])
    return generator.get_schema(request=None, public=True)


def _body(schema, route="/v2/things", status="200"):
    ref = schema["paths"][route]["get"]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_a_coliving_response_is_wrapped_in_success_and_data():
    schema = _schema(_view(Family.COLIVING, {200: Thing}))
    body = _body(schema)
    assert body["required"] == ["success", "data"]
    assert body["properties"]["data"] == {"$ref": "#/components/schemas/Thing"}


def test_a_coworkies_response_also_carries_status():
    body = _body(_schema(_view(Family.COWORKIES, {200: Thing})))
    assert body["required"] == ["success", "status", "data"]


def test_a_cobot_response_is_the_bare_resource():
    schema = _schema(_view(Family.COBOT, {200: Thing}))
    content = schema["paths"]["/v2/things"]["get"]["responses"]["200"]["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/Thing"}


def test_a_serializer_with_a_success_field_is_a_whole_body_and_is_not_wrapped():
    schema = _schema(_view(Family.COLIVING, {200: WholeBody}))
    content = schema["paths"]["/v2/things"]["get"]["responses"]["200"]["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/WholeBody"}


def test_error_responses_are_never_wrapped():
    schema = _schema(_view(Family.COLIVING, {200: Thing, 409: Thing}))
    content = schema["paths"]["/v2/things"]["get"]["responses"]["409"]["content"]["application/json"]
    assert content["schema"] == {"$ref": "#/components/schemas/Thing"}


def test_the_paginated_envelope_follows_the_family():
    coworkies = _body(_schema(_view(Family.COWORKIES, {200: Thing(many=True)}, paginated=True)))
    assert coworkies["required"] == ["success", "status", "data", "pagination"]
    coliving = _body(_schema(_view(Family.COLIVING, {200: Thing(many=True)}, paginated=True)))
    assert coliving["required"] == ["success", "data", "pagination"]


@pytest.mark.django_db
def test_the_paginated_body_follows_the_family(rf):
    from rest_framework.request import Request

    from jobs.models import City

    City.objects.bulk_create([City(name="A", slug="a"), City(name="B", slug="b")])
    rows = City.objects.order_by("slug").values_list("slug", flat=True)

    for family, expected in [
        (Family.COLIVING, {"success": True, "data": ["a", "b"]}),
        (Family.COWORKIES, {"success": True, "status": 200, "data": ["a", "b"]}),
    ]:
        paginator = PagePagination()
        view = type("View", (), {"family": family})()
        page = paginator.paginate_queryset(rows, Request(rf.get("/", {"per_page": 5})), view)
        body = paginator.get_paginated_response(page).data
        assert {k: v for k, v in body.items() if k != "pagination"} == expected
        assert body["pagination"]["total"] == 2
    paginator = PagePagination()
    page = paginator.paginate_queryset(rows, Request(rf.get("/")), type("View", (), {"family": Family.COBOT})())
    assert paginator.get_paginated_response(page).data == ["a", "b"]


# --- error responses every operation lists --------------------------------------------------

ERROR_COMPONENTS = {Family.COLIVING: "ColivingError", Family.COWORKIES: "CoworkiesError", Family.COBOT: "CobotError"}


@pytest.mark.parametrize("family", list(Family))
@pytest.mark.parametrize("status", ["429", "503"])
def test_each_family_documents_its_retry_after_answers_in_its_error_shape(family, status):
    """429 (rate limit) and 503 (database unavailable, coliving/api/exceptions.py) carry
    ``Retry-After`` and the family's error body on every operation."""
    schema = _schema(_view(family, {200: Thing}))
    response = schema["paths"]["/v2/things"]["get"]["responses"][status]
    assert response["content"]["application/json"]["schema"] == {
        "$ref": f"#/components/schemas/{ERROR_COMPONENTS[family]}"
    }
    assert response["headers"]["Retry-After"] == {"$ref": "#/components/headers/RetryAfter"}
    header = schema["components"]["headers"]["RetryAfter"]
    assert header["required"] is True
    assert header["schema"] == {"type": "integer", "minimum": 1}


def test_every_operation_of_the_document_lists_503():
    document = SchemaGenerator().get_schema(request=None, public=True)
    missing, without_header = [], []
    for route, item in document["paths"].items():
        for method, operation in item.items():
            response = operation["responses"].get("503")
            if response is None:
                missing.append(f"{method.upper()} {route}")
            elif operation["operationId"] not in ("health", "health_sandbox") and "Retry-After" not in response.get(
                "headers", {}
            ):
                without_header.append(f"{method.upper()} {route}")
    assert missing == [] and without_header == []
    # /v2/health answers a database outage with its own body (the load balancer reads it), no Retry-After.
    health = document["paths"]["/v2/health"]["get"]["responses"]["503"]
    assert health["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Health"}
