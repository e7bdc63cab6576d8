"""The feed import service (``listings/feed/sync.py``): the spec's example, matching keys,
children removed or deactivated, unchanged re-imports, per-listing atomicity, staff edits."""

from __future__ import annotations

import copy
from datetime import date, time
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import UserFactory
from bookings.models import Booking
from bookings.tests.factories import make_booking
from listings.feed import sync
from listings.feed.export import listing_export
from listings.feed.sync import feed_import, listing_import
from listings.models import Listing, ListingFee, Photo, Room, RoomType, RoomTypeNight
from listings.tests.feed_example import spec_example

pytestmark = pytest.mark.usefixtures("feed_catalogues")


@pytest.fixture
def host(db):
    return UserFactory()


def imported(host, document=None, **kwargs) -> Listing:
    result = listing_import(host=host, document=document or spec_example(), **kwargs)
    assert result.errors == [], result.errors
    return Listing.objects.get(pk=result.listing_id)


def room_type_doc(rt_id: str, *room_ids: str) -> dict:
    room_type = copy.deepcopy(spec_example()["room_types"][0])
    room_type["id"] = rt_id
    room_type["rooms"] = [dict(room_type["rooms"][0], id=room_id, name=room_id) for room_id in room_ids]
    return room_type


def without_booking_rules(listing: Listing) -> None:
    """Let the bookings factory book any dates (the example asks 3 months' stay, 14 days' notice)."""
    Listing.objects.filter(pk=listing.pk).update(stay_min=None, notice_min_days=None, move_in_max_days=None)
    listing.refresh_from_db()


# --- the spec's example ------------------------------------------------------------------


def test_the_spec_example_creates_a_listing_with_every_field_stored(host):
    result = listing_import(host=host, document=spec_example())

    assert (result.action, result.original_id, result.errors, result.warnings) == ("created", "property-01", [], [])
    listing = Listing.objects.get(pk=result.listing_id)
    assert (listing.host, listing.name, listing.original_id) == (host, "300 Mountain Road", "property-01")
    assert (listing.country, listing.city, listing.lat, listing.lng) == (
        "US",
        "San Francisco",
        37.8081823,
        -122.4141216,
    )
    assert (listing.currency, listing.security_deposit, listing.deposit) == ("USD", Decimal("1000"), Decimal("1000"))
    assert listing.check_in_earliest == time(14, 30)
    assert listing.community_manager_onsite is True
    assert listing.sync_source == "feed" and len(listing.content_hash) == 64 and listing.last_imported_at
    assert list(listing.amenities.values_list("id", flat=True)) == [12]
    assert list(listing.community_events.values_list("id", flat=True)) == [1061]
    assert list(listing.community_types.values_list("id", flat=True)) == [8]
    fee = ListingFee.objects.get(listing=listing)
    assert (fee.name, fee.amount, fee.mandatory, fee.type, fee.frequency) == (
        "Cleaning fee",
        Decimal("120"),
        True,
        "fixed",
        "once",
    )
    room_type = RoomType.objects.get(listing=listing)
    assert (room_type.original_id, room_type.bed_type, room_type.available_at) == (
        "private-queen-01",
        "queen",
        date(2026, 3, 16),
    )
    assert (room_type.currency, room_type.base_price, room_type.price_jun, room_type.discount_360) == (
        "USD",
        Decimal("1200"),
        Decimal("1300"),
        Decimal("15"),
    )
    assert room_type.amount == 1  # one room listed
    assert list(room_type.amenities.values_list("id", flat=True)) == [34]
    room = Room.objects.get(room_type=room_type)
    assert (room.original_id, room.ical_url) == ("room-104", "https://host.example.com/ical/room-104.ics")
    assert sorted(Photo.objects.filter(listing=listing).values_list("kind", flat=True)) == [
        "community",
        "property",
        "room",
    ]
    assert list(listing.faq.values_list("question", "answer")) == [
        ("Is cleaning included?", "Yes, common areas are cleaned weekly.")
    ]


