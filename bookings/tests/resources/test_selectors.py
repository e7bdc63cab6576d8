"""The rendered shapes and the serializers that document them in the schema stay equal."""

from __future__ import annotations

import pytest
from django.utils import timezone

from bookings.resources import selectors
from bookings.resources.api import serializers
from bookings.tests.resources.factories import ResourceBookingFactory, ResourceFactory
from jobs.tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_a_booking_renders_the_documented_fields_in_the_spec_order(member):
    booking = ResourceBookingFactory(event=EventFactory(), membership=member.membership)
    row = next(iter(selectors.booking_rows(type(booking).objects.filter(pk=booking.pk))))

    item = selectors.booking_item(row, viewer=member.membership, api_root="https://x/api", now=timezone.now())

    assert list(item) == list(serializers.ResourceBookingSerializer().fields)
    assert item == selectors.booking_item(
        selectors.instance_row(booking), viewer=member.membership, api_root="https://x/api", now=timezone.now()
    )


def test_a_resource_renders_the_documented_fields(member):
    resource = ResourceFactory()
    [item] = selectors.resource_items(type(resource).objects.all(), viewer=member.membership, api_root="https://x/api")
    assert list(item) == list(serializers.ResourceSerializer().fields)
