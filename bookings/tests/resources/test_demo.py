"""``bookings/resources/demo.py``: the demo space's room, desks, admin and member, and their keys."""

from __future__ import annotations

import io
import re

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from apikeys.models import ApiKey
from bookings.models import ResourceBooking
from bookings.resources import demo
from jobs.models import Membership, Resource
from jobs.tests.factories import SpaceFactory

pytestmark = pytest.mark.django_db


def keys(output: str) -> dict[str, str]:
    """``{"admin": "sk_live_…", "member": "sk_live_…"}`` from the printed lines."""
    return {role: raw for raw, role in re.findall(r"(sk_live_\w+) .* acts as the space's (\w+)", output)}


def test_it_makes_the_space_bookable_once_and_prints_working_keys():
    owner, space = UserFactory(), SpaceFactory(subdomain="example", timezone="Europe/Berlin")
    first, second = io.StringIO(), io.StringIO()

    demo.seed({"owner": owner, "space": space, "stdout": first})
    demo.seed({"owner": owner, "space": space, "stdout": second})

    assert {(r.name, r.units) for r in Resource.objects.filter(space=space)} == {("Meeting Room", 1), ("Hot Desks", 10)}
    roles = dict(Membership.objects.filter(space=space).values_list("user__email", "role"))
    assert roles == {owner.email: "admin", demo.DEMO_MEMBER: "member"}
    assert ResourceBooking.objects.count() == 2  # not booked again
    printed = keys(second.getvalue())
    assert set(printed) == {"admin", "member"}
    assert (
        ApiKey.objects.filter(name__startswith="Demo resource booking", revoked_at=None).count() == 2
    )  # first run's revoked
    for role, raw in printed.items():
        client = APIClient()
        client.credentials(HTTP_X_API_KEY=raw)
        response = client.get("/spaces/example/api/membership/bookings/upcoming")
        assert response.status_code == 200, (role, response.content)
        assert len(response.json()) == (2 if role == "member" else 0)
        assert client.get("/spaces/example/api/resources").status_code == 200


def test_without_a_demo_space_it_does_nothing():
    demo.seed({"owner": UserFactory()})
    assert not Resource.objects.exists()
