"""``GET /v2/cities``, ``/v2/spaces``, ``/v2/city_spaces``, ``/v2/events`` and ``/v2/blog``
(``shared/spec/coworkies-api.txt`` and the Coworkies notes of ``reference-notes.md``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from jobs.api import serializers as s
from jobs.models import BlogPost, Event
from jobs.selectors import city_items, city_space_groups, event_items, event_rows, space_items
from jobs.tests.conftest import RESTRICTED
from jobs.tests.factories import BlogPostFactory, CityFactory, EventFactory, SpaceFactory

pytestmark = pytest.mark.django_db


# --- cities ------------------------------------------------------------------------------------


def test_the_spec_example_searches_cities(cwk, cities):
    response = cwk().get("/v2/cities", {"search": "berlin"})
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "status": 200,
        "data": [
            {
                "id_city": str(cities["berlin"].pk),
                "city_name": "Berlin",
                "city_slug": "berlin",
                "latitude": "52.5200",
                "longitude": "13.4050",
            }
        ],
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ({}, ["berlin", "lisbon", "san-francisco", "san-sebastian", "zurich"]),
        ({"q": "lisbon"}, ["lisbon"]),
        ({"q": "lis"}, []),  # q is the exact slug
        ({"search": "san"}, ["san-francisco", "san-sebastian"]),
        ({"search": "SEBAST"}, ["san-sebastian"]),
        ({"search": "zür"}, ["zurich"]),
        ({"search": "sebastián"}, ["san-sebastian"]),
    ],
)
def test_cities_filter_by_exact_slug_or_partial_name(cwk, cities, query, expected):
    data = cwk().get("/v2/cities", query).json()["data"]
    assert [city["city_slug"] for city in data] == expected


def test_only_confirmed_cities_are_listed(cwk, cities):
    CityFactory(name="Gotham", slug="gotham", is_confirmed=False)
    assert "gotham" not in [city["city_slug"] for city in cwk().get("/v2/cities").json()["data"]]


def test_a_space_bound_key_still_sees_every_city(cwk, space):
    assert len(cwk(("read",), space=space).get("/v2/cities").json()["data"]) == 5


@pytest.mark.parametrize("scopes", [("read",), ("jobs:read",), ("jobs:write",), ("spaces:read",)])
def test_cities_are_readable_with_any_directory_scope(cwk, cities, scopes):
    assert cwk(scopes).get("/v2/cities").status_code == 200


def test_events_read_alone_may_not_read_cities(cwk):
    assert cwk(("events:read",)).get("/v2/cities").status_code == 403


# --- spaces ------------------------------------------------------------------------------------


def test_the_spec_example_lists_a_citys_spaces(cwk, space, other_space):
    response = cwk().get("/v2/spaces", {"q": "berlin"})
    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "status": 200,
        "data": [
            {
                "space_name": "Example Coworking",
                "space_url": "example-coworking",
                "space_address": "Sample Street 12",
                "latitude": None,
                "longitude": None,
                "city_name": "Berlin",
            }
        ],
    }


def test_spaces_show_their_coordinates_like_the_spec(cwk, cities):
    SpaceFactory(city=cities["berlin"], latitude="52.520000", longitude="13.405000")
    [space] = cwk().get("/v2/spaces").json()["data"]
    assert (space["latitude"], space["longitude"]) == ("52.5200", "13.4050")


def test_unconfirmed_spaces_are_not_listed(cwk, space):
    SpaceFactory(city=space.city, is_confirmed=False)
    assert [row["space_url"] for row in cwk().get("/v2/spaces").json()["data"]] == ["example-coworking"]


def test_a_space_bound_key_sees_only_its_own_space(cwk, space, other_space):
    assert [row["space_url"] for row in cwk(space=space).get("/v2/spaces").json()["data"]] == ["example-coworking"]


def test_city_spaces_groups_confirmed_spaces_under_their_city(cwk, cities, space, other_space):
    SpaceFactory(name="Another Berlin Space", slug="another", city=cities["berlin"], linkedin_url="")
    space.linkedin_url = "https://www.linkedin.com/company/example-coworking"
    space.save()
    response = cwk(("spaces:read",)).get("/v2/city_spaces")
    assert response.status_code == 200
    data = response.json()["data"]
    assert [group["city_slug"] for group in data] == ["berlin", "lisbon"]
    berlin = data[0]
    assert {key: berlin[key] for key in ("id_city", "city_name", "latitude", "longitude")} == {
        "id_city": str(cities["berlin"].pk),
        "city_name": "Berlin",
        "latitude": "52.5200",
        "longitude": "13.4050",
    }
    assert [row["space_url"] for row in berlin["spaces"]] == ["another", "example-coworking"]
    assert berlin["spaces"][1]["linkedin_url"] == "https://www.linkedin.com/company/example-coworking"
    assert berlin["spaces"][0]["linkedin_url"] is None


def test_jobs_read_alone_may_not_read_spaces(cwk):
    assert cwk(("jobs:read",)).get("/v2/spaces").status_code == 403
    assert cwk(("jobs:read",)).get("/v2/city_spaces").status_code == 403


# --- events ------------------------------------------------------------------------------------


def _event(space, days: float, hours: float = 2, **extra) -> Event:
    start = timezone.now() + timedelta(days=days)
    return EventFactory(space=space, start_at=start, end_at=start + timedelta(hours=hours), **extra)


def test_events_are_upcoming_by_default_soonest_first(cwk, space):
    later, soon = _event(space, 5), _event(space, 1)
    running = _event(space, -0.01, hours=3)  # started, not ended
    _event(space, -3)  # over
    _event(space, 2, is_published=False)
    response = cwk(("events:read",)).get("/v2/events")
    assert response.status_code == 200
    data = response.json()["data"]
    assert [event["id_event"] for event in data["events"]] == [running.pk, soon.pk, later.pk]
    assert data["pagination"]["total"] == 3
    assert list(data["events"][0]) == list(s.EventSerializer().fields)


def test_an_event_shows_its_space_and_city(cwk, space, cities):
    event = _event(space, 1)
    item = cwk().get("/v2/events").json()["data"]["events"][0]
    assert item == {
        "id_event": event.pk,
        "title": event.title,
        "description": "Coffee and croissants.",
        "start_date": event.start_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_date": event.end_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": "Sample Street 12",
        "url": "https://example.com/events/breakfast",
        "space_name": "Example Coworking",
        "space_url": "example-coworking",
        "city_name": "Berlin",
        "city_slug": "berlin",
    }


def test_events_between_from_and_to(cwk, space):
    base = datetime(2030, 6, 10, 9, tzinfo=UTC)
    inside = EventFactory(space=space, start_at=base, end_at=base + timedelta(hours=2))
    EventFactory(space=space, start_at=base + timedelta(days=5), end_at=base + timedelta(days=5, hours=2))
    past = EventFactory(space=space, start_at=base - timedelta(days=3650), end_at=base - timedelta(days=3650))
    client = cwk()
    ids = [
        e["id_event"]
        for e in client.get("/v2/events", {"from": "2030-06-10", "to": "2030-06-10"}).json()["data"]["events"]
    ]
    assert ids == [inside.pk]
    old = client.get("/v2/events", {"from": "2020-01-01", "to": "2020-12-31"}).json()["data"]["events"]
    assert [e["id_event"] for e in old] == [past.pk]


def test_events_of_a_city_include_space_and_platform_events(cwk, space, other_space, cities):
    at_space = _event(space, 1)
    platform = _event(None, 2, city=cities["berlin"])
    _event(other_space, 1)
    ids = [e["id_event"] for e in cwk().get("/v2/events", {"city": "berlin"}).json()["data"]["events"]]
    assert ids == [at_space.pk, platform.pk]


def test_a_space_bound_key_sees_its_own_events(cwk, space, other_space, cities):
    mine = _event(space, 1)
    _event(other_space, 1)
    _event(None, 1, city=cities["berlin"])
    ids = [e["id_event"] for e in cwk(("events:read",), space=space).get("/v2/events").json()["data"]["events"]]
    assert ids == [mine.pk]


@pytest.mark.parametrize("query", [{"from": "tomorrow"}, {"to": "2030-02-30"}, {"per_page": "51"}])
def test_bad_event_parameters_are_a_422(cwk, query):
    assert cwk().get("/v2/events", query).status_code == 422


def test_jobs_read_alone_may_not_read_events(cwk):
    assert cwk(("jobs:read",)).get("/v2/events").status_code == 403


# --- blog --------------------------------------------------------------------------------------


@pytest.fixture
def spec_post(db):
    return BlogPostFactory(
        title="Launching The Coworking Salary Survey 2026",
        slug="launching-the-coworking-salary-survey-6",
        date=datetime(2026, 3, 7, 13, 29, 51, tzinfo=UTC),
    )


def test_the_spec_example_gets_one_post_by_slug(cwk, spec_post):
    response = cwk(("read",)).get("/v2/blog", {"slug": "launching-the-coworking-salary-survey-6"})
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "success": True,
        "status": 200,
        "data": {
            "title": "Launching The Coworking Salary Survey 2026",
            "slug_url": "launching-the-coworking-salary-survey-6",
            "categories": ["careers"],
            "tags": ["coworking-career", "coworking-jobs"],
            "date": "2026-03-07T13:29:51Z",
            "authors": [{"name": "Pauline Roussel", "username": "pauline"}],
            "reading_time": 5,
        },
    }


def test_an_unknown_slug_is_404(cwk):
    response = cwk().get("/v2/blog", {"slug": "nope"})
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "Blog post not found"}


def test_the_spec_example_lists_a_categorys_posts(cwk, spec_post):
    other = BlogPostFactory()
    other.categories.clear()
    BlogPostFactory(is_published=False)
    BlogPostFactory(date=timezone.now() + timedelta(days=1))  # scheduled
    response = cwk().get("/v2/blog", {"category": "careers", "limit": "5"})
    assert response.status_code == 200
    data = response.json()["data"]
    assert [post["slug_url"] for post in data["posts"]] == [spec_post.slug]
    assert list(data["posts"][0]) == list(s.BlogPostSerializer().fields)
    assert data["pagination"] == {
        "total": 1,
        "limit": 5,
        "offset": 0,
        "current_count": 1,
        "total_pages": 1,
        "current_page": 1,
        "has_next": False,
        "has_previous": False,
    }


def test_blog_pages_by_limit_and_offset_newest_first(cwk, db):
    now = timezone.now()
    posts = [BlogPostFactory(date=now - timedelta(days=n)) for n in range(1, 13)]
    client = cwk()
    first = client.get("/v2/blog").json()["data"]
    assert [p["slug_url"] for p in first["posts"]] == [post.slug for post in posts[:10]]
    assert first["pagination"]["total"] == 12 and first["pagination"]["has_next"] is True
    second = client.get("/v2/blog", {"offset": 10, "limit": 10}).json()["data"]
    assert [p["slug_url"] for p in second["posts"]] == [post.slug for post in posts[10:]]
    assert second["pagination"]["current_page"] == 2 and second["pagination"]["has_previous"] is True


def test_blog_filters_by_tag(cwk, spec_post):
    assert len(cwk().get("/v2/blog", {"tag": "coworking-career"}).json()["data"]["posts"]) == 1
    assert cwk().get("/v2/blog", {"tag": "other"}).json()["data"]["posts"] == []


@pytest.mark.parametrize(
    "query, message",
    [
        ({"limit": "51"}, "limit: Ensure this value is less than or equal to 50."),
        ({"limit": "0"}, "limit: Ensure this value is greater than or equal to 1."),
        ({"offset": "-1"}, "offset: Ensure this value is greater than or equal to 0."),
    ],
)
def test_bad_blog_parameters_are_a_422(cwk, query, message):
    response = cwk().get("/v2/blog", query)
    assert response.status_code == 422
    assert response.json()["error"]["details"] == [message]


def test_reading_time_follows_the_body():
    post = BlogPostFactory(body="<p>" + "word " * 201 + "</p>")
    assert post.reading_time == 2
    post.body = "<p>short</p>"
    post.save()
    assert BlogPost.objects.get(pk=post.pk).reading_time == 1


def test_the_blog_needs_the_read_scope(cwk, spec_post):
    assert cwk(("jobs:read",)).get("/v2/blog").status_code == 403
    assert cwk(("read",), prefix=RESTRICTED).get("/v2/blog").status_code == 200


def test_the_blog_makes_the_same_queries_at_two_sizes(cwk, django_assert_num_queries):
    client = cwk(("read",))
    for count in (2, 8):
        for _ in range(count):
            BlogPostFactory()
        # 1. the key  2. the page of posts  3. their categories  4. tags  5. authors  6. the count
        with django_assert_num_queries(6):
            client.get("/v2/blog", {"limit": 2})


# --- documented keys = rendered keys -------------------------------------------------------------


def test_every_list_renders_the_fields_its_serializer_documents(cities, space):
    SpaceFactory(city=cities["lisbon"])
    _event(space, 1)
    from jobs.models import City, Space

    assert list(city_items(City.objects.all())[0]) == list(s.CitySerializer().fields)
    assert list(space_items(Space.objects.all())[0]) == list(s.SpaceSerializer().fields)
    group = city_space_groups(Space.objects.all())[0]
    assert list(group) == list(s.CitySpacesSerializer().fields)
    assert list(group["spaces"][0]) == list(s.CitySpaceSerializer().fields)
    assert list(event_items(event_rows(Event.objects.all()))[0]) == list(s.EventSerializer().fields)


def test_a_space_bound_key_reads_the_whole_blog(cwk, space, spec_post):
    BlogPostFactory()
    assert len(cwk(("read",), space=space).get("/v2/blog").json()["data"]["posts"]) == 2