def test_the_export_is_the_spec_example_plus_platform_ids(host):
    listing = imported(host)

    exported = listing_export(listing)

    room_type = listing.room_types.get()
    expected = spec_example()
    expected["id"] = listing.pk
    expected["room_types"][0]["room_type_id"] = room_type.pk
    assert exported == expected


def test_export_then_import_is_a_no_op(host):
    listing = imported(host)
    before = Listing.objects.filter(pk=listing.pk).values().get()

    result = listing_import(host=host, document=listing_export(listing))

    assert (result.action, result.listing_id, result.errors) == ("unchanged", listing.pk, [])
    assert Listing.objects.filter(pk=listing.pk).values().get() == before


def test_reimporting_the_same_document_writes_nothing(host, django_assert_num_queries):
    imported(host)
    reordered = dict(reversed(list(spec_example().items())))  # same content, keys in another order

    # 1. the host's listings matching the document's keys (its source hash equals the last one's)
    with django_assert_num_queries(1):
        result = listing_import(host=host, document=reordered)

    assert result.action == "unchanged"


# --- matching -----------------------------------------------------------------------------


def test_it_updates_by_original_id(host):
    listing = imported(host)
    doc = spec_example()
    doc["name"] = "301 Mountain Road"
    doc["original_url"] = "https://host.example.com/listings/moved"

    result = listing_import(host=host, document=doc)

    assert (result.action, result.listing_id) == ("updated", listing.pk)
    listing.refresh_from_db()
    assert (listing.name, listing.original_url) == ("301 Mountain Road", "https://host.example.com/listings/moved")
    assert Listing.objects.count() == 1


def test_it_falls_back_to_original_url(host):
    doc = spec_example()
    del doc["original_id"]
    listing = imported(host, doc)
    doc = spec_example()  # the host starts sending its id: the listing is adopted, not duplicated
    doc["name"] = "Renamed"

    result = listing_import(host=host, document=doc)

    assert (result.action, result.listing_id) == ("updated", listing.pk)
    assert Listing.objects.get().original_id == "property-01"


def test_a_url_known_under_another_original_id_is_another_listing(host):
    listing = imported(host)
    doc = spec_example()
    doc["original_id"] = "property-02"

    result = listing_import(host=host, document=doc)

    assert result.action == "created" and result.listing_id != listing.pk


def test_it_falls_back_to_the_name_with_a_warning(host):
    doc = spec_example()
    del doc["original_id"], doc["original_url"]
    listing = imported(host, doc)
    doc["bookings"]["stay_min"] = 6

    result = listing_import(host=host, document=doc)

    assert (result.action, result.listing_id) == ("updated", listing.pk)
    assert [(warning.path, warning.message) for warning in result.warnings if warning.code == "matched_by_name"] == [
        (("name",), "Matched by name: send original_id (or original_url) so renaming cannot break the sync.")
    ]


def test_a_document_without_keys_never_takes_a_listing_that_has_one(host):
    doc = spec_example()
    del doc["original_url"]
    keyed = imported(host, doc)  # known by its original_id alone
    del doc["original_id"]  # the same name, no keys

    result = listing_import(host=host, document=doc)

    assert result.action == "created" and result.listing_id != keyed.pk
    assert "matched_by_name" not in {warning.code for warning in result.warnings}


def test_an_ambiguous_name_fails(host):
    doc = spec_example()
    del doc["original_id"], doc["original_url"]
    imported(host, doc)
    Listing.objects.create(host=host, name=doc["name"])

    result = listing_import(host=host, document=doc)

    assert result.action == "failed"
    assert [(error.path, error.code, error.message) for error in result.errors] == [
        (("name",), "ambiguous_match", "2 of your listings have this name; send original_id to tell them apart.")
    ]


def test_an_original_url_two_listings_share_fails(host):
    doc = spec_example()
    del doc["original_id"]
    Listing.objects.create(host=host, name="One", original_url=doc["original_url"])
    Listing.objects.create(host=host, name="Two", original_url=doc["original_url"])

    result = listing_import(host=host, document=doc)

    assert (result.action, result.listing_id) == ("failed", None)
    assert [(error.path, error.code, error.message) for error in result.errors] == [
        (("original_url",), "ambiguous_match", "2 of your listings have this original_url; send original_id.")
    ]


