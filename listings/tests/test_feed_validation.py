"""Validation of a JSON feed listing (``listings/feed/validation.py``): each rule, every
problem reported at once under the feed's dotted paths."""

from __future__ import annotations

import pytest

from listings.feed import registry
from listings.feed.validation import listing_validate
from listings.tests.feed_example import spec_example

pytestmark = pytest.mark.usefixtures("feed_catalogues")


def check(document, catalogues):
    return listing_validate(document, catalogues=catalogues)


def paths(errors) -> dict[str, str]:
    return {".".join(map(str, error.path)): error.code for error in errors}


def test_the_spec_example_is_valid_and_already_canonical(feed_catalogues):
    checked = check(spec_example(), feed_catalogues)

    assert checked.errors == []
    assert checked.warnings == []
    assert checked.document == spec_example()


def test_it_fills_documented_defaults(feed_catalogues):
    doc = spec_example()
    del doc["property_size_unit"], doc["room_types"][0]["prices"]["discount_90"]
    del doc["prices"]["extra_fees"][0]["frequency"], doc["room_types"][0]["max_occupancy"]

    document = check(doc, feed_catalogues).document

    assert document["property_size_unit"] == "m2"
    assert document["room_types"][0]["prices"]["discount_90"] == 0
    assert document["prices"]["extra_fees"][0]["frequency"] == "once"
    assert document["room_types"][0]["max_occupancy"] == 1


