"""Changing a room type's number of units moves its stored nights by the same step."""

from datetime import timedelta

import pytest
from django.utils import timezone

from listings.inventory import room_type_amount_change
from listings.models import RoomType, RoomTypeNight
from listings.tests.factories import ListingFactory, RoomTypeFactory

pytestmark = pytest.mark.django_db


def _nights(room_type):
    return list(RoomTypeNight.objects.filter(room_type=room_type).order_by("date").values_list("available", flat=True))


def _store(room_type, *values):
    today = timezone.localdate()
    for offset, value in enumerate(values, start=1):
        RoomTypeNight.objects.create(room_type=room_type, date=today + timedelta(days=offset), available=value)


def test_lowering_the_amount_takes_the_units_away_from_stored_nights():
    room_type = RoomTypeFactory(amount=3)
    _store(room_type, 2, 0, 3)  # one night partly booked, one sold out, one untouched
    room_type_amount_change(room_type=room_type, amount=1)
    assert _nights(room_type) == [0, 0, 1]
    room_type.refresh_from_db()
    assert room_type.amount == 1


def test_raising_the_amount_adds_the_units_to_stored_nights():
    room_type = RoomTypeFactory(amount=1)
    _store(room_type, 0, 1)
    room_type_amount_change(room_type=room_type, amount=3)
    assert _nights(room_type) == [2, 3]


def test_only_the_room_types_own_nights_move():
    room_type, other = RoomTypeFactory(amount=3), RoomTypeFactory(amount=3)
    _store(room_type, 2)
    _store(other, 2)
    room_type_amount_change(room_type=room_type, amount=1)
    assert (_nights(room_type), _nights(other)) == ([0], [2])


def test_a_night_stored_above_the_amount_is_brought_back_within_it():
    room_type = RoomTypeFactory(amount=3)
    _store(room_type, 5)  # written by hand, or before a push checked against ``amount``
    room_type_amount_change(room_type=room_type, amount=4)
    assert _nights(room_type) == [4]


def test_the_admin_goes_through_the_service(admin_client):
    room_type = RoomTypeFactory(amount=1, listing=ListingFactory())
    _store(room_type, 0)
    page = admin_client.get(f"/admin/listings/roomtype/{room_type.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    for inline in page.context["inline_admin_formsets"]:  # the rooms inline's (empty) management form
        data.update({bound.html_name: bound.value() for bound in inline.formset.management_form})
    data["amount"] = 3
    response = admin_client.post(f"/admin/listings/roomtype/{room_type.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert _nights(room_type) == [2]


def test_only_nights_from_today_on_move_and_the_room_type_returned_has_the_new_amount(today):
    room_type = RoomTypeFactory(amount=3)
    for offset, value in ((-1, 1), (0, 2), (1, 3)):  # yesterday, today, tomorrow
        RoomTypeNight.objects.create(room_type=room_type, date=today + timedelta(days=offset), available=value)
    returned = room_type_amount_change(room_type=room_type, amount=2)
    assert _nights(room_type) == [1, 1, 2]  # yesterday's night is history: left as it was
    assert returned.amount == 2
    assert RoomType.objects.get(pk=room_type.pk).updated_at > room_type.updated_at
