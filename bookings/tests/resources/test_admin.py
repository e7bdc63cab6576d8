"""The admin of resource bookings: filters, mark invoiced, deletions through the service; a
space's resources (booking windows validated) and memberships; webhook subscriptions."""

from __future__ import annotations

import pytest

from bookings.models import ResourceBooking, WebhookDelivery, WebhookSubscription
from bookings.tests.resources.factories import (
    MembershipFactory,
    ResourceBookingFactory,
    ResourceFactory,
    WebhookSubscriptionFactory,
    next_hour,
)
from jobs.models import Resource
from jobs.tests.factories import EventFactory, SpaceFactory

pytestmark = pytest.mark.django_db
BOOKINGS = "/admin/bookings/resourcebooking/"


def act(admin_client, url, action, objects):
    return admin_client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True)


def test_bookings_filter_by_space_resource_member_date_and_invoiced(admin_client):
    mine = ResourceBookingFactory(title="Mine", start=next_hour(days=3))
    theirs = ResourceBookingFactory(title="Theirs", start=next_hour(days=40), invoiced_at=next_hour(days=-1))

    assert admin_client.get(BOOKINGS).status_code == 200
    for query in (
        {"resource__space__id__exact": mine.resource.space_id},
        {"resource__id__exact": mine.resource_id},
        {"membership__id__exact": mine.membership_id},
        {"invoiced": "no"},
        {"start__year": mine.start.year, "start__month": mine.start.month, "start__day": mine.start.day},
    ):
        response = admin_client.get(BOOKINGS, query)
        assert response.status_code == 200, query
        assert f"/{mine.pk}/change/" in response.text and f"/{theirs.pk}/change/" not in response.text, query
    assert f"/{theirs.pk}/change/" in admin_client.get(BOOKINGS, {"invoiced": "yes"}).text
    assert f"/{mine.pk}/change/" in admin_client.get(BOOKINGS, {"q": mine.membership.name}).text


def test_a_booking_page_is_read_only_and_none_is_added_here(admin_client):
    booking = ResourceBookingFactory()
    page = admin_client.get(f"{BOOKINGS}{booking.pk}/change/")
    assert page.status_code == 200 and booking.resource.name in page.text
    assert admin_client.get(f"{BOOKINGS}add/").status_code == 403


def test_mark_invoiced(admin_client):
    due, other = ResourceBookingFactory(), ResourceBookingFactory()

    response = act(admin_client, BOOKINGS, "mark_invoiced", [due])

    assert "1 bookings marked invoiced." in response.text
    due.refresh_from_db()
    other.refresh_from_db()
    assert due.invoiced_at is not None and other.invoiced_at is None


def test_deleting_goes_through_the_service_and_leaves_event_bookings(admin_client):
    space = SpaceFactory()
    WebhookSubscriptionFactory(space=space)
    plain = ResourceBookingFactory(resource=ResourceFactory(space=space))
    of_event = ResourceBookingFactory(resource=ResourceFactory(space=space), event=EventFactory(space=space))

    response = act(admin_client, BOOKINGS, "delete_bookings", [plain, of_event])

    assert "1 bookings deleted." in response.text and "Not deleted" in response.text
    assert list(ResourceBooking.objects.values_list("pk", flat=True)) == [of_event.pk]
    assert WebhookDelivery.objects.get().event == "deleted_booking"


def test_resources_are_managed_with_valid_booking_windows(admin_client):
    space = SpaceFactory()
    url = "/admin/jobs/resource/add/"
    form = {
        "space": space.pk,
        "name": "Focus Room",
        "description": "",
        "units": 1,
        "price_per_hour": "4.00",
        "currency": "EUR",
        "cancellation_period": 24,
        "booking_times": '[{"from": "18:00", "to": "09:00"}]',
    }

    refused = admin_client.post(url, form)
    assert refused.status_code == 200 and "from must be before to" in refused.text
    created = admin_client.post(url, {**form, "booking_times": '[{"from": "09:00", "to": "18:00", "weekdays": [1]}]'})
    assert created.status_code == 302
    assert Resource.objects.get(name="Focus Room").booking_times == [{"from": "09:00", "to": "18:00", "weekdays": [1]}]
    assert admin_client.get("/admin/jobs/resource/", {"q": "Focus"}).status_code == 200


def test_memberships_are_listed_and_searched(admin_client):
    membership = MembershipFactory(name="Ada Member")
    response = admin_client.get("/admin/jobs/membership/", {"q": "Ada"})
    assert response.status_code == 200 and "Ada Member" in response.text
    assert admin_client.get(f"/admin/jobs/membership/{membership.pk}/change/").status_code == 200


def test_webhook_subscriptions_choose_their_events_and_keep_a_secret(admin_client):
    space = SpaceFactory()
    response = admin_client.post(
        "/admin/bookings/webhooksubscription/add/",
        {
            "space": space.pk,
            "url": "https://hooks.example.com/cobot",
            "events": ["created_booking", "deleted_booking"],
            "secret": "whsec_shared",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    subscription = WebhookSubscription.objects.get()
    assert subscription.events == ["created_booking", "deleted_booking"]
    assert subscription.secret == "whsec_shared"
    assert WebhookSubscriptionFactory().secret.startswith("whsec_")


def test_switching_a_deactivated_subscription_on_clears_why_it_was_off(admin_client):
    subscription = WebhookSubscriptionFactory(is_active=False, deactivated_at=next_hour(days=-1))
    WebhookSubscription.objects.filter(pk=subscription.pk).update(deactivation_reason="410 Gone")

    admin_client.post(
        f"/admin/bookings/webhooksubscription/{subscription.pk}/change/",
        {
            "space": subscription.space_id,
            "url": subscription.url,
            "events": ["created_booking"],
            "secret": subscription.secret,
            "is_active": "on",
        },
    )

    subscription.refresh_from_db()
    assert subscription.is_active and subscription.deactivated_at is None and subscription.deactivation_reason == ""


def test_deliveries_are_listed_and_sent_again(admin_client, django_capture_on_commit_callbacks):
    delivery = WebhookDelivery.objects.create(subscription=WebhookSubscriptionFactory(), event="created_booking")
    assert admin_client.get("/admin/bookings/webhookdelivery/").status_code == 200

    with django_capture_on_commit_callbacks(execute=False):
        response = act(admin_client, "/admin/bookings/webhookdelivery/", "retry", [delivery])

    assert "1 deliveries queued." in response.text
