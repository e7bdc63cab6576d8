"""``GET /v2/jobs`` (``shared/spec/coworkies-api.txt``, "List Jobs" and "Pagination")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from jobs.api.pagination import JobPagination
from jobs.models import Job
from jobs.selectors import job_list_items, job_list_rows
from jobs.services import jobs_expire_due
from jobs.tests.conftest import RESTRICTED
from jobs.tests.factories import JobFactory, SpaceFactory

pytestmark = pytest.mark.django_db
URL = "/v2/jobs"

SPEC_ITEM_KEYS = [
    "id_job",
    "title",
    "company",
    "job_type",
    "tags",
    "is_remote",
    "page_url",
    "external_url",
    "apply_url",
    "company_logo",
    "date_added",
    "expiration_date",
    "city_name",
    "city_slug",
    "space_name",
    "sal_min",
    "sal_max",
    "currency",
    "url",
]
PAGINATION_KEYS = [
    "total",
    "limit",
    "offset",
    "current_count",
    "total_pages",
    "current_page",
    "has_next",
    "has_previous",
]


@pytest.fixture
def spec_job(cities):
    """The spec's example item."""
    return JobFactory(
        title="Remote Software Developer",
        slug="remote-software-developer",
        company="Tech Solutions Inc.",
        job_type="fulltime",
        tags="javascript,react,node",
        is_remote=True,
        external_url="https://example.com/apply?ref=coworkiesjobs",
        apply_url="https://example.com/careers/apply",
        company_logo="logo_1234.png",
        date_added=datetime(2026, 5, 15, 10, 30, tzinfo=UTC),
        expiration_date=timezone.now() + timedelta(days=20),
        city=cities["berlin"],
        sal_min=65000,
        sal_max=85000,
        currency="EUR",
    )


def test_the_spec_example_lists_remote_developer_jobs(cwk, spec_job, cities):
    JobFactory(title="Remote Designer", is_remote=True, city=cities["berlin"])  # no "developer"
    JobFactory(title="Office Developer", is_remote=False, city=cities["berlin"])  # not remote
    response = cwk().get(URL, {"q": "developer", "remote": "1", "per_page": "5"})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["success", "status", "data"] and body["success"] is True and body["status"] == 200
    assert list(body["data"]) == ["jobs", "pagination"]
    [item] = body["data"]["jobs"]
    assert list(item) == SPEC_ITEM_KEYS
    assert item == {
        "id_job": spec_job.pk,
        "title": "Remote Software Developer",
        "company": "Tech Solutions Inc.",
        "job_type": "fulltime",
        "tags": "javascript,react,node",
        "is_remote": True,
        "page_url": f"remote-software-developer-{spec_job.pk}",
        "external_url": "https://example.com/apply?ref=coworkiesjobs",
        "apply_url": "https://example.com/careers/apply",
        "company_logo": "logo_1234.png",
        "date_added": "2026-05-15T10:30:00Z",
        "expiration_date": spec_job.expiration_date.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "city_name": "Berlin",
        "city_slug": "berlin",
        "space_name": None,
        "sal_min": "65000",
        "sal_max": "85000",
        "currency": "EUR",
        "url": f"https://www.coworkies.com/jobs/remote-software-developer-{spec_job.pk}/details",
    }
    assert body["data"]["pagination"] == {
        "total": 1,
        "limit": 5,
        "offset": 0,
        "current_count": 1,
        "total_pages": 1,
        "current_page": 1,
        "has_next": False,
        "has_previous": False,
    }


def test_the_quick_start_and_authentication_examples(cwk, spec_job, api_client):
    client = cwk()
    assert client.get(URL, {"per_page": "5"}).status_code == 200  # Quick Start, step 2
    bearer = api_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {client.raw_key}")
    query = api_client.get(URL, {"api_key": client.raw_key})
    assert bearer.status_code == query.status_code == 200
    assert bearer.json()["data"]["jobs"][0]["id_job"] == spec_job.pk


def test_the_item_keys_are_the_documented_serializers(cities):
    from jobs.api.serializers import JobListItemSerializer

    JobFactory(city=cities["berlin"])
    [item] = job_list_items(job_list_rows(Job.objects.all()))
    assert list(item) == list(JobListItemSerializer().fields) == SPEC_ITEM_KEYS