def test_an_ambiguous_match_is_reported_with_the_documents_own_errors(host):
    doc = spec_example()
    del doc["original_id"], doc["original_url"]
    imported(host, doc)
    Listing.objects.create(host=host, name=doc["name"])
    doc["parking"] = "N/A"

    result = listing_import(host=host, document=doc)

    assert {(error.path, error.code) for error in result.errors} == {
        (("name",), "ambiguous_match"),
        (("parking",), "enum"),  # not one of /json/import/parking's values
    }


def test_a_create_that_loses_a_race_updates_the_winner(host, monkeypatch):
    """Two first pushes of one listing at once: the unique (host, original_id) lets one insert
    win; the other applies its version to the winner's listing instead of failing."""
    doc = spec_example()
    winner = imported(host, copy.deepcopy(doc))
    real = sync._Candidates.match
    calls = []

    def stale(self, document):  # the first lookup ran before the winner committed
        calls.append(1)
        return (None, None, None) if len(calls) == 1 else real(self, document)

    monkeypatch.setattr(sync._Candidates, "match", stale)
    doc["bookings"]["stay_min"] = 6

    result = listing_import(host=host, document=doc)

    assert (result.action, result.listing_id, result.errors) == ("updated", winner.pk, [])
    assert Listing.objects.filter(host=host).count() == 1
    assert Listing.objects.get(pk=winner.pk).stay_min == 6


def test_a_second_host_can_never_update_the_first_hosts_listing(host):
    theirs = imported(host)
    before = Listing.objects.filter(pk=theirs.pk).values().get()
    intruder = UserFactory()
    doc = spec_example()  # the same original_id and original_url
    doc["name"] = "Hijacked"

    result = listing_import(host=intruder, document=doc)

    assert result.action == "created" and result.listing_id != theirs.pk
    assert Listing.objects.get(pk=result.listing_id).host == intruder
    assert Listing.objects.filter(pk=theirs.pk).values().get() == before


def test_the_same_listing_again_in_one_feed_fails_the_later_documents(host):
    report = feed_import(host=host, documents=[spec_example(), spec_example(), spec_example()])

    assert [(result.index, result.action) for result in report.results] == [
        (0, "created"),
        (1, "failed"),
        (2, "failed"),
    ]
    assert [(error.path, error.code, error.message) for error in report.results[2].errors] == [
        ((), "duplicate", "The same listing as listings.0 of this feed.")
    ]
    assert report.counts() == {"created": 1, "updated": 0, "unchanged": 0, "failed": 2}


def test_a_listing_the_feed_created_is_matched_by_its_url_later_in_that_feed(host):
    doc = spec_example()
    del doc["original_id"]

    report = feed_import(host=host, documents=[doc, copy.deepcopy(doc)])

    assert [result.action for result in report.results] == ["created", "failed"]
    assert [(error.code, error.message) for error in report.results[1].errors] == [
        ("duplicate", "The same listing as listings.0 of this feed.")
    ]
    assert Listing.objects.filter(host=host).count() == 1


def test_a_document_that_is_not_an_object_fails_alone(host):
    report = feed_import(host=host, documents=[42, ["property-01"], "property-01", None, spec_example()])

    assert [(result.index, result.original_id, result.action) for result in report.results] == [
        (0, None, "failed"),
        (1, None, "failed"),
        (2, None, "failed"),
        (3, None, "failed"),
        (4, "property-01", "created"),
    ]
    for result in report.results[:4]:
        assert [(error.path, error.message, error.code) for error in result.errors] == [
            ((), "Each listing must be an object.", "type")
        ]


