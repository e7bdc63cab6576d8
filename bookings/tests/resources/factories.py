"""Factories of the Cobot-compatible resource bookings: resources, memberships, bookings.

``ResourceBookingFactory`` writes rows directly (no rules, no webhooks): tests of the rules
go through the services or the API. ``booking_at`` and ``member_client`` are the helpers the
API tests use.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from bookings.resources.models import ResourceBooking, WebhookSubscription
from jobs.models import Membership, Resource
from jobs.tests.factories import SpaceFactory


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    space = factory.SubFactory(SpaceFactory)
    name = factory.Sequence(lambda n: f"Meeting Room {n}")
    description = "A room for eight with a screen."
    units = 1
    capacity = 8
    price_per_hour = Decimal("5.00")
    currency = "EUR"
    tax_rate = Decimal("20.00")
    accounting_code = "B1"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    space = factory.SubFactory(SpaceFactory)
    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Member {n}")
    role = Membership.Role.MEMBER


def next_hour(days: int = 1) -> timezone.datetime:
    """A whole hour ``days`` from now (UTC)."""
    return (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def cobot(moment) -> str:
    """``2012-04-12 12:00 +0000``: how the spec sends a time."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M +0000")


def body(start, hours: float = 2, **fields) -> dict:
    """A booking body from ``start`` for ``hours``."""
    return {"from": cobot(start), "to": cobot(start + timedelta(hours=hours)), "title": "test booking", **fields}


class ResourceBookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResourceBooking

    resource = factory.SubFactory(ResourceFactory)
    membership = factory.SubFactory(MembershipFactory, space=factory.SelfAttribute("..resource.space"))
    start = factory.LazyFunction(lambda: next_hour(days=2))
    end = factory.LazyAttribute(lambda booking: booking.start + timedelta(hours=2))
    title = "Team meeting"
    comments = "coffee please"
    units = 1
    price = Decimal("10.00")
    currency = "EUR"
    tax_rate = Decimal("20.00")
    accounting_code = "B1"
    exclusive = factory.LazyAttribute(lambda booking: booking.units >= booking.resource.units)


class WebhookSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookSubscription

    space = factory.SubFactory(SpaceFactory)
    url = "https://hooks.example.com/cobot"
    events = ["created_booking", "updated_booking", "deleted_booking"]


def member_client(
    key_client, space, *, role=Membership.Role.MEMBER, scopes=("read_bookings", "write_bookings"), bound=False
):
    """A client whose key's owner is an active ``role`` of ``space`` (the key bound to it when
    ``bound``); ``client.membership`` and ``client.base`` (``/spaces/<subdomain>/api``)."""
    client = key_client(list(scopes), space=space if bound else None)
    client.membership = MembershipFactory(space=space, user=client.owner, role=role, name=f"{role.title()} Doe")
    client.base = f"/spaces/{space.subdomain}/api"
    return client
