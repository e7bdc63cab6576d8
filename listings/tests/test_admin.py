"""The listings admin: change lists render, the inventory page, grants, provider links read only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from listings.models import ListingGrant, ProviderAccountLink
from listings.tests.conftest import TODAY
from listings.tests.factories import ListingFactory, RoomTypeFactory, RoomTypeNightFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.mark.parametrize("model", ["listing", "roomtype", "listinggrant", "provideraccountlink"])
def test_the_change_lists_render(staff, model):
    room_type = RoomTypeFactory()
    ListingGrant.objects.create(listing=room_type.listing, grantee=UserFactory())

    response = staff.get(reverse(f"admin:listings_{model}_changelist"), {"q": "a"})

    assert response.status_code == 200


def test_the_listing_page_shows_its_room_types_fees_and_grants(staff):
    room_type = RoomTypeFactory(name="Standard Room")

    response = staff.get(reverse("admin:listings_listing_change", args=[room_type.listing_id]))

    assert response.status_code == 200
    assert b"Standard Room" in response.content
    assert reverse("admin:listings_roomtype_inventory", args=[room_type.pk]).encode() in response.content


def test_the_inventory_page_shows_90_nights_available_and_taken(staff, today):
    room_type = RoomTypeFactory(amount=5)
    RoomTypeNightFactory(room_type=room_type, date=TODAY + timedelta(days=1), available=2)

    response = staff.get(reverse("admin:listings_roomtype_inventory", args=[room_type.pk]))

    assert response.status_code == 200
    nights = response.context["nights"]
    assert len(nights) == 90
    assert nights[0] == {"date": TODAY, "available": 5, "taken": 0, "has_row": False}
    assert nights[1] == {"date": TODAY + timedelta(days=1), "available": 2, "taken": 3, "has_row": True}
    assert b"Taken" in response.content


def test_the_inventory_page_of_an_unknown_room_type_is_404(staff):
    assert staff.get(reverse("admin:listings_roomtype_inventory", args=[999_999])).status_code == 404


def test_the_inventory_page_needs_a_staff_login(client):
    room_type = RoomTypeFactory()

    response = client.get(reverse("admin:listings_roomtype_inventory", args=[room_type.pk]))

    assert response.status_code == 302


def test_a_grant_made_in_the_admin_records_who_granted_it(staff):
    listing, grantee = ListingFactory(), UserFactory()

    response = staff.post(reverse("admin:listings_listinggrant_add"), {"listing": listing.pk, "grantee": grantee.pk})

    assert response.status_code == 302
    assert ListingGrant.objects.get().granted_by == staff.user


def test_provider_links_are_read_only_and_show_the_last_four_characters(staff, mangobeds):
    link = ProviderAccountLink.objects.create(
        provider=mangobeds, owner=UserFactory(), key_digest="0" * 64, key_last4="7e1d"
    )

    page = staff.get(reverse("admin:listings_provideraccountlink_change", args=[link.pk]))

    assert page.status_code == 200
    assert "····7e1d" in page.content.decode()
    assert "0" * 64 not in page.content.decode()
    assert staff.get(reverse("admin:listings_provideraccountlink_add")).status_code == 403


def _change_form_data(response) -> dict:
    """The POST body of an admin change page as rendered: the form and every inline's forms."""
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += formset.forms
        for bound in formset.management_form:
            data[bound.html_name] = bound.value()
    for form in forms:
        for bound in form:
            value = bound.value()
            if value is None:
                continue
            # "true"/"false": what both a checkbox and a yes/no/unknown select read back
            data[bound.html_name] = (
                {True: "true", False: "false"}.get(value, value) if isinstance(value, bool) else value
            )
    return data


@pytest.mark.usefixtures("feed_catalogues")
def test_a_staff_edit_is_marked_and_the_next_import_names_what_it_overwrote(staff):
    from listings.feed.sync import listing_import
    from listings.models import Listing
    from listings.tests.feed_example import spec_example

    host = UserFactory()
    listing_id = listing_import(host=host, document=spec_example()).listing_id
    url = reverse("admin:listings_listing_change", args=[listing_id])
    page = staff.get(url)
    assert b"Sync" in page.content and Listing.objects.get(pk=listing_id).content_hash.encode() in page.content
    data = _change_form_data(page)
    data["name"] = "Staff's name"

    response = staff.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    listing = Listing.objects.get(pk=listing_id)
    assert (listing.name, listing.sync_source) == ("Staff's name", "staff")

    result = listing_import(host=host, document=spec_example())

    assert (result.action, result.overwritten) == ("updated", ["name"])
    listing.refresh_from_db()
    assert (listing.name, listing.sync_source, listing.overwritten_fields) == ("300 Mountain Road", "feed", ["name"])
    assert b"name" in staff.get(url).content


@pytest.mark.parametrize("model", ["amenity", "communitytype", "communityevent", "roomtype"])
def test_the_feed_catalogues_and_room_types_render(staff, model, feed_catalogues):
    RoomTypeFactory()

    assert staff.get(reverse(f"admin:listings_{model}_changelist")).status_code == 200