def test_a_sandbox_import_and_a_live_one_never_take_each_others_listing(host):
    live = imported(host)

    sandboxed = feed_import(host=host, documents=[spec_example()], sandbox=True).results[0]

    assert sandboxed.action == "created" and sandboxed.listing_id != live.pk
    assert Listing.objects.get(pk=sandboxed.listing_id).is_sandbox is True
    doc = spec_example()
    doc["name"] = "Renamed live"
    assert (listing_import(host=host, document=doc).listing_id, Listing.objects.get(pk=live.pk).name) == (
        live.pk,
        "Renamed live",
    )
    assert Listing.objects.get(pk=sandboxed.listing_id).name == "300 Mountain Road"


def test_every_document_gets_one_result_in_order_and_progress_hears_each(host):
    imported(host)
    second = spec_example()
    second.update(original_id="property-02", original_url="https://host.example.com/listings/property-02")
    exported = listing_export(imported(host, second))
    Listing.objects.create(host=host, name="Twin")
    Listing.objects.create(host=host, name="Twin")
    twin = spec_example()
    del twin["original_id"], twin["original_url"]
    twin["name"] = "Twin"
    invalid = spec_example()
    invalid.update(original_id="property-03", original_url="https://host.example.com/listings/property-03", name="TBD")
    new = spec_example()
    new.update(original_id="property-04", original_url="https://host.example.com/listings/property-04")
    heard = []

    documents = [42, twin, spec_example(), spec_example(), exported, invalid, new]
    report = feed_import(host=host, documents=documents, progress=heard.append)

    assert heard == report.results
    assert [(result.action, [error.code for error in result.errors]) for result in report.results] == [
        ("failed", ["type"]),
        ("failed", ["ambiguous_match"]),
        ("unchanged", []),  # byte for byte the last import
        ("failed", ["duplicate"]),
        ("unchanged", []),  # the same canonical form
        ("failed", ["placeholder"]),
        ("created", []),
    ]
    assert report.results[3].errors[0].message == "The same listing as listings.2 of this feed."


def test_a_document_that_cannot_be_hashed_as_sent_is_validated_again_on_every_import(host):
    document = spec_example()
    document["x_note"] = 2**70  # beyond 64 bits: not JSON data as sent, though the listing is valid
    imported(host, document)
    document["name"] = "300 Mountain Road, renamed"

    result = listing_import(host=host, document=document)

    assert result.action == "updated"
    assert Listing.objects.get(pk=result.listing_id).name == "300 Mountain Road, renamed"


# --- children --------------------------------------------------------------------------------


def test_room_types_and_rooms_left_out_are_deleted(host):
    doc = spec_example()
    doc["room_types"] = [room_type_doc("a", "a1", "a2"), room_type_doc("b", "b1")]
    listing = imported(host, doc)
    a = listing.room_types.get(original_id="a")
    doc["room_types"] = [room_type_doc("a", "a1")]

    assert listing_import(host=host, document=doc).action == "updated"

    assert list(RoomType.objects.filter(listing=listing).values_list("original_id", flat=True)) == ["a"]
    assert list(Room.objects.filter(room_type__listing=listing).values_list("original_id", flat=True)) == ["a1"]
    a.refresh_from_db()
    assert a.amount == 1


def test_a_room_type_with_bookings_is_deactivated_not_deleted(host, today):
    doc = spec_example()
    doc["room_types"] = [room_type_doc("a", "a1"), room_type_doc("b", "b1")]
    listing = imported(host, doc)
    without_booking_rules(listing)
    b = listing.room_types.get(original_id="b")
    booking = make_booking(room_type=b, checkin=date(2024, 5, 1), checkout=date(2024, 6, 1))
    updated_before = RoomType.objects.get(pk=b.pk).updated_at
    doc["room_types"] = [room_type_doc("a", "a1")]

    assert listing_import(host=host, document=doc).action == "updated"

    b.refresh_from_db()
    assert b.is_active is False
    assert b.updated_at > updated_before  # staff see when it changed
    assert Booking.objects.get(pk=booking.pk).room_type_id == b.pk
    assert [rt["id"] for rt in listing_export(listing)["room_types"]] == ["a"]
    assert not RoomType.objects.for_owner(host).filter(pk=b.pk).exists()  # no longer sold or pushed

    doc["room_types"].append(room_type_doc("b", "b1"))  # the host lists it again
    listing_import(host=host, document=doc)
    b.refresh_from_db()
    assert b.is_active is True


