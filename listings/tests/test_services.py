"""The listings services, called directly: pushes, their storage paths, provider keys."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from coliving.api.errors import Conflict, FieldError, Forbidden, InvalidInput, Unprocessable
from conftest import as_another_database, requires_postgres
from listings import bench, inventory, limits, services
from listings.models import MONTH_PRICE_FIELDS, Listing, ProviderAccountLink, RoomType, RoomTypeNight
from listings.querysets import money, with_room_types
from listings.tests.conftest import TODAY
from listings.tests.factories import ListingFactory, RoomTypeFactory, RoomTypeNightFactory

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def nights_of(room_type) -> dict:
    return dict(RoomTypeNight.objects.filter(room_type=room_type).values_list("date", "available"))


# --- availability_update ----------------------------------------------------------------------


def test_availability_update_returns_the_number_of_distinct_nights_written(today):
    room_type = RoomTypeFactory(amount=5)
    owner = room_type.listing.host
    items = [
        services.AvailabilityItem(room_type.listing_id, room_type.pk, 2, TODAY, TODAY + 2 * DAY),
        services.AvailabilityItem(room_type.listing_id, room_type.pk, 1, TODAY + DAY, TODAY + 3 * DAY),
    ]

    pushed = services.availability_update(owner=owner, items=items)

    assert (pushed.nights, pushed.skipped_past_nights) == (4, 0)
    assert nights_of(room_type) == {TODAY: 2, TODAY + DAY: 1, TODAY + 2 * DAY: 1, TODAY + 3 * DAY: 1}


def test_availability_update_skips_and_counts_the_nights_before_today(today):
    room_type = RoomTypeFactory(amount=5)
    items = [
        services.AvailabilityItem(room_type.listing_id, room_type.pk, 2, TODAY - 2 * DAY, TODAY + DAY),
        services.AvailabilityItem(room_type.listing_id, room_type.pk, 3, TODAY - DAY, TODAY),
    ]

    pushed = services.availability_update(owner=room_type.listing.host, items=items)

    assert (pushed.nights, pushed.skipped_past_nights) == (2, 3)
    assert nights_of(room_type) == {TODAY: 3, TODAY + DAY: 2}


def test_availability_update_refuses_a_range_entirely_in_the_past(today):
    room_type = RoomTypeFactory(amount=5)
    item = services.AvailabilityItem(room_type.listing_id, room_type.pk, 2, TODAY - 2 * DAY, TODAY - DAY)

    with pytest.raises(InvalidInput) as excinfo:
        services.availability_update(owner=room_type.listing.host, items=[item])

    assert [(e.path, e.code) for e in excinfo.value.errors] == [(("items", 0, "end_date"), "past_range")]
    assert nights_of(room_type) == {}


def test_availability_update_refuses_another_owner_before_looking_at_room_types(today):
    room_type = RoomTypeFactory()
    item = services.AvailabilityItem(room_type.listing_id, 999_999, 1, TODAY, TODAY)

    with pytest.raises(Forbidden) as raised:
        services.availability_update(owner=UserFactory(), items=[item])

    assert raised.value.details == {"unauthorized_listing_ids": [room_type.listing_id]}


def test_availability_update_lists_each_bad_pair_once(today):
    room_type = RoomTypeFactory()
    item = services.AvailabilityItem(room_type.listing_id, 999_999, 1, TODAY, TODAY)

    with pytest.raises(Unprocessable) as raised:
        services.availability_update(owner=room_type.listing.host, items=[item, item])

    assert raised.value.details == {
        "invalid_room_types": [{"listing_id": room_type.listing_id, "room_type_id": 999_999}]
    }


def test_availability_update_checks_the_amount_per_item(today):
    room_type = RoomTypeFactory(amount=1)
    item = services.AvailabilityItem(room_type.listing_id, room_type.pk, 2, TODAY, TODAY)

    with pytest.raises(InvalidInput) as raised:
        services.availability_update(owner=room_type.listing.host, items=[item, item])

    assert raised.value.errors == tuple(
        FieldError(
            ("items", index, "available"),
            "Ensure this value is less than or equal to the room type's amount (1).",
            "max_value",
        )
        for index in (0, 1)
    )
    assert nights_of(room_type) == {}


def test_availability_update_refuses_a_push_of_too_many_nights(today, monkeypatch):
    monkeypatch.setattr(limits, "MAX_NIGHTS", 2)
    room_type = RoomTypeFactory(amount=5)
    item = services.AvailabilityItem(room_type.listing_id, room_type.pk, 1, TODAY, TODAY + 2 * DAY)

    with pytest.raises(InvalidInput) as raised:
        services.availability_update(owner=room_type.listing.host, items=[item])

    assert [(error.path, error.code) for error in raised.value.errors] == [(("items",), "max_nights")]
    assert nights_of(room_type) == {}


def _nights_upsert_elsewhere(**rows):
    """``nights_upsert`` as it runs on any database but PostgreSQL: the portable upsert, through the dispatch."""
    with as_another_database():
        inventory.nights_upsert(**rows)


@pytest.mark.parametrize("upsert", [inventory.nights_upsert, inventory.nights_upsert_orm, _nights_upsert_elsewhere])
def test_both_night_upserts_insert_new_nights_and_overwrite_existing_ones(upsert):
    room_type = RoomTypeFactory()
    other = RoomTypeFactory()
    RoomTypeNightFactory(room_type=room_type, date=TODAY, available=4)
    RoomTypeNightFactory(room_type=room_type, date=TODAY + DAY, available=2)
    RoomTypeNightFactory(room_type=other, date=TODAY, available=4)

    upsert(
        room_type_ids=[room_type.pk, room_type.pk, room_type.pk],
        dates=[TODAY, TODAY + DAY, TODAY + 2 * DAY],
        available=[0, 2, 3],
    )

    assert nights_of(room_type) == {TODAY: 0, TODAY + DAY: 2, TODAY + 2 * DAY: 3}
    assert nights_of(other) == {TODAY: 4}


def test_the_portable_night_upsert_refuses_columns_of_different_lengths():
    room_type = RoomTypeFactory()

    with pytest.raises(ValueError):  # rather than drop the rows past the shortest column
        inventory.nights_upsert_orm(room_type_ids=[room_type.pk, room_type.pk], dates=[TODAY], available=[1, 2])

    assert nights_of(room_type) == {}


@requires_postgres
def test_nights_upsert_leaves_a_night_whose_value_does_not_change_alone():
    """A PMS re-sending the same calendar writes no new row version (no dead tuple)."""
    room_type = RoomTypeFactory(amount=5)
    RoomTypeNightFactory(room_type=room_type, date=TODAY, available=2)

    def row_version() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT ctid::text FROM listings_roomtypenight WHERE room_type_id = %s", [room_type.pk])
            return cursor.fetchone()[0]

    before = row_version()
    inventory.nights_upsert(room_type_ids=[room_type.pk], dates=[TODAY], available=[2])
    assert row_version() == before
    inventory.nights_upsert(room_type_ids=[room_type.pk], dates=[TODAY], available=[3])
    assert row_version() != before
    assert nights_of(room_type) == {TODAY: 3}


def test_nights_upsert_with_no_rows_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        inventory.nights_upsert(room_type_ids=[], dates=[], available=[])


# --- rates_update -------------------------------------------------------------------------------


def test_rates_update_writes_only_the_fields_sent_and_returns_the_room_types_changed():
    room_type = RoomTypeFactory(base_price=Decimal("750"), price_feb=Decimal("700"), currency="EUR")
    second = RoomTypeFactory(listing=room_type.listing, base_price=Decimal("500"))
    items = [
        services.RateItem(room_type.listing_id, room_type.pk, {"price_jan": Decimal("800")}),
        services.RateItem(room_type.listing_id, second.pk, {"base_price": Decimal("0")}, "USD"),
        services.RateItem(room_type.listing_id, room_type.pk, {"price_feb": None}),
    ]

    assert services.rates_update(owner=room_type.listing.host, items=items) == 2

    room_type.refresh_from_db()
    second.refresh_from_db()
    assert (room_type.base_price, room_type.price_jan, room_type.price_feb, room_type.currency) == (
        Decimal("750"),
        Decimal("800"),
        None,
        "EUR",
    )
    assert (second.base_price, second.currency) == (Decimal("0"), "USD")


def test_room_types_update_matches_bulk_update_on_every_price_field():
    bulk, direct = RoomTypeFactory(), RoomTypeFactory()
    fields = ["base_price", "currency", *MONTH_PRICE_FIELDS]
    for room_type in (bulk, direct):
        room_type.base_price, room_type.currency = Decimal("1234.56"), "CHF"
        for n, name in enumerate(MONTH_PRICE_FIELDS):
            setattr(room_type, name, None if n % 3 == 0 else Decimal(f"{n}.5"))

    RoomType.objects.bulk_update([bulk], fields)
    services.room_types_update([direct], fields)

    stored = RoomType.objects.filter(pk__in=[bulk.pk, direct.pk]).order_by("pk").values_list(*fields)
    assert stored[0] == stored[1]


# --- provider_key_set ---------------------------------------------------------------------------


def test_provider_key_set_reports_created_unchanged_updated(mangobeds):
    owner = UserFactory()

    assert services.provider_key_set(owner=owner, provider=mangobeds, raw_key="first-key-0001") == "created"
    assert services.provider_key_set(owner=owner, provider=mangobeds, raw_key="first-key-0001") == "unchanged"
    assert services.provider_key_set(owner=owner, provider=mangobeds, raw_key="second-key-0002") == "updated"
    assert ProviderAccountLink.objects.get().key_last4 == "0002"


def test_provider_key_set_refuses_a_key_linked_to_another_account(mangobeds):
    services.provider_key_set(owner=UserFactory(), provider=mangobeds, raw_key="shared-key-0001")

    with pytest.raises(Conflict):
        services.provider_key_set(owner=UserFactory(), provider=mangobeds, raw_key="shared-key-0001")


# --- reads ----------------------------------------------------------------------------------------


def test_with_room_types_on_an_empty_page_runs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert with_room_types([]) == []


@pytest.mark.parametrize(
    "value, expected",
    [(Decimal("750.00"), 750), (Decimal("799.99"), 799.99), (Decimal("0"), 0), (None, None)],
)
def test_money_renders_whole_amounts_as_integers(value, expected):
    assert money(value) == expected
    assert type(money(value)) is type(expected)


def test_listing_summaries_have_the_list_fields():
    listing = ListingFactory(name="Sunny Apartment", city="Berlin")

    row = type(listing).objects.filter(pk=listing.pk).summaries().get()

    assert row == {
        "id": listing.pk,
        "name": "Sunny Apartment",
        "status": "active",
        "original_id": "",
        "city": "Berlin",
        "country": "DE",
    }


# --- the benchmark helper runs (its figures are read by people, not asserted) ---------------------


def test_the_benchmark_helpers_run_and_leave_nothing_behind():
    nights = bench.availability(room_types=3, nights=2)
    prices = bench.rates(room_types=3)
    page = bench.listings_list(listings=3, rounds=2)

    assert nights["nights"] == 6 and nights["ratio_insert"] > 0
    assert prices["room_types"] == 3 and prices["ratio"] > 0
    assert page["listings"] == 3 and page["ratio_view_to_plain"] > 0
    assert not Listing.objects.exists() and not RoomTypeNight.objects.exists()
