"""The permission matrix: (key prefix, scopes held, method, path) → status."""

import pytest

from apikeys import scopes
from apikeys.models import ApiKey

pytestmark = [pytest.mark.django_db, pytest.mark.urls("coliving.tests.urls")]

BODY = {"name": "x", "count": 1}
LIVE, CWK, RSTR = ApiKey.Prefix.LIVE, ApiKey.Prefix.COWORKIES_LIVE, ApiKey.Prefix.COWORKIES_RESTRICTED


@pytest.mark.parametrize(
    "prefix, held, method, path, expected",
    [
        # coliving: read and write are separate; write does not imply read
        (LIVE, ["users.read"], "get", "/v2/probe/coliving", 200),
        (LIVE, ["users.write"], "get", "/v2/probe/coliving", 403),
        (LIVE, ["users.write"], "post", "/v2/probe/coliving", 201),
        (LIVE, ["users.read"], "post", "/v2/probe/coliving", 403),
        (LIVE, ["users.create"], "post", "/v2/probe/coliving", 201),  # legacy name, normalised
        (LIVE, ["bookings.read"], "get", "/v2/probe/coliving", 403),
        # coworkies: write ⇒ read ⇒ jobs:read
        (CWK, ["jobs:read"], "get", "/v2/jobs/probe", 200),
        (CWK, ["read"], "get", "/v2/jobs/probe", 200),
        (CWK, ["write"], "get", "/v2/jobs/probe", 200),
        (CWK, ["write"], "post", "/v2/jobs/probe", 201),
        (CWK, ["jobs:write"], "post", "/v2/jobs/probe", 201),
        (CWK, ["read"], "post", "/v2/jobs/probe", 403),
        (CWK, ["spaces:read"], "get", "/v2/jobs/probe", 403),
        # restricted keys never write, whatever they hold
        (RSTR, ["read", "write", "jobs:write"], "get", "/v2/jobs/probe", 200),
        (RSTR, ["read", "write", "jobs:write"], "post", "/v2/jobs/probe", 403),
        # cobot
        (LIVE, ["read_bookings"], "get", "/spaces/acme/api/probe", 200),
        (LIVE, ["read_bookings"], "post", "/spaces/acme/api/probe", 403),
        (LIVE, ["write_bookings"], "post", "/spaces/acme/api/probe", 201),
        # a view that forgot to declare scopes is closed
        (LIVE, sorted(scopes.PLATFORM_SCOPES), "get", "/v2/probe/undeclared", 403),
        (CWK, sorted(scopes.COWORKIES_SCOPES), "get", "/v2/probe/undeclared", 403),
    ],
)
def test_scope_matrix(key_client, prefix, held, method, path, expected):
    client = key_client(held, prefix=prefix)
    response = getattr(client, method)(path, BODY, format="json") if method == "post" else client.get(path)
    assert response.status_code == expected, response.content


def test_a_missing_scope_is_403_in_the_coliving_shape(key_client):
    response = key_client(["users.write"]).get("/v2/probe/coliving")
    assert response.json() == {"success": False, "error": "Missing required scope: users.read", "code": "forbidden"}


def test_a_missing_scope_is_403_in_the_coworkies_shape(key_client):
    response = key_client(["spaces:read"]).get("/v2/jobs/probe")
    assert response.json() == {
        "success": False,
        "status": 403,
        "error": {"code": "forbidden", "message": "Missing required scope: jobs:read"},
    }


def test_a_restricted_key_says_why_it_cannot_write(key_client):
    response = key_client(["write"], prefix=RSTR).post("/v2/jobs/probe", BODY, format="json")
    assert response.json()["error"]["message"] == "Restricted (cwk_rstr_) keys are read-only."


def test_public_endpoints_need_no_key(api_client):
    assert api_client.get("/v2/feedback/probe").status_code == 200


def test_public_endpoints_ignore_a_stale_key(api_client):
    assert api_client.get("/v2/feedback/probe", HTTP_X_API_KEY="sk_live_revoked_long_ago").status_code == 200
    assert api_client.get("/v2/health", HTTP_AUTHORIZATION="Bearer nonsense").status_code == 200