def _set(doc: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    target = doc
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    if value is DELETE:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value


DELETE = object()

RULES = [
    # required fields, including Conditional ones inside a sent object
    ("name", DELETE, "name", "required"),
    ("location.city", DELETE, "location.city", "required"),
    ("prices.currency", None, "prices.currency", "required"),
    ("room_types.0.prices.base_price", DELETE, "room_types.0.prices.base_price", "required"),
    ("room_types.0.rooms.0.id", DELETE, "room_types.0.rooms.0.id", "required"),
    ("media.video_tour.url", DELETE, "media.video_tour.url", "required"),
    ("room_types", [], "room_types", "min_items"),
    # types
    ("bedrooms", "ten", "bedrooms", "type"),
    ("bedrooms", 2.5, "bedrooms", "type"),
    ("bedrooms", True, "bedrooms", "type"),
    ("name", 12, "name", "type"),
    ("descriptions", "text", "descriptions", "type"),
    ("room_types", {"id": "x"}, "room_types", "type"),
    ("prices.extra_fees.0.mandatory", 2, "prices.extra_fees.0.mandatory", "type"),
    # enums exactly as the helpers list them
    ("parking", "street", "parking", "enum"),
    ("room_types.0.bed_type", "Queen", "room_types.0.bed_type", "enum"),
    ("prices.currency", "USD", "prices.currency", "enum"),
    ("bookings.cancellation_policy", "lenient", "bookings.cancellation_policy", "enum"),
    # catalogue ids
    ("amenities", [{"id": 12}, {"id": 9999}], "amenities", "unknown_id"),
    ("amenities", [{"id": 34}], "amenities", "amenity_scope"),
    ("community.events", [{"id": 1}], "community.events", "unknown_id"),
    ("community.types", [{"id": "8"}], "community.types.0.id", "type"),
    # placeholders
    ("location.zip", "N/A", "location.zip", "placeholder"),
    ("location.neighborhood", "n/a", "location.neighborhood", "placeholder"),
    ("location.state", "-", "location.state", "placeholder"),
    ("descriptions.community", "TBD", "descriptions.community", "placeholder"),
    ("location.address", "", "location.address", "placeholder"),
    ("room_types.0.rooms.0.description", "   ", "room_types.0.rooms.0.description", "placeholder"),
    ("location.lat", 0, "location.lat", "placeholder"),  # with lng 0 below
    ("location.lat", 91, "location.lat", "out_of_range"),
    ("location.lng", -181, "location.lng", "out_of_range"),
    ("location.country", "Atlantis", "location.country", "country"),
    # URLs
    ("original_url", "/listings/1", "original_url", "url"),
    ("original_url", "ftp://host.example.com/x", "original_url", "url"),
    ("media.3d_tour", "http://localhost/tour", "media.3d_tour", "url_private"),
    ("room_types.0.photos.0.url", "http://10.0.0.5/a.jpg", "room_types.0.photos.0.url", "url_private"),
    ("media.3d_tour", "http://127.1/", "media.3d_tour", "url_private"),  # legacy IPv4 spellings
    ("media.3d_tour", "http://0x7f.0.0.1/", "media.3d_tour", "url_private"),
    ("media.3d_tour", "http://0177.0.0.1/", "media.3d_tour", "url_private"),
    ("media.3d_tour", "http://192.168.1/", "media.3d_tour", "url_private"),
    ("media.3d_tour", "http://224.0.0.1/", "media.3d_tour", "url_private"),  # multicast
    ("room_types.0.rooms.0.availability.ical", "https://169.254.169.254/x", None, "url_private"),
    ("community.community_manager.photo", "https://user:pw@host.example.com/a.jpg", None, "url_private"),
    ("bookings.application_url", "https://intranet/apply", "bookings.application_url", "url_private"),
    # dates and times
    ("room_types.0.available_at", "16/03/2026", "room_types.0.available_at", "date"),
    ("room_types.0.available_at", "2026-02-30", "room_types.0.available_at", "date"),
    ("instructions.check_in_earliest", "2pm", "instructions.check_in_earliest", "time"),
    ("instructions.check_out_latest", "24:00", "instructions.check_out_latest", "time"),
    # numbers: sizes and prices non-negative, discounts 0–100
    ("property_size", -1, "property_size", "min_value"),
    ("room_types.0.room_size", -5, "room_types.0.room_size", "min_value"),
    ("room_types.0.prices.price_jan", -1, "room_types.0.prices.price_jan", "min_value"),
    ("prices.security_deposit", -100, "prices.security_deposit", "min_value"),
    ("room_types.0.prices.base_price", 12.345, "room_types.0.prices.base_price", "decimal_places"),
    ("room_types.0.prices.discount_90", 101, "room_types.0.prices.discount_90", "max_value"),
    ("room_types.0.prices.discount_180", -1, "room_types.0.prices.discount_180", "min_value"),
    ("community.gender_ratio", 150, "community.gender_ratio", "max_value"),
    ("room_types.0.max_occupancy", 0, "room_types.0.max_occupancy", "min_value"),
    # phone
    ("instructions.check_in_telephone_country", "1", "instructions.check_in_telephone_country", "phone"),
    ("instructions.check_in_telephone_number", "555-123", "instructions.check_in_telephone_number", "phone"),
]


@pytest.mark.parametrize("path, value, error_path, code", RULES, ids=[f"{r[0]}={r[1]!r}" for r in RULES])
def test_it_refuses(feed_catalogues, path, value, error_path, code):
    doc = spec_example()
    _set(doc, path, value)
    if path == "location.lat" and value == 0:
        doc["location"]["lng"] = 0

    checked = check(doc, feed_catalogues)

    assert checked.document is None
    assert paths(checked.errors) == {error_path or path: code}


def test_it_reports_every_problem_at_once_with_dotted_paths(feed_catalogues):
    doc = spec_example()
    doc["name"] = "N/A"
    doc["room_types"][0]["prices"]["price_jan"] = "1200"
    doc["room_types"][0]["bed_type"] = "water"
    doc["community"]["age_avg"] = 50
    doc["room_types"].append(spec_example()["room_types"][0])

    checked = check(doc, feed_catalogues)

    assert paths(checked.errors) == {
        "name": "placeholder",
        "room_types.0.prices.price_jan": "type",
        "room_types.0.bed_type": "enum",
        "community.age_max": "age_order",
        "room_types.1.id": "duplicate",
        "room_types.1.rooms.0.id": "duplicate",
    }


def test_ages_must_be_ordered(feed_catalogues):
    doc = spec_example()
    doc["community"].update(age_min=40, age_avg=31, age_max=45)

    assert paths(check(doc, feed_catalogues).errors) == {"community.age_avg": "age_order"}


def test_room_ids_are_unique_across_the_listings_room_types(feed_catalogues):
    doc = spec_example()
    other = spec_example()["room_types"][0]
    other["id"] = "private-queen-02"
    doc["room_types"].append(other)  # its room keeps the id room-104

    assert paths(check(doc, feed_catalogues).errors) == {"room_types.1.rooms.0.id": "duplicate"}


def test_lat_and_lng_go_together(feed_catalogues):
    doc = spec_example()
    del doc["location"]["lng"]

    assert paths(check(doc, feed_catalogues).errors) == {"location.lng": "required"}


def test_missing_recommended_fields_and_unknown_fields_are_warnings(feed_catalogues):
    doc = spec_example()
    del doc["original_id"], doc["room_types"][0]["bed_type"], doc["bookings"]["stay_min"]
    doc["colour"] = "blue"

    checked = check(doc, feed_catalogues)

    assert checked.errors == []
    assert paths(checked.warnings) == {
        "original_id": "recommended",
        "room_types.0.bed_type": "recommended",
        "bookings.stay_min": "recommended",
        "colour": "unknown_field",
    }
    assert "colour" not in checked.document


def test_null_means_omitted_for_optional_fields(feed_catalogues):
    doc = spec_example()
    doc["parking"] = None
    doc["rating"] = None

    checked = check(doc, feed_catalogues)

    assert checked.errors == []
    assert "parking" not in checked.document and "rating" not in checked.document


def test_catalogue_ids_are_sorted_and_deduplicated(feed_catalogues):
    doc = spec_example()
    doc["amenities"] = [{"id": 12}, {"id": 1}, {"id": 12}]

    assert check(doc, feed_catalogues).document["amenities"] == [{"id": 1}, {"id": 12}]


def test_a_listing_that_is_not_an_object_is_refused(feed_catalogues):
    assert paths(check(["x"], feed_catalogues).errors) == {"": "type"}


def test_every_enum_field_names_a_helper_and_every_list_a_table():
    for field in registry.FIELDS:
        assert field.type in registry.TYPES, field.path
        if field.type in ("enum", "refs"):
            assert field.enum, field.path
        if field.type == "list":
            assert field.scope is not None, field.path
        if field.is_scalar and not field.read_only:
            assert field.column, field.path
        if field.default is not None:
            assert field.status is not registry.Status.REQUIRED, field.path  # the field guide's rule
