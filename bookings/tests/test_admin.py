"""The bookings admin: lists, searches, and status actions that go through the services."""

from __future__ import annotations

import pytest

from bookings.models import Booking
from bookings.tests.factories import make_booking
from listings.models import RoomTypeNight
from listings.tests.factories import RoomTypeFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/bookings/booking/"


@pytest.fixture
def room_type():
    return RoomTypeFactory(amount=5)


def act(admin_client, action: str, bookings):
    return admin_client.post(CHANGELIST, {"action": action, "_selected_action": [b.pk for b in bookings]}, follow=True)


def nights(room_type) -> set[int]:
    return set(RoomTypeNight.objects.filter(room_type=room_type).values_list("available", flat=True))


def test_the_changelist_filters_and_searches(admin_client, room_type):
    booking = make_booking(room_type=room_type)
    other = make_booking(room_type=room_type, status="confirmed")
    response = admin_client.get(CHANGELIST, {"q": booking.reference})
    assert response.status_code == 200
    assert booking.reference in response.text and other.reference not in response.text
    response = admin_client.get(CHANGELIST, {"q": booking.guest.email})
    assert booking.reference in response.text
    response = admin_client.get(CHANGELIST, {"status__exact": "confirmed", "source__exact": "partner"})
    assert other.reference in response.text and booking.reference not in response.text
    assert (
        admin_client.get(
            CHANGELIST, {"checkin__gte": "2024-01-01", "listing__id__exact": room_type.listing_id}
        ).status_code
        == 200
    )


def test_the_change_page_shows_the_booking_and_takes_a_message(admin_client, admin_user, room_type):
    booking = make_booking(room_type=room_type)
    url = f"{CHANGELIST}{booking.pk}/change/"
    response = admin_client.get(url)
    assert response.status_code == 200
    assert booking.version in response.text
    response = admin_client.post(
        url,
        {
            "messages-TOTAL_FORMS": "1",
            "messages-INITIAL_FORMS": "0",
            "messages-MIN_NUM_FORMS": "0",
            "messages-MAX_NUM_FORMS": "1000",
            "messages-0-body": "Your room is ready",
            "messages-0-booking": str(booking.pk),
        },
    )
    assert response.status_code == 302, response.content
    message = booking.messages.get()
    assert (message.body, message.sender) == ("Your room is ready", admin_user)


def test_bookings_cannot_be_added_or_deleted_by_hand(admin_client, room_type):
    booking = make_booking(room_type=room_type)
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.get(f"{CHANGELIST}{booking.pk}/delete/").status_code == 403


def test_confirm(admin_client, room_type):
    booking = make_booking(room_type=room_type)
    response = act(admin_client, "confirm", [booking])
    assert "1 booking(s) confirmed" in response.text
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert nights(room_type) == {4}


@pytest.mark.parametrize("action, status", [("decline", "declined"), ("cancel", "cancelled")])
def test_decline_and_cancel_give_the_nights_back(admin_client, room_type, action, status):
    booking = make_booking(room_type=room_type)
    before = Booking.objects.get(pk=booking.pk).change_seq
    act(admin_client, action, [booking])
    booking.refresh_from_db()
    assert booking.status == status
    assert booking.change_seq > before
    assert nights(room_type) == {5}


def test_an_impossible_change_is_reported_and_the_others_still_happen(admin_client, room_type):
    cancelled = make_booking(room_type=room_type, status="cancelled")
    pending = make_booking(room_type=room_type)
    response = act(admin_client, "cancel", [cancelled, pending])
    assert "cannot be cancelled" in response.text
    assert "1 booking(s) cancelled" in response.text
    assert nights(room_type) == {5}  # given back once each, never twice