def test_normalise_maps_legacy_names_and_rejects_unknown_ones():
    assert scopes.normalise(["bookings.create", "users.create", "users.write"]) == ["users.write", "bookings.write"]
    assert scopes.normalise([" users.read ", "", "  ", "users.read"]) == ["users.read"]  # blanks and padding dropped
    with pytest.raises(ValueError) as unknown:
        scopes.normalise(["users.read", "nope", " another "])
    assert str(unknown.value) == "Unknown scope(s): another, nope"


def test_expand_applies_implications_only_where_documented():
    assert scopes.expand(["write"]) >= {"read", "jobs:read", "jobs:write", "spaces:read", "events:read"}
    assert "users.read" not in scopes.expand(["users.write"])
    assert "read_bookings" not in scopes.expand(["write_bookings"])


def test_sandbox_keys_cannot_touch_the_live_api(key_client):
    response = key_client(["users.read"], prefix=ApiKey.Prefix.TEST).get("/v2/probe/coliving")
    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "error": "Sandbox (sk_test_) keys can only use the sandbox API, under /v2/sandbox/.",
        "code": "sandbox_key_on_live_api",
    }


def test_a_view_that_declares_no_scope_says_it_is_closed(key_client):
    response = key_client(sorted(scopes.PLATFORM_SCOPES)).get("/v2/probe/undeclared")
    assert response.status_code == 403
    assert response.json()["error"] == "This endpoint is not available to API keys."


def test_a_sandbox_key_may_use_the_sandbox_twin_of_a_live_view(key_client):
    client = key_client([], prefix=ApiKey.Prefix.TEST)
    response = client.get("/v2/sandbox/me")
    assert response.status_code == 200
    assert response.json()["data"]["email"] == client.owner.email
    assert client.get("/v2/me").status_code == 403


@pytest.mark.parametrize(
    "declared, method, expected",
    [
        ({"read_scope": "users.read"}, "GET", ("users.read",)),
        ({"write_scope": ("jobs:write", "write")}, "POST", ("jobs:write", "write")),  # alternatives
        ({"read_scope": ("jobs:read",), "write_scope": "write"}, "HEAD", ("jobs:read",)),
        ({"read_scope": "users.read"}, "PATCH", ()),  # no write scope declared: closed
    ],
)
def test_required_scopes_reads_the_views_declaration_for_the_method(declared, method, expected):
    from coliving.api.base import FamilyMixin
    from coliving.api.permissions import required_scopes

    view = type("View", (FamilyMixin,), declared)()
    assert required_scopes(view, method) == expected


def test_a_missing_scope_among_alternatives_names_them_all(db):
    from types import SimpleNamespace

    from rest_framework.exceptions import PermissionDenied

    from apikeys.tests.factories import make_key
    from coliving.api.base import FamilyMixin
    from coliving.api.permissions import ScopePermission

    key, _raw = make_key(scopes=["users.read"])
    view = type("View", (FamilyMixin,), {"write_scope": ("users.write", "listings.write")})()
    with pytest.raises(PermissionDenied) as excinfo:
        ScopePermission().has_permission(SimpleNamespace(auth=key, method="POST"), view)
    assert str(excinfo.value.detail) == "Missing required scope: users.write or listings.write"


def test_a_request_under_a_sandbox_twin_acts_on_the_owners_sandbox_data(key_client):
    from django.test import RequestFactory
    from django.urls import resolve

    from coliving.api.tenancy import Tenant

    client = key_client(["users.read"], prefix=ApiKey.Prefix.TEST)
    for path, sandbox in (("/v2/sandbox/me", True), ("/v2/me", False)):
        resolve(path)  # the URLconf, and with it the sandbox mounts, is loaded
        request = RequestFactory().get(path)
        request.auth, request.user = client.api_key, client.owner
        assert Tenant.of(request).sandbox is sandbox, path
