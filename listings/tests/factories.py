from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from listings.models import Listing, Room, RoomType, RoomTypeNight


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    host = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Listing {n}")
    city = "Berlin"
    country = "DE"


class RoomTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomType

    listing = factory.SubFactory(ListingFactory)
    name = factory.Sequence(lambda n: f"Room type {n}")
    amount = 5
    max_occupancy = 2
    currency = "EUR"
    base_price = Decimal("750.00")


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    room_type = factory.SubFactory(RoomTypeFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class RoomTypeNightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomTypeNight

    room_type = factory.SubFactory(RoomTypeFactory)
    available = 3