def test_a_space_name_is_shown(cwk, space):
    JobFactory(city=space.city, space=space)
    assert cwk().get(URL).json()["data"]["jobs"][0]["space_name"] == "Example Coworking"


def test_only_active_unexpired_jobs_are_listed_newest_first(cwk, cities):
    now = timezone.now()
    old = JobFactory(city=cities["berlin"], date_added=now - timedelta(days=2))
    new = JobFactory(city=cities["berlin"], date_added=now - timedelta(days=1))
    JobFactory(city=cities["berlin"], status="draft")
    JobFactory(city=cities["berlin"], status="expired")
    JobFactory(city=cities["berlin"], expiration_date=now - timedelta(seconds=1))  # the sweep has not run yet
    ids = [job["id_job"] for job in cwk().get(URL).json()["data"]["jobs"]]
    assert ids == [new.pk, old.pk]


def test_the_daily_sweep_marks_jobs_past_their_date_expired(cities):
    due = JobFactory(city=cities["berlin"], expiration_date=timezone.now() - timedelta(minutes=1))
    fresh = JobFactory(city=cities["berlin"])
    assert jobs_expire_due() == 1
    due.refresh_from_db()
    fresh.refresh_from_db()
    assert (due.status, fresh.status) == ("expired", "active")


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "react"}, {"react"}),  # tags
        ({"q": "ACME"}, {"react", "acme"}),  # company, any case
        ({"q": "barista"}, {"barista"}),  # title
        ({"job_type": "freelance"}, {"acme"}),
        ({"remote": "true"}, {"react"}),
        ({"remote": "1"}, {"react"}),
        ({"remote": "0"}, {"react", "acme", "barista"}),
        ({"city": "lisbon"}, {"barista"}),
        ({"city": "nowhere"}, set()),
        ({"q": "acme", "job_type": "fulltime"}, {"react"}),
    ],
)
def test_search_and_filters(cwk, cities, query, expected):
    JobFactory(title="React Dev", company="Acme", tags="react,node", is_remote=True, city=cities["berlin"])
    JobFactory(title="Acme", company="Acme", tags="ops", job_type="freelance", city=cities["berlin"])
    JobFactory(title="Barista", company="Cafe", tags="coffee", job_type="parttime", city=cities["lisbon"])
    names = {"React Dev": "react", "Acme": "acme", "Barista": "barista"}
    jobs = cwk().get(URL, query).json()["data"]["jobs"]
    assert {names[job["title"]] for job in jobs} == expected


@pytest.mark.parametrize(
    "query, message",
    [
        ({"job_type": "volunteer"}, "job_type: Select a valid choice. volunteer is not one of the available choices."),
        ({"remote": "maybe"}, "remote: Select a valid choice. maybe is not one of the available choices."),
        ({"page": "0"}, "page: Ensure this value is greater than or equal to 1."),
        ({"page": "x"}, "page: A valid integer is required."),
        ({"per_page": "51"}, "per_page: Ensure this value is less than or equal to 50."),
        ({"per_page": "0"}, "per_page: Ensure this value is greater than or equal to 1."),
    ],
)
def test_bad_parameters_are_a_422(cwk, query, message):
    response = cwk().get(URL, query)
    assert response.status_code == 422
    assert response.json()["error"] == {
        "code": "validation_error",
        "message": "Validation failed",
        "details": [message],
    }


def _jobs(count, city):
    now = timezone.now()
    return [JobFactory(city=city, date_added=now - timedelta(minutes=n)) for n in range(count)]


def test_pages_walk_the_list(cwk, cities):
    jobs = _jobs(7, cities["berlin"])
    client = cwk()
    first = client.get(URL, {"page": 1, "per_page": 3}).json()["data"]
    assert [j["id_job"] for j in first["jobs"]] == [j.pk for j in jobs[:3]]
    assert first["pagination"] == {
        "total": 7,
        "limit": 3,
        "offset": 0,
        "current_count": 3,
        "total_pages": 3,
        "current_page": 1,
        "has_next": True,
        "has_previous": False,
    }
    last = client.get(URL, {"page": 3, "per_page": 3}).json()["data"]
    assert [j["id_job"] for j in last["jobs"]] == [jobs[6].pk]
    assert last["pagination"] == {
        "total": 7,
        "limit": 3,
        "offset": 6,
        "current_count": 1,
        "total_pages": 3,
        "current_page": 3,
        "has_next": False,
        "has_previous": True,
    }