def test_rooms_of_a_room_type_with_current_bookings_are_deactivated(host, today):
    doc = spec_example()
    doc["room_types"] = [room_type_doc("a", "a1", "a2")]
    listing = imported(host, doc)
    without_booking_rules(listing)
    make_booking(room_type=listing.room_types.get(), checkin=date(2024, 5, 1), checkout=date(2024, 6, 1))
    doc["room_types"] = [room_type_doc("a", "a1")]

    listing_import(host=host, document=doc)

    assert dict(Room.objects.filter(room_type__listing=listing).values_list("original_id", "is_active")) == {
        "a1": True,
        "a2": False,
    }
    assert [room["id"] for room in listing_export(listing)["room_types"][0]["rooms"]] == ["a1"]


@pytest.mark.parametrize(
    "booking",
    [
        {},  # February 2024, before today (April 15th)
        {"checkin": date(2024, 5, 1), "checkout": date(2024, 6, 1), "status": Booking.Status.DECLINED},
    ],
    ids=["past", "declined"],
)
def test_rooms_of_a_room_type_with_only_past_or_declined_bookings_are_deleted(host, today, booking):
    doc = spec_example()
    doc["room_types"] = [room_type_doc("a", "a1", "a2")]
    listing = imported(host, doc)
    without_booking_rules(listing)
    make_booking(room_type=listing.room_types.get(), **booking)
    doc["room_types"] = [room_type_doc("a", "a1")]

    listing_import(host=host, document=doc)

    assert list(Room.objects.filter(room_type__listing=listing).values_list("original_id", flat=True)) == ["a1"]


def test_a_new_room_count_moves_the_stored_nights(host, today):
    doc = spec_example()
    doc["room_types"] = [room_type_doc("a", "a1", "a2", "a3")]
    listing = imported(host, doc)
    room_type = listing.room_types.get()
    night = RoomTypeNight.objects.create(room_type=room_type, date=today, available=2)  # one unit taken
    doc["room_types"] = [room_type_doc("a", "a1", "a2")]

    listing_import(host=host, document=doc)

    room_type.refresh_from_db()
    night.refresh_from_db()
    assert (room_type.amount, night.available) == (2, 1)


def test_a_room_may_move_to_another_room_type(host):
    doc = spec_example()
    doc["room_types"] = [room_type_doc("a", "r1", "r2"), room_type_doc("b", "r3")]
    listing = imported(host, doc)
    r2 = Room.objects.get(room_type__listing=listing, original_id="r2")
    doc["room_types"] = [room_type_doc("a", "r1"), room_type_doc("b", "r2", "r3")]

    listing_import(host=host, document=doc)

    r2_after = Room.objects.get(room_type__listing=listing, original_id="r2")
    assert r2_after.pk == r2.pk and r2_after.room_type.original_id == "b"


def test_an_update_replaces_the_children_and_rewrites_room_type_and_room_columns(host):
    listing = imported(host)
    doc = spec_example()
    doc["prices"]["extra_fees"][0]["sum"] = 150
    doc["faq"][0]["answer"] = "Weekly, and the kitchen daily."
    doc["media"]["photos"]["property"][0]["description"] = "Lounge"
    doc["room_types"][0]["prices"]["base_price"] = 1250
    doc["room_types"][0]["rooms"][0]["name"] = "Room 105"

    assert listing_import(host=host, document=doc).action == "updated"

    assert list(listing.fees.values_list("amount", flat=True)) == [Decimal("150")]
    assert list(listing.faq.values_list("answer", flat=True)) == ["Weekly, and the kitchen daily."]
    assert sorted(listing.photos.values_list("kind", "description")) == [
        ("community", "Community dinner"),
        ("property", "Lounge"),
        ("room", "Desk and window"),
    ]
    room_type = listing.room_types.get()
    assert (room_type.base_price, room_type.rooms.get().name) == (Decimal("1250"), "Room 105")


