"""``GET /v2`` (API info, generated from the URLconf) and ``GET /v2/health``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_api_info_lists_endpoints_from_the_url_configuration(api_client):
    response = api_client.get("/v2")
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["status"] == 200
    assert body["data"]["name"] and body["data"]["version"]
    endpoints = {e["path"]: e["methods"] for e in body["data"]["endpoints"]}
    assert endpoints["/v2/me"] == ["GET"]
    assert endpoints["/v2/health"] == ["GET"]
    assert all(path.startswith("/v2") for path in endpoints)
    # router and regex routes are rendered as readable paths too
    assert all(not any(c in path for c in "^$?()\\") for path in endpoints), endpoints
    assert endpoints["/v2/bookings/{pk}/cancel"] == ["POST"]
    assert endpoints["/v2/integrations/{provider}/listings/{listing_id}/room-types"] == ["GET"]


@pytest.mark.urls("coliving.tests.urls")
def test_a_newly_routed_view_appears_without_editing_a_list(api_client):
    from coliving.api import discovery

    discovery.endpoints.cache_clear()
    try:
        endpoints = {e["path"]: e["methods"] for e in api_client.get("/v2").json()["data"]["endpoints"]}
        assert endpoints["/v2/probe/coliving"] == ["GET", "POST"]
    finally:
        discovery.endpoints.cache_clear()


def test_health_reports_database_and_redis(api_client, settings):
    response = api_client.get("/v2/health")
    assert response.status_code == 200
    data = response.json()["data"]
    assert data["status"] == "ok"
    assert data["database"]["status"] == "connected"
    assert data["python_version"].startswith("3.")
    assert data["memory_usage"] > 0
    expected_redis = "connected" if settings.REDIS_URL else "not_configured"
    assert data["redis"]["status"] == expected_redis


def test_health_is_503_with_the_same_body_when_the_database_is_down():
    # A separate process whose database cannot be reached: nothing is mocked.
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/v2/health');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    environment = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)},
        "DJANGO_SETTINGS_MODULE": "coliving.settings",
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["success"] is False
    assert outcome["body"]["data"]["status"] == "down"
    assert outcome["body"]["data"]["database"]["status"] == "error"
    assert outcome["body"]["data"]["redis"] == {"status": "not_configured"}


def test_the_schema_is_served_as_yaml_and_json(api_client):
    assert api_client.get("/schema").status_code == 200
    document = api_client.get("/schema?format=json").json()
    assert document["openapi"].startswith("3.1")
    schemes = document["components"]["securitySchemes"]
    assert schemes["ApiKeyHeader"] == {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    assert schemes["BearerKey"]["scheme"] == "bearer"
    assert schemes["ApiKeyQuery"]["in"] == "query"
    assert {"ColivingError", "CoworkiesError"} <= set(document["components"]["schemas"])


def test_swagger_ui_and_redoc_are_served_with_local_assets(api_client):
    page = api_client.get("/schema/swagger-ui/")
    assert page.status_code == 200
    assert b"/static/drf_spectacular_sidecar/" in page.content
    assert api_client.get("/schema/redoc/").status_code == 200


def test_a_provider_disabled_by_staff_is_unsupported_at_once(key_client):
    from apikeys.models import Provider

    client = key_client(["bookings.read"])
    assert client.get("/v2/integrations/mangobeds/bookings").status_code == 200
    provider = Provider.objects.get(slug="mangobeds")
    provider.is_active = False
    provider.save()
    response = client.get("/v2/integrations/mangobeds/bookings")
    assert response.status_code == 404
    assert response.json()["code"] == "unsupported_provider"
