"""Which space a request is for, and who may act in it: the space named by the path or the host,
a key bound to a space, the key owner's membership there."""

from __future__ import annotations

import pytest

from bookings.models import ResourceBooking
from bookings.tests.resources.factories import (
    ResourceBookingFactory,
    ResourceFactory,
    body,
    member_client,
    next_hour,
)
from coliving.api.errors import NotFound
from coliving.api.tenancy import Tenant, space_tenant
from jobs.models import Membership
from jobs.tests.factories import SpaceFactory

pytestmark = pytest.mark.django_db
ALL_TIME = {"from": "2000-01-01", "to": "2100-01-01"}


def test_an_unknown_space_is_404(member):
    response = member.get("/spaces/nowhere/api/bookings", ALL_TIME)

    assert response.status_code == 404
    assert response.json() == {"error": "Space not found"}


def test_a_key_whose_owner_is_no_member_is_403(stranger, room, member):
    """Even though the space has members (``member``): only the owner's own membership counts."""
    for response in (
        stranger.get(f"{stranger.base}/bookings", ALL_TIME),
        stranger.post(f"{stranger.base}/resources/{room.pk}/bookings", body(next_hour(days=2)), format="json"),
    ):
        assert response.status_code == 403
        assert response.json() == {"error": "You must be a member or an admin of this space"}
    assert not ResourceBooking.objects.exists()


def test_an_inactive_membership_is_no_membership(member):
    Membership.objects.filter(pk=member.membership.pk).update(is_active=False)

    response = member.get(f"{member.base}/bookings", ALL_TIME)

    assert response.status_code == 403


def test_a_key_bound_to_its_space_works_there_and_is_403_elsewhere(key_client, space, room):
    elsewhere = SpaceFactory()
    client = member_client(key_client, space, bound=True)
    Membership.objects.create(space=elsewhere, user=client.owner, name="Also there")  # a member there too

    assert client.get(f"{client.base}/bookings", ALL_TIME).status_code == 200
    response = client.get(f"/spaces/{elsewhere.subdomain}/api/bookings", ALL_TIME)
    assert response.status_code == 403
    assert response.json() == {"error": "This API key is bound to another space"}


def test_a_bound_key_whose_owner_left_is_told_which_refusal_applies(key_client, space):
    """Without a membership anywhere: its own space says "not a member", another space says "bound"."""
    client = member_client(key_client, space, bound=True)
    Membership.objects.filter(user=client.owner).delete()

    response = client.get(f"{client.base}/bookings", ALL_TIME)
    assert response.status_code == 403
    assert response.json() == {"error": "You must be a member or an admin of this space"}
    response = client.get(f"/spaces/{SpaceFactory().subdomain}/api/bookings", ALL_TIME)
    assert response.status_code == 403
    assert response.json() == {"error": "This API key is bound to another space"}


def test_a_member_of_two_spaces_sees_each_spaces_bookings_there_only(key_client, space, room):
    other_space = SpaceFactory()
    client = member_client(key_client, space)
    Membership.objects.create(space=other_space, user=client.owner, name="Elsewhere")
    here = ResourceBookingFactory(resource=room)
    there = ResourceBookingFactory(resource=ResourceFactory(space=other_space))

    in_space = client.get(f"{client.base}/bookings", ALL_TIME).json()
    in_other = client.get(f"/spaces/{other_space.subdomain}/api/bookings", ALL_TIME).json()

    assert [item["id"] for item in in_space] == [str(here.pk)]
    assert [item["id"] for item in in_other] == [str(there.pk)]
    assert client.get(f"{client.base}/bookings/{there.pk}").json() == {"error": "Booking not found"}


def test_another_spaces_resource_and_booking_are_404_and_untouched(admin):
    theirs = ResourceBookingFactory(start=next_hour(days=3))
    before = ResourceBooking.objects.values().get(pk=theirs.pk)

    assert admin.get(f"{admin.base}/bookings/{theirs.pk}").json() == {"error": "Booking not found"}
    assert admin.put(f"{admin.base}/bookings/{theirs.pk}", {"title": "x"}, format="json").status_code == 404
    assert admin.delete(f"{admin.base}/bookings/{theirs.pk}").status_code == 404
    response = admin.post(
        f"{admin.base}/resources/{theirs.resource_id}/bookings", body(next_hour(days=4)), format="json"
    )
    assert (response.status_code, response.json()) == (404, {"error": "Resource not found"})
    assert admin.get(f"{admin.base}/resources/{theirs.resource_id}/bookings", ALL_TIME).status_code == 404
    assert ResourceBooking.objects.values().get(pk=theirs.pk) == before
    assert ResourceBooking.objects.count() == 1


def test_the_spaces_host_serves_the_same_api_with_its_own_urls(member, room, cobot_host):
    response = member.post(
        f"/api/resources/{room.pk}/bookings", body(next_hour(days=2)), format="json", HTTP_HOST=cobot_host
    )

    assert response.status_code == 201, response.content
    booking_url = response.json()["url"]
    assert booking_url == f"http://co-up.cobot.me/api/bookings/{response.json()['id']}"
    path = booking_url.removeprefix("http://co-up.cobot.me")
    assert member.get(path, HTTP_HOST=cobot_host).json()["id"] == response.json()["id"]
    listed = member.get("/api/resources", HTTP_HOST=cobot_host).json()
    assert listed[0]["booking_url"] == f"http://co-up.cobot.me/api/resources/{room.pk}/bookings"
    by_path = member.get(f"{member.base}/bookings/{response.json()['id']}").json()
    assert by_path["url"] == f"http://testserver{member.base}/bookings/{response.json()['id']}"


def test_an_unknown_space_host_is_404(member, cobot_host):
    response = member.get("/api/bookings", ALL_TIME, HTTP_HOST="nowhere.cobot.me")

    assert response.status_code == 404
    assert response.json() == {"error": "Space not found"}


def test_space_rows_without_a_space_are_none(member, room):
    ResourceBookingFactory(resource=room)

    assert not ResourceBooking.objects.for_tenant(Tenant(member.owner), "space").exists()
    assert not ResourceBooking.objects.for_tenant(None, "space").exists()
    tenant = Tenant(member.owner).in_space(room.space, member.membership)
    assert ResourceBooking.objects.for_tenant(tenant, "space").count() == 1


def test_a_space_is_resolved_with_the_membership_in_one_query(member, space, django_assert_num_queries):
    tenant = Tenant(owner=member.owner)
    with django_assert_num_queries(1):
        resolved = space_tenant(tenant, space.subdomain)
        assert (resolved.space.subdomain, resolved.membership.pk) == (space.subdomain, member.membership.pk)


def test_without_a_tenant_no_space_is_found(space):
    """Not reached through the API (a keyless request is 401 first): the function's own contract."""
    with pytest.raises(NotFound):
        space_tenant(None, space.subdomain)


def test_owner_tenancy_on_rows_that_have_no_owner_fails_loudly_naming_the_queryset(member):
    """Resource bookings belong to a space, not to an owner: a view declaring ``"owner"``
    tenancy on them is a programming error, refused rather than answered with rows."""
    with pytest.raises(NotImplementedError) as refused:
        ResourceBooking.objects.for_tenant(Tenant(member.owner), "owner")
    assert str(refused.value) == "ResourceBookingQuerySet defines no owner"
