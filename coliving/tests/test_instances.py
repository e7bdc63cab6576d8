"""Three app instances behind nginx (``coliving/tests/cluster.py``): nothing an instance keeps
in memory is needed by another. What one instance decides, every instance honours on the
next request — limits, idempotency claims, inventory, the bookings feed, revoked keys,
providers and plans switched off — and the client address comes from X-Forwarded-For.

The cluster starts once for the module; each test gets a flushed database (transactional)
and an empty Redis namespace (the root conftest), which the instances share.
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.conf import settings

from apikeys.models import ApiKey, Provider
from apikeys.services import api_key_revoke
from apikeys.tests.factories import make_key
from bookings.models import Booking
from bookings.tests.factories import guest_of
from bookings.tests.test_concurrency import race
from coliving.tests.cluster import cluster
from coliving.tests.locks import run_writers_then_poller
from conftest import requires_postgres
from jobs.models import Job
from jobs.tests.conftest import LIVE
from jobs.tests.factories import CityFactory, PlanFactory
from listings.models import RoomTypeNight
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = [
    pytest.mark.server,
    requires_postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: instances share state through Redis"),
]
INSTANCES = 3
START = date.today() + timedelta(days=60)
FEED = "/v2/integrations/mangobeds/bookings"


@pytest.fixture(scope="module")
def instances(django_db_setup, tmp_path_factory):
    env = {
        # Every request comes from one address: lift the per-IP limit to isolate the per-key one.
        "RATELIMIT_PUBLIC_PER_MINUTE": "100000",
        # Usage (last_used_ip) is written on every request, so a test can read it at once.
        "APIKEY_USAGE_FLUSH_SECONDS": "0",
    }
    with cluster(tmp_path_factory.mktemp("cluster"), size=INSTANCES, env=env) as running:
        yield running


@pytest.fixture
def host(db):
    key, raw = make_key(scopes=["bookings.read", "bookings.write"])
    listing = ListingFactory(host=key.owner)
    return {
        "key": key,
        "headers": {"X-API-Key": raw},
        "listing": listing,
        "room_type": RoomTypeFactory(listing=listing, amount=3),
        "guest": guest_of(key.owner),
    }


def booking_body(host, checkin=START, nights=7) -> dict:
    return {
        "user_id": host["guest"].pk,
        "listing_id": host["listing"].pk,
        "room_type_id": host["room_type"].pk,
        "checkin_at": checkin.isoformat(),
        "checkout_at": (checkin + timedelta(days=nights)).isoformat(),
        "guests": 1,
    }


def test_the_balancer_spreads_requests_over_every_instance(instances, host):
    instances.mark()
    with instances.balanced(headers=host["headers"]) as client:
        statuses = [client.get("/v2/me").status_code for _ in range(9)]
    assert statuses == [200] * 9
    served = instances.served_since_mark(total=9)
    assert all(count >= 1 for count in served), served


def test_a_keys_limit_is_exact_across_instances(instances, host):
    instances.mark()

    def send(_index):
        with instances.balanced(headers=host["headers"]) as client:
            response = client.get("/v2/me")
            return response.status_code, response.json()

    results = race(61, send)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 60 + [429], statuses
    assert [body["code"] for status, body in results if status == 429] == ["rate_limit_exceeded"]
    served = instances.served_since_mark(total=61)
    assert sum(served) == 61
    assert min(served) >= 1, "every instance must have counted some"


def test_the_same_idempotency_key_on_two_instances_creates_one_booking(instances, host):
    headers = {**host["headers"], "Idempotency-Key": "booking-once"}
    body = booking_body(host)

    def send(index):
        with instances.instance(index % INSTANCES, headers=headers) as client:
            response = client.post("/v2/bookings", json=body)
            return response.status_code, response.headers.get("Idempotent-Replayed"), response.json()

    raced = race(INSTANCES, send)
    # A later retry, on an instance of its own, replays the one that won.
    with instances.instance(1, headers=headers) as client:
        retry = client.post("/v2/bookings", json=body)

    assert Booking.objects.count() == 1
    booking = Booking.objects.get()
    created = [b for status, replayed, b in raced if status == 201 and replayed is None]
    assert len(created) == 1
    assert {(status, b.get("code")) for status, replayed, b in raced if b not in created} <= {
        (201, None),  # replayed
        (409, "idempotency_request_in_progress"),  # arrived while the winner ran
    }
    assert retry.status_code == 201 and retry.headers["Idempotent-Replayed"] == "true"
    assert retry.json()["data"]["id"] == booking.pk == created[0]["data"]["id"]


def test_concurrent_bookings_on_different_instances_never_oversell(instances, host):
    instances.mark()

    def send(index):
        with instances.instance(index % INSTANCES, headers=host["headers"]) as client:
            response = client.post("/v2/bookings", json=booking_body(host))
            return response.status_code, response.json()

    results = race(12, send)

    statuses = sorted(status for status, _ in results)
    assert statuses == [201] * 3 + [409] * 9, statuses
    assert {body["code"] for status, body in results if status == 409} == {"unavailable"}
    assert Booking.objects.count() == 3
    assert set(RoomTypeNight.objects.filter(room_type=host["room_type"]).values_list("available", flat=True)) == {0}
    assert instances.served_since_mark(total=12) == [4, 4, 4]


def test_the_feed_never_misses_a_change_committed_through_any_instance(instances, host):
    Provider.objects.get_or_create(slug="mangobeds", defaults={"name": "Mango Beds"})
    host["room_type"].amount = 100
    host["room_type"].save()
    writers_done = threading.Event()
    seen: set[int] = set()
    errors: list[str] = []

    def poll(client, since):
        response = client.get(FEED, params={"since": since} if since else None)
        if response.status_code != 200:
            errors.append(f"poll: {response.status_code} {response.text[:200]}")
            return since
        data = response.json()["data"]
        seen.update(row["booking_id"] for row in data["Bookings"])
        return data["next_since"]

    def poller():
        since = None
        with instances.balanced(headers=host["headers"]) as client:
            while not writers_done.is_set():
                since = poll(client, since)
            for _ in range(3):  # after the last commit: whatever is left arrives now
                since = poll(client, since)

    def writer(index):
        with instances.instance(index, headers=host["headers"]) as client:
            for n in range(8):
                checkin = START + timedelta(days=10 * n + index)
                response = client.post("/v2/bookings", json=booking_body(host, checkin=checkin, nights=2))
                if response.status_code != 201:
                    errors.append(f"writer {index}: {response.status_code} {response.text[:200]}")

    writers = [threading.Thread(target=writer, args=(index,)) for index in range(INSTANCES)]
    run_writers_then_poller(writers, threading.Thread(target=poller), writers_done)

    assert not errors, errors
    created = set(Booking.objects.values_list("pk", flat=True))
    assert len(created) == 8 * INSTANCES
    assert created <= seen, f"the feed missed {sorted(created - seen)}"


def test_a_revoked_key_is_refused_by_every_instance_on_the_next_request(instances, host):
    for index in range(INSTANCES):  # each instance has now seen the key working
        with instances.instance(index, headers=host["headers"]) as client:
            assert client.get("/v2/me").status_code == 200

    api_key_revoke(key=ApiKey.objects.get(pk=host["key"].pk))

    for index in range(INSTANCES):
        with instances.instance(index, headers=host["headers"]) as client:
            response = client.get("/v2/me")
            assert (response.status_code, response.json()["code"]) == (401, "api_key_revoked"), index


def test_a_provider_switched_off_by_staff_is_refused_by_every_instance_on_the_next_request(instances, host):
    provider, _ = Provider.objects.get_or_create(slug="mangobeds", defaults={"name": "Mango Beds"})
    for index in range(INSTANCES):  # warms each instance's copy of the provider table
        with instances.instance(index, headers=host["headers"]) as client:
            assert client.get(FEED).status_code == 200

    provider.is_active = False
    provider.save()  # what the admin's change form does

    for index in range(INSTANCES):
        with instances.instance(index, headers=host["headers"]) as client:
            response = client.get(FEED)
            assert (response.status_code, response.json()["code"]) == (404, "unsupported_provider"), index

    provider.is_active = True
    provider.save()
    for index in range(INSTANCES):
        with instances.instance(index, headers=host["headers"]) as client:
            assert client.get(FEED).status_code == 200, index


def test_a_plan_switched_off_by_staff_is_refused_by_every_instance_on_the_next_request(instances):
    CityFactory(name="Lisbon", slug="lisbon", latitude="38.722300", longitude="-9.139300")
    plan = PlanFactory(is_active=True, price=0)
    _key, raw = make_key(scopes=["read", "write"], prefix=LIVE)

    def post_job(index, title):
        body = {"title": title, "company": "Remote Co", "description": "Build interfaces.", "job_type": "fulltime"}
        body |= {"city_name": "Lisbon", "tags": "react", "is_remote": 1, "id_plan": plan.pk}
        with instances.instance(index, headers={"X-API-Key": raw}) as client:
            return client.post("/v2/jobs", json=body)

    assert [post_job(index, f"Developer {index}").status_code for index in range(INSTANCES)] == [201] * INSTANCES

    plan.is_active = False
    plan.save()

    for index in range(INSTANCES):
        response = post_job(index, f"Designer {index}")
        assert response.status_code == 422, (index, response.text)
        assert f"Plan {plan.pk} does not exist or is not active" in response.text
    assert Job.objects.count() == INSTANCES


def test_the_client_address_is_the_one_the_balancer_appended(instances, host):
    if instances.balancer is None:
        pytest.skip("nginx is not installed: the round-robin fallback appends no X-Forwarded-For")
    forged = {**host["headers"], "X-Forwarded-For": "203.0.113.9"}
    with instances.balanced(headers=forged) as client:
        assert client.get("/v2/me").status_code == 200

    key = ApiKey.objects.get(pk=host["key"].pk)
    # The instance's peer is nginx (127.0.0.1); the client connected from 127.0.0.5 and
    # could not choose its identity by sending the header itself.
    assert key.last_used_ip == instances.client_address


def test_a_body_over_the_apps_limit_is_refused_in_the_familys_shape_through_the_balancer(instances, host):
    with instances.balanced(headers=host["headers"]) as client:
        too_large = client.post(
            "/v2/bookings",
            content=b'{"message": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}',
            headers={"Content-Type": "application/json"},
        )
        much_larger = client.post(
            "/v2/bookings",
            content=b"x" * (2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            headers={"Content-Type": "application/json"},
        )
        much_larger_on_coworkies = client.post(
            "/v2/jobs",
            content=b"x" * (2 * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
            headers={"Content-Type": "application/json"},
        )

    # Refused by nginx at the app's own bound, before it reaches an instance, in the
    # Coliving family's shape (the app's unread-body 413 would be lost behind the proxy).
    assert too_large.status_code == 413
    assert too_large.json() == {"success": False, "error": too_large.json()["error"], "code": "payload_too_large"}
    assert much_larger.status_code == 413
    assert much_larger.headers["Content-Type"].startswith("application/json")
    assert much_larger.json()["code"] == "payload_too_large"
    # … in the shape of the path's family.
    assert much_larger_on_coworkies.status_code == 413
    assert much_larger_on_coworkies.json()["error"]["code"] == "payload_too_large"
    assert Booking.objects.count() == 0