def test_children_keep_the_feeds_order_in_their_positions(host):
    doc = spec_example()
    doc["prices"]["extra_fees"].append(dict(doc["prices"]["extra_fees"][0], name="Linen fee"))
    doc["faq"].append({"question": "Pets?", "answer": "No."})
    doc["media"]["photos"]["property"].append(
        {"url": "https://assets.host.example.com/roof.jpg", "description": "Roof"}
    )
    doc["room_types"][0]["photos"].append(
        {"url": "https://assets.host.example.com/closet.jpg", "description": "Closet"}
    )

    listing = imported(host, doc)

    assert list(listing.fees.values_list("name", "position")) == [("Cleaning fee", 0), ("Linen fee", 1)]
    assert list(listing.faq.values_list("question", "position")) == [("Is cleaning included?", 0), ("Pets?", 1)]
    assert list(listing.photos.filter(kind="property").values_list("description", "position")) == [
        ("Coworking lounge", 0),
        ("Roof", 1),
    ]
    assert list(listing.photos.filter(kind="room").values_list("description", "position")) == [
        ("Desk and window", 0),
        ("Closet", 1),
    ]


def test_a_room_type_that_lists_no_rooms_is_one_unit_and_keeps_its_amount(host):
    doc = spec_example()
    del doc["room_types"][0]["rooms"]
    listing = imported(host, doc)
    room_type = listing.room_types.get()
    assert room_type.amount == 1
    doc["name"] = "Renamed"

    assert listing_import(host=host, document=doc).action == "updated"

    room_type.refresh_from_db()
    assert room_type.amount == 1


def test_a_deposit_in_months_of_rent_is_not_priced_as_an_amount(host):
    doc = spec_example()
    doc["prices"].update(security_deposit_type="months_rent", security_deposit=2)

    listing = imported(host, doc)

    assert (listing.security_deposit, listing.deposit) == (Decimal("2"), None)


# --- atomicity and bad listings ---------------------------------------------------------------


def test_a_listing_with_errors_is_not_touched_and_the_others_apply(host):
    listing = imported(host)
    bad = spec_example()
    bad["name"] = "TBD"
    good = spec_example()
    good.update(original_id="property-02", original_url="https://host.example.com/listings/property-02")

    report = feed_import(host=host, documents=[bad, good])

    assert [result.action for result in report.results] == ["failed", "created"]
    assert [(error.path, error.code) for error in report.results[0].errors] == [(("name",), "placeholder")]
    assert Listing.objects.get(pk=listing.pk).name == "300 Mountain Road"
    assert report.counts() == {"created": 1, "updated": 0, "unchanged": 0, "failed": 1}


def test_a_failure_half_way_through_a_listing_leaves_its_previous_version_live(host, monkeypatch):
    listing = imported(host)
    before = listing_export(listing)
    original = Room.objects.bulk_create

    def broken(rooms, *args, **kwargs):
        if any(room.original_id == "room-broken" for room in rooms):
            raise DatabaseError("injected")
        return original(rooms, *args, **kwargs)

    monkeypatch.setattr(Room.objects, "bulk_create", broken)
    doc = spec_example()
    doc["name"] = "Half-written"
    doc["room_types"] = [room_type_doc("new-type", "room-broken")]
    other = spec_example()
    other.update(original_id="property-02", original_url="https://host.example.com/listings/property-02")

    heard = []
    report = feed_import(host=host, documents=[doc, other], progress=heard.append)

    assert heard == report.results
    assert [result.action for result in report.results] == ["failed", "created"]
    assert [(error.path, error.code, error.message) for error in report.results[0].errors] == [
        ((), "write_failed", "The listing could not be saved; its previous version stays live.")
    ]
    assert listing_export(Listing.objects.get(pk=listing.pk)) == before


