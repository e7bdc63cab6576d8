"""Every error leaves in its family's JSON shape: never HTML, never a traceback."""

import json

import pytest
from django_ratelimit.exceptions import Ratelimited
from rest_framework.test import APIClient

from coliving.api.base import ApiView

pytestmark = [pytest.mark.django_db, pytest.mark.urls("coliving.tests.urls")]

COLIVING, COWORKIES, COBOT = "/v2/probe/coliving", "/v2/jobs/probe", "/spaces/acme/api/probe"


class FamilyKeyClient(APIClient):
    """Sends the key of the path's family (a key's scopes belong to its prefix's family):
    a cwk_live_ key to the coworkies probe, an sk_live_ key elsewhere."""

    def __init__(self, platform_key: str, coworkies_key: str):
        super().__init__()
        self.platform_key, self.coworkies_key = platform_key, coworkies_key

    def request(self, **kwargs):
        coworkies = kwargs.get("PATH_INFO", "").startswith(COWORKIES)
        kwargs.setdefault("HTTP_X_API_KEY", self.coworkies_key if coworkies else self.platform_key)
        return super().request(**kwargs)


@pytest.fixture
def client(key_client):
    platform = key_client(["users.write", "write_bookings"]).raw_key
    return FamilyKeyClient(platform, key_client(["jobs:write"]).raw_key)


def test_validation_errors_are_400_with_dotted_paths_in_the_coliving_family(client):
    response = client.post(COLIVING, {"name": "x" * 51, "count": -1, "items": [{"a": 1}, {"a": "x"}]}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "error": "Validation Error",
        "code": "validation_error",
        "details": {
            "name": ["Ensure this field has no more than 50 characters."],
            "count": ["Ensure this value is greater than or equal to 0."],
            "items.1.a": ["A valid integer is required."],
        },
    }


def test_validation_errors_are_422_with_a_details_list_in_the_coworkies_family(client):
    response = client.post(COWORKIES, {"count": "many"}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "success": False,
        "status": 422,
        "error": {
            "code": "validation_error",
            "message": "Validation failed",
            "details": ["name: This field is required.", "count: A valid integer is required."],
        },
    }


def test_validation_errors_are_422_with_an_errors_object_in_the_cobot_family(client):
    response = client.post(COBOT, {"count": "many"}, format="json")
    assert response.status_code == 422
    assert response.json() == {
        "errors": {"name": ["This field is required."], "count": ["A valid integer is required."]}
    }


@pytest.mark.parametrize(
    "path, check",
    [
        (COLIVING, lambda b: b["code"] == "bad_request" and b["error"].startswith("Malformed")),
        (COWORKIES, lambda b: b["status"] == 400 and b["error"]["code"] == "bad_request"),
        (COBOT, lambda b: b["error"].startswith("Malformed")),
    ],
)
def test_malformed_json_is_400(client, path, check):
    response = client.post(path, '{"name": "x",', content_type="application/json")
    assert response.status_code == 400
    assert check(response.json())


def test_an_unsupported_media_type_is_415(client):
    response = client.post(COWORKIES, "<xml/>", content_type="application/xml")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_nul_characters_are_refused_before_they_reach_the_database(client):
    response = client.post(COLIVING, {"name": "a\u0000b", "count": 1}, format="json")
    assert response.status_code == 400
    assert "NUL" in response.json()["error"]


def test_nul_characters_in_the_query_string_are_refused(client):
    response = client.get(COLIVING + "?q=a%00b")
    assert response.status_code == 400


def test_deeply_nested_bodies_are_refused(client):
    body = "[" * 40 + "]" * 40
    response = client.post(COLIVING, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["error"]


def test_oversized_bodies_are_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(COLIVING, json.dumps({"name": "x" * 5000, "count": 1}), content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/v2/nope", {"success": False, "error": "Not found.", "code": "not_found"}),
        ("/json/nope", {"success": False, "error": "Not found.", "code": "not_found"}),
        (
            "/v2/jobs/nope/deeper",
            {"success": False, "status": 404, "error": {"code": "not_found", "message": "Not found."}},
        ),
        ("/api/nope", {"error": "Not found."}),
        ("/spaces/acme/api/nope", {"error": "Not found."}),
    ],
)
def test_unknown_api_paths_are_json_404s(api_client, path, expected):
    response = api_client.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == expected


def test_an_unknown_method_is_405(client):
    response = client.delete(COWORKIES)
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_an_unexpected_error_is_a_generic_500_and_is_logged_with_the_request_id(api_client, caplog):
    response = api_client.get("/v2/probe/boom", HTTP_X_REQUEST_ID="trace-123")
    assert response.status_code == 500
    assert response.json() == {"success": False, "error": "Internal server error", "code": "server_error"}
    assert b"secret internal detail" not in response.content
    assert response["X-Request-ID"] == "trace-123"
    assert any("secret internal detail" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_ratelimited_maps_to_429_not_403(client, monkeypatch):
    def raise_ratelimited(self, request):
        raise Ratelimited()

    monkeypatch.setattr(ApiView, "check_throttles", raise_ratelimited)
    response = client.get(COLIVING)
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limit_exceeded"
    assert "Retry-After" in response


def test_html_accept_headers_still_get_json(key_client):
    response = key_client(["users.read"]).get(COLIVING, HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"success": True, "data": {"ok": True}}


def test_every_response_carries_a_request_id(api_client):
    generated = api_client.get("/v2/nope")["X-Request-ID"]
    assert len(generated) == 32
    assert api_client.get("/v2", HTTP_X_REQUEST_ID="abc-1")["X-Request-ID"] == "abc-1"
    # an id that could inject into logs or headers is replaced, not echoed
    assert api_client.get("/v2", HTTP_X_REQUEST_ID="bad id\twith spaces")["X-Request-ID"] != "bad id\twith spaces"


def test_a_post_to_an_unknown_api_path_is_a_json_404_not_a_csrf_page(api_client):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post("/v2/nope", {"a": 1}, content_type="application/json")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_host_that_is_not_allowed_is_a_json_400(api_client):
    response = api_client.get("/v2/nope", HTTP_HOST="evil.example.org")
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_unknown_api_paths_with_a_newline_are_json_404s_too(api_client, settings):
    settings.DEBUG = True  # Django's own 404 page would be HTML (and in DEBUG, technical)
    response = api_client.get("/v2/no%0Athing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_lock_contention_is_409_with_retry_after_not_500(client, monkeypatch):
    from django.db import OperationalError

    def busy(self, request):
        raise OperationalError("database is locked")

    monkeypatch.setattr(ApiView, "check_throttles", busy)
    response = client.get(COLIVING)
    assert response.status_code == 409
    assert response.json()["code"] == "lock_timeout"
    assert response["Retry-After"] == "1"


def test_invalid_input_reads_well_where_no_family_renders_it():
    from coliving.api.errors import FieldError, InvalidInput

    error = InvalidInput([FieldError(("items", 2, "available"), "Too many."), FieldError(("checkin",), "Past.")])
    assert str(error) == "Validation Error: items.2.available: Too many.; checkin: Past."


@pytest.mark.parametrize("path", [COLIVING, COWORKIES, COBOT])
def test_too_many_parameters_is_a_400_in_the_familys_shape(client, settings, path):
    settings.MAX_URL_BYTES = 65536  # the parameter count is the limit under test, not the URL's length
    response = client.get(path + "?" + "&".join(f"a{n}=1" for n in range(1001)))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