def test_a_page_beyond_the_last_is_empty(cwk, cities):
    _jobs(3, cities["berlin"])
    data = cwk().get(URL, {"page": 5, "per_page": 2}).json()["data"]
    assert data["jobs"] == []
    assert data["pagination"] == {
        "total": 3,
        "limit": 2,
        "offset": 8,
        "current_count": 0,
        "total_pages": 2,
        "current_page": 5,
        "has_next": False,
        "has_previous": True,
    }


def test_page_alone_pages_by_20_and_per_page_alone_starts_at_page_1(cwk, cities):
    _jobs(25, cities["berlin"])
    client = cwk()
    assert client.get(URL, {"page": 2}).json()["data"]["pagination"]["current_count"] == 5
    assert client.get(URL, {"per_page": 50}).json()["data"]["pagination"]["current_count"] == 25


def test_without_page_every_job_is_listed_up_to_the_cap(cwk, cities, settings):
    _jobs(25, cities["berlin"])
    data = cwk().get(URL).json()["data"]
    assert len(data["jobs"]) == 25
    assert data["pagination"]["total"] == 25 and data["pagination"]["has_next"] is False


def test_without_page_past_the_cap_the_first_rows_come_with_has_next(cwk, cities, monkeypatch):
    monkeypatch.setattr(JobPagination, "unpaged_max", 4)
    _jobs(6, cities["berlin"])
    data = cwk().get(URL).json()["data"]
    assert len(data["jobs"]) == 4
    assert data["pagination"]["total"] == 6
    assert data["pagination"]["limit"] == 4 and data["pagination"]["has_next"] is True


def test_a_space_bound_key_sees_only_its_spaces_jobs(cwk, space, other_space):
    mine = JobFactory(city=space.city, space=space)
    JobFactory(city=other_space.city, space=other_space)
    JobFactory(city=space.city, space=None)
    jobs = cwk(space=space).get(URL).json()["data"]["jobs"]
    assert [job["id_job"] for job in jobs] == [mine.pk]


@pytest.mark.parametrize("scopes", [("jobs:read",), ("read",), ("write",)])
def test_jobs_read_read_or_write_may_list(cwk, scopes, spec_job):
    assert cwk(scopes).get(URL).status_code == 200


def test_a_restricted_key_may_list(cwk, spec_job):
    assert cwk(("read",), prefix=RESTRICTED).get(URL).status_code == 200


def test_spaces_read_alone_may_not_list_jobs(cwk):
    response = cwk(("spaces:read",)).get(URL)
    assert response.status_code == 403
    assert response.json()["error"] == {"code": "forbidden", "message": "Missing required scope: jobs:read or read"}


@pytest.mark.parametrize("per_page", [5, 50])
def test_a_page_is_at_most_three_queries_at_any_size(cwk, cities, django_assert_num_queries, per_page):
    spaces = [SpaceFactory(city=cities["berlin"]) for _ in range(3)]
    now = timezone.now()
    for n in range(per_page * 2):
        JobFactory(city=cities["berlin"], space=spaces[n % 3], date_added=now - timedelta(minutes=n))
    client = cwk(("read",))
    # 1. the API key  2. the page, its cities and spaces joined  3. the count (a full page)
    with django_assert_num_queries(3):
        response = client.get(URL, {"per_page": per_page})
    assert response.json()["data"]["pagination"]["current_count"] == per_page
    # A filtered search: the same three.
    with django_assert_num_queries(3):
        client.get(URL, {"per_page": per_page, "q": "community", "city": "berlin", "remote": "0"})
    # A last, partial page: its rows tell the total, no count. 1. the key 2. the page
    with django_assert_num_queries(2):
        response = client.get(URL, {"page": 3, "per_page": per_page - 1})
    assert response.json()["data"]["pagination"]["current_count"] == 2


def test_the_count_runs_without_the_pages_joins(cwk, cities):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _jobs(3, cities["berlin"])
    with CaptureQueriesContext(connection) as queries:
        cwk(("read",)).get(URL, {"per_page": 2})
    [count] = [query["sql"] for query in queries.captured_queries if "COUNT(" in query["sql"]]
    assert "JOIN" not in count
