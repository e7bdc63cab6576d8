"""The sandbox data set service (``bookings/sandbox.py``): seeding once under concurrent first
requests, and the admin's reset."""

from __future__ import annotations

import threading

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection
from rest_framework.test import APIClient

from accounts.models import User
from apikeys.models import ApiKey
from apikeys.tests.factories import make_key
from bookings.models import Booking, SandboxDataSet
from bookings.sandbox import sandbox_ensure
from bookings.tests.factories import make_booking
from conftest import requires_postgres
from listings.models import Listing, RoomTypeNight
from listings.tests.factories import ListingFactory, RoomTypeFactory


def live_rows() -> dict:
    return {
        "listings": list(Listing.objects.filter(is_sandbox=False).values_list("id", flat=True)),
        "bookings": list(Booking.objects.filter(is_sandbox=False).values_list("id", "status")),
        "users": User.objects.filter(is_sandbox=False).count(),
        "nights": list(RoomTypeNight.objects.filter(room_type__listing__is_sandbox=False).values_list()),
    }


@pytest.mark.django_db
def test_ensure_seeds_once(django_assert_num_queries):
    owner = ListingFactory().host
    assert sandbox_ensure(owner=owner) is True
    # 1. the data set exists: nothing more to do
    with django_assert_num_queries(1):
        assert sandbox_ensure(owner=owner) is False
    assert Listing.objects.filter(host=owner, is_sandbox=True).count() == 1


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_requests_seed_one_sandbox():
    listing = ListingFactory()
    RoomTypeFactory(listing=listing, amount=4)
    owner = listing.host
    raws = [make_key(scopes=["listings.read"], prefix=ApiKey.Prefix.TEST, owner=owner)[1] for _ in range(2)]
    barrier = threading.Barrier(len(raws))
    results, errors = [], []

    def first_request(raw: str) -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_X_API_KEY=raw)
            barrier.wait(timeout=30)
            response = client.get("/v2/sandbox/listings")
            results.append((response.status_code, [item["id"] for item in response.json()]))
        except BaseException as exc:  # reported on the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=first_request, args=(raw,)) for raw in raws]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert [status for status, _ in results] == [200, 200]
    assert results[0][1] == results[1][1]  # both see the one seeded copy
    assert SandboxDataSet.objects.filter(owner=owner).count() == 1
    assert Listing.objects.filter(host=owner, is_sandbox=True).count() == 1
    assert User.objects.filter(is_sandbox=True, created_by=owner).count() == 1


@pytest.mark.django_db
def test_the_admin_resets_a_sandbox_and_logs_it(admin_client, admin_user):
    live = RoomTypeFactory(amount=4)
    owner = live.listing.host
    make_booking(room_type=live)
    sandbox_ensure(owner=owner)
    data_set = SandboxDataSet.objects.get(owner=owner)
    seeded = set(Listing.objects.filter(host=owner, is_sandbox=True).values_list("id", flat=True))
    # What a partner did in its sandbox since: a listing of its own, a cancelled stay.
    ListingFactory(host=owner, is_sandbox=True, name="Made in the sandbox")
    Booking.objects.filter(is_sandbox=True, listing__host=owner).update(status=Booking.Status.CANCELLED)
    before = live_rows()

    response = admin_client.post(
        "/admin/bookings/sandboxdataset/", {"action": "reset", "_selected_action": [data_set.pk]}, follow=True
    )

    assert response.status_code == 200
    assert "1 sandbox(es) reset." in response.content.decode()
    sandbox_listings = Listing.objects.filter(host=owner, is_sandbox=True)
    assert list(sandbox_listings.values_list("name", flat=True)) == [live.listing.name]
    assert not set(sandbox_listings.values_list("id", flat=True)) & seeded  # seeded anew
    assert list(Booking.objects.filter(is_sandbox=True, listing__host=owner).values_list("status", flat=True)) == [
        Booking.Status.PENDING
    ]
    assert User.objects.filter(is_sandbox=True, created_by=owner).count() == 1
    assert live_rows() == before
    entry = LogEntry.objects.get(object_id=str(data_set.pk))
    assert (entry.user, entry.action_flag) == (admin_user, CHANGE)
    assert "Reset the sandbox" in entry.get_change_message()


@pytest.mark.django_db
def test_sandbox_data_sets_cannot_be_added_or_deleted_by_hand(admin_client):
    sandbox_ensure(owner=ListingFactory().host)
    data_set = SandboxDataSet.objects.get()
    assert admin_client.get("/admin/bookings/sandboxdataset/add/").status_code == 403
    assert admin_client.get(f"/admin/bookings/sandboxdataset/{data_set.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/bookings/sandboxdataset/").status_code == 200


@pytest.mark.django_db
def test_a_granted_listing_sharing_an_original_id_is_copied_too():
    from listings.models import ListingGrant

    own = ListingFactory(original_id="house-1")
    granted = ListingFactory(original_id="house-1")  # another host's system, the same id
    ListingGrant.objects.create(listing=granted, grantee=own.host)
    sandbox_ensure(owner=own.host)
    copies = Listing.objects.filter(host=own.host, is_sandbox=True).order_by("id")
    assert list(copies.values_list("original_id", flat=True)) == ["house-1", ""]
