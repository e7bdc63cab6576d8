"""``GET``/``PATCH /v2/jobs/{id}`` and ``POST /v2/jobs/{id}/unpublish``: a job managed by the
key of its space (or, for a key bound to no space, of the account that posted it)."""

from __future__ import annotations

import pytest

from jobs.models import Job
from jobs.tests.conftest import RESTRICTED
from jobs.tests.factories import JobFactory

pytestmark = pytest.mark.django_db

DETAIL_KEYS = [
    "id_job",
    "title",
    "company",
    "description",
    "job_type",
    "tags",
    "is_remote",
    "page_url",
    "external_url",
    "apply_url",
    "company_logo",
    "inv_email",
    "status",
    "is_paid",
    "hash_identifier",
    "dedupe_hash",
    "id_city",
    "city_name",
    "city_slug",
    "id_space",
    "space_name",
    "id_plan",
    "plan_price",
    "sal_min",
    "sal_max",
    "currency",
    "click_count",
    "date_added",
    "date_updated",
    "published_at",
    "expiration_date",
    "url",
    "edit_url",
    "unpublish_url",
    "payment_url",
]


@pytest.fixture
def posted(cwk, cities, space):
    """A job posted through the API by a key bound to ``space``; returns (client, job)."""
    client = cwk(space=space)
    response = client.post(
        "/v2/jobs",
        {
            "title": "Community Manager",
            "company": "Coworking Studio",
            "description": "Lead member experience.",
            "job_type": "fulltime",
            "city_name": "Berlin",
            "tags": "community,events",
            "external_url": "https://example.com/careers/cm",
            "sal_min": 35000,
            "sal_max": 45000,
        },
        format="json",
    )
    assert response.status_code == 201
    return client, Job.objects.get(pk=response.json()["data"]["job_id"])


def test_the_managing_key_reads_the_whole_job(posted, space):
    client, job = posted
    response = client.get(f"/v2/jobs/{job.pk}")
    assert response.status_code == 200
    data = response.json()["data"]
    assert list(data) == DETAIL_KEYS
    assert data["id_job"] == job.pk and data["status"] == "active" and data["id_space"] == space.pk
    assert data["space_name"] == "Example Coworking" and data["city_name"] == "Berlin"
    assert data["hash_identifier"] == job.hash_identifier and data["id_plan"] == 5 and data["plan_price"] == 0
    assert data["sal_min"] == "35000" and data["inv_email"] == "jobs@coworkies.com"
    assert data["url"] == f"https://www.coworkies.com/jobs/community-manager-{job.pk}/details"
    assert data["payment_url"] is None


def test_patch_changes_content_with_the_create_rules(posted):
    client, job = posted
    fingerprint = job.dedupe_hash
    response = client.patch(
        f"/v2/jobs/{job.pk}",
        {"description": "<p>New</p><script>x</script>", "tags": "A, b ,a", "sal_max": 50000, "city_name": "lisb"},
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert data["description"] == "<p>New</p>" and data["tags"] == "a,b" and data["sal_max"] == "50000"
    assert data["city_name"] == "Lisbon"
    job.refresh_from_db()
    assert job.status == "active" and job.city.slug == "lisbon"
    assert data["dedupe_hash"] == job.dedupe_hash != fingerprint  # the city is in the fingerprint


def test_patch_keeps_the_salary_range_rule_against_stored_values(posted):
    client, job = posted
    response = client.patch(f"/v2/jobs/{job.pk}", {"sal_min": 90000}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["details"] == ["sal_min cannot exceed sal_max"]


@pytest.mark.parametrize("field", ["status", "id_plan", "id_space", "hash_identifier"])
def test_patch_refuses_what_the_client_may_not_change(posted, field):
    client, job = posted
    response = client.patch(f"/v2/jobs/{job.pk}", {field: "active"}, format="json")
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [f"{field} cannot be changed"]


def test_patch_to_another_jobs_fingerprint_is_a_conflict(posted):
    client, job = posted
    body = {
        "title": "Other",
        "company": "Coworking Studio",
        "description": "x",
        "job_type": "fulltime",
        "city_name": "Berlin",
        "tags": "t",
        "external_url": "https://example.com/careers/cm",
    }
    other = client.post("/v2/jobs", body, format="json").json()["data"]
    response = client.patch(f"/v2/jobs/{other['job_id']}", {"title": "Community Manager"}, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


def test_unpublish_takes_the_job_off_the_board(posted):
    client, job = posted
    response = client.post(f"/v2/jobs/{job.pk}/unpublish")
    assert response.status_code == 200
    body = response.json()
    assert body["message"] == "Job unpublished." and body["data"]["status"] == "draft" and body["data"]["url"] is None
    assert client.get("/v2/jobs").json()["data"]["jobs"] == []
    assert client.post(f"/v2/jobs/{job.pk}/unpublish").json()["data"]["status"] == "draft"  # again: unchanged


def test_another_spaces_job_is_403_and_unchanged(posted, cwk, other_space):
    _, job = posted
    other = cwk(space=other_space)
    message = {"code": "forbidden", "message": "This job belongs to another space or account"}
    assert other.get(f"/v2/jobs/{job.pk}").json()["error"] == message
    response = other.patch(f"/v2/jobs/{job.pk}", {"title": "Hacked"}, format="json")
    assert response.status_code == 403 and response.json()["error"] == message
    response = other.post(f"/v2/jobs/{job.pk}/unpublish")
    assert response.status_code == 403
    job.refresh_from_db()
    assert job.title == "Community Manager" and job.status == "active"


def test_a_key_bound_to_the_space_manages_jobs_staff_created_there(cwk, space):
    job = JobFactory(city=space.city, space=space, owner=None)
    assert cwk(space=space).get(f"/v2/jobs/{job.pk}").status_code == 200


def test_an_unbound_key_manages_the_jobs_its_owner_posted_only(cwk, cities):
    client = cwk()
    mine = JobFactory(city=cities["berlin"], owner=client.owner)
    theirs = JobFactory(city=cities["berlin"])
    assert client.get(f"/v2/jobs/{mine.pk}").status_code == 200
    assert client.get(f"/v2/jobs/{theirs.pk}").status_code == 403


@pytest.mark.parametrize("path", ["/v2/jobs/999999", "/v2/jobs/abc", "/v2/jobs/99999999999999999999"])
def test_an_unknown_job_is_404(cwk, path):
    response = cwk().get(path)
    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "status": 404,
        "error": {"code": "not_found", "message": "Job not found"},
    }


def test_a_restricted_key_may_not_manage_jobs(posted, cwk, space):
    _, job = posted
    restricted = cwk(("read", "write"), prefix=RESTRICTED, space=space)
    assert restricted.get(f"/v2/jobs/{job.pk}").status_code == 403
    assert restricted.patch(f"/v2/jobs/{job.pk}", {"title": "x"}, format="json").status_code == 403
    response = restricted.post(f"/v2/jobs/{job.pk}/unpublish")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Restricted (cwk_rstr_) keys are read-only."


def test_jobs_read_does_not_open_the_managed_view(posted, cwk, space):
    _, job = posted
    response = cwk(("jobs:read",), space=space).get(f"/v2/jobs/{job.pk}")
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "Missing required scope: jobs:write or write"