def test_a_dry_run_writes_nothing_and_reports_what_would_change(host):
    listing = imported(host)
    changed = spec_example()
    changed["name"] = "Would be renamed"
    new = spec_example()
    new.update(original_id="property-02", original_url="https://host.example.com/listings/property-02")

    heard = []
    documents = [changed, new, spec_example() | {"bedrooms": -1}]
    report = feed_import(host=host, documents=documents, dry_run=True, progress=heard.append)

    assert report.dry_run is True and heard == report.results
    assert [result.action for result in report.results] == ["updated", "created", "failed"]
    assert Listing.objects.count() == 1
    assert Listing.objects.get(pk=listing.pk).name == "300 Mountain Road"


def test_the_next_import_reports_the_staff_edits_it_overwrote(host):
    listing = imported(host)
    Listing.objects.filter(pk=listing.pk).update(name="Staff's better name", city="Oakland", sync_source="staff")

    result = listing_import(host=host, document=spec_example())

    assert result.action == "updated"
    assert result.overwritten == ["name", "location.city"]
    assert {(warning.path, warning.code, warning.message) for warning in result.warnings} == {
        (("name",), "staff_edit", "Overwrote a staff edit."),
        (("location", "city"), "staff_edit", "Overwrote a staff edit."),
    }
    listing.refresh_from_db()
    assert (listing.name, listing.sync_source, listing.overwritten_fields) == (
        "300 Mountain Road",
        "feed",
        ["name", "location.city"],
    )


def test_it_takes_a_bounded_number_of_queries_per_listing(host):
    def feed(count: int, prefix: str) -> list[dict]:
        docs = []
        for n in range(count):
            doc = spec_example()
            doc.update(original_id=f"{prefix}-{n}", original_url=f"https://host.example.com/{prefix}/{n}")
            doc["room_types"] = [room_type_doc(f"t{t}", f"t{t}-r1", f"t{t}-r2", f"t{t}-r3") for t in range(5)]
            docs.append(doc)
        return docs

    counts = {}
    for count in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            report = feed_import(host=host, documents=feed(count, f"size{count}"))
        assert {result.action for result in report.results} == {"created"}
        counts[count] = len(queries)

    per_listing = (counts[6] - counts[2]) / 4
    # A savepoint and its release, the listing, its three catalogue links, fees, FAQ, room
    # types, rooms, room amenities, photos: nothing is looked up for a listing just created.
    assert per_listing == int(per_listing) and per_listing <= 12, counts
    assert sync.LOOKUP_CHUNK >= 100


@pytest.mark.parametrize(
    ("before", "after", "paths"),
    [
        ({"a": 1, "b": {"c": 2, "d": 3}}, {"a": 1, "b": {"c": 2, "d": 4}}, ["b.d"]),
        ({"a": 1}, {"a": 1, "b": 2}, ["b"]),
        ({"a": {"c": 2}}, {"a": None}, ["a"]),
        ({"a": None}, {"a": {"c": 2}}, ["a"]),
        ({"a": [{"c": 1}, {"c": 2}]}, {"a": [{"c": 1}, {"c": 3}]}, ["a.1.c"]),
        ({"a": [1, 2]}, {"a": [1]}, ["a"]),  # a list of another length is one path
        ({"a": [1, 2]}, {"a": None}, ["a"]),
        ({"a": [1, {"c": 2}]}, {"a": [1, {"c": 2}]}, []),
    ],
)
def test_changed_paths_name_where_two_documents_differ(before, after, paths):
    assert sync.changed_paths(before, after) == paths


def test_a_dry_run_names_the_staff_edits_it_would_overwrite_and_keeps_them(host):
    listing = imported(host)
    Listing.objects.filter(pk=listing.pk).update(name="Staff's better name", sync_source="staff")

    (result,) = feed_import(host=host, documents=[spec_example()], dry_run=True).results

    assert (result.action, result.overwritten) == ("updated", ["name"])
    listing.refresh_from_db()
    assert (listing.name, listing.sync_source, listing.overwritten_fields) == ("Staff's better name", "staff", [])
