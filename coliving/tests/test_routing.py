"""The family registry: routing records each family's prefix, and everything that needs the
family of a path (error shapes, the JSON 404 catch-all, the space hosts) reads it."""

import pytest

from coliving.api.families import Family
from coliving.api.routing import FamilyRegistry, registry

pytestmark = [pytest.mark.django_db, pytest.mark.urls("coliving.tests.urls")]


@pytest.mark.parametrize(
    "path, family",
    [
        ("/v2", Family.COWORKIES),
        ("/v2/health", Family.COWORKIES),
        ("/v2/jobs/probe", Family.COWORKIES),
        ("/v2/bookings/12", Family.COLIVING),
        ("/v2/integrations/mangobeds/bookings", Family.COLIVING),
        ("/v2/never-routed", Family.COLIVING),  # the prefix's default family
        ("/json/import", Family.COLIVING),
        ("/spaces/acme/api/bookings", Family.COBOT),
        ("/spaces/Not.A.Subdomain/api/bookings", Family.COBOT),
        ("/api/resources", Family.COBOT),
        ("/admin/", None),
        ("/schema", None),
        ("/v2x", None),
    ],
)
def test_the_family_of_a_path_comes_from_the_mounts(path, family):
    assert registry.family_of_path(path) is family


def test_a_mount_records_the_first_segments_of_its_urls():
    from django.urls import path as route

    local = FamilyRegistry()
    local.mount(Family.COWORKIES, "v2", [route("jobs", lambda r: None), route("jobs/<int:id>", lambda r: None)])
    local.mount(Family.COLIVING, "v2", [route("users", lambda r: None)], default=True)
    assert local.family_of_path("/v2/jobs/3") is Family.COWORKIES
    assert local.family_of_path("/v2/users") is Family.COLIVING
    assert local.family_of_path("/v2/other") is Family.COLIVING
    assert local.catch_all_regex().startswith("^(?:v2)")


def test_a_space_is_reached_by_its_path(key_client):
    response = key_client(["read_bookings"]).get("/spaces/acme/api/probe")
    assert response.status_code == 200
    assert response.json() == {"ok": True}  # the Cobot family's bare body


def test_a_space_is_reached_by_its_host(key_client, settings):
    settings.SPACES_DOMAIN = "spaces.example.com"
    settings.ALLOWED_HOSTS = [".spaces.example.com"]
    response = key_client(["read_bookings"]).get("/api/probe", HTTP_HOST="acme.spaces.example.com")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_unknown_paths_on_a_space_host_are_the_cobot_json_404(api_client, settings):
    settings.SPACES_DOMAIN = "spaces.example.com"
    settings.ALLOWED_HOSTS = [".spaces.example.com"]
    response = api_client.get("/api/nope", HTTP_HOST="acme.spaces.example.com")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}
    # Off /api a space host serves nothing of the platform: Django's own 404.
    assert api_client.get("/v2/me", HTTP_HOST="acme.spaces.example.com").status_code == 404


def test_a_path_naming_no_valid_subdomain_is_the_cobot_json_404(api_client):
    response = api_client.get("/spaces/Not.A.Subdomain/api/resources")
    assert response.status_code == 404
    assert response.json() == {"error": "Not found."}
