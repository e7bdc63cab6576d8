"""``listings/inventory.py``: the take (both paths), the release, and the lock order between
writers of one room type's nights (PostgreSQL, with real concurrent transactions)."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from coliving.tests.locks import wait_for_lock_waiters
from conftest import as_another_database, requires_postgres
from listings import inventory, services
from listings.limits import AvailabilityItem
from listings.models import RoomType, RoomTypeNight
from listings.tests.factories import RoomTypeFactory, RoomTypeNightFactory

pytestmark = pytest.mark.django_db
CHECKIN, CHECKOUT = date(2030, 3, 1), date(2030, 3, 5)  # four nights; the take reads no calendar
NIGHTS = inventory.nights_of(CHECKIN, CHECKOUT)


def nights_of(room_type) -> dict[date, int]:
    return dict(RoomTypeNight.objects.filter(room_type=room_type).values_list("date", "available"))


def _orm(*, room_type_id, checkin, checkout):
    return inventory.nights_take_orm(room_type_id=room_type_id, nights=inventory.nights_of(checkin, checkout))


def _elsewhere(*, room_type_id, checkin, checkout):
    """``nights_take`` as it runs on any database but PostgreSQL: the dispatch hands the stay to the portable take."""
    with as_another_database():
        return inventory.nights_take(room_type_id=room_type_id, checkin=checkin, checkout=checkout)


# What runs on this database, and the portable path (which SQLite runs) on every database,
# called directly and through the dispatch.
TAKES = [
    pytest.param(inventory.nights_take, id="this database's take"),
    pytest.param(_orm, id="the ORM's take"),
    pytest.param(_elsewhere, id="the take elsewhere"),
]


def take(implementation, room_type, checkin=CHECKIN, checkout=CHECKOUT) -> list[date]:
    with transaction.atomic():
        return implementation(room_type_id=room_type.pk, checkin=checkin, checkout=checkout)


@pytest.mark.parametrize("implementation", TAKES)
def test_a_take_takes_a_unit_of_every_night_and_fills_the_missing_ones_from_amount(implementation):
    room_type = RoomTypeFactory(amount=3)
    RoomTypeNightFactory(room_type=room_type, date=CHECKIN + timedelta(days=1), available=1)  # pushed by a PMS

    assert take(implementation, room_type) == []

    assert nights_of(room_type) == {NIGHTS[0]: 2, NIGHTS[1]: 0, NIGHTS[2]: 2, NIGHTS[3]: 2}


@pytest.mark.parametrize("implementation", TAKES)
def test_a_take_touches_only_the_stays_nights_of_its_room_type(implementation):
    room_type, neighbour = RoomTypeFactory(amount=3), RoomTypeFactory(amount=3)
    after = CHECKOUT  # the check-out day is not a night of the stay
    for other in (neighbour, room_type):
        RoomTypeNightFactory(room_type=other, date=after, available=3)
    RoomTypeNightFactory(room_type=neighbour, date=NIGHTS[1], available=3)

    assert take(implementation, room_type) == []

    assert nights_of(room_type) == {**dict.fromkeys(NIGHTS, 2), after: 3}
    assert nights_of(neighbour) == {NIGHTS[1]: 3, after: 3}


@pytest.mark.parametrize("implementation", TAKES)
def test_a_take_with_a_full_night_takes_nothing_and_names_the_full_nights(implementation):
    room_type, neighbour = RoomTypeFactory(amount=3), RoomTypeFactory(amount=3)
    RoomTypeNightFactory(room_type=room_type, date=NIGHTS[0], available=2)
    RoomTypeNightFactory(room_type=room_type, date=NIGHTS[2], available=0)
    RoomTypeNightFactory(room_type=neighbour, date=NIGHTS[0], available=1)  # same night, another room type

    assert take(implementation, room_type) == [NIGHTS[2]]

    stored = nights_of(room_type)
    assert stored.pop(NIGHTS[0]) == 2 and stored.pop(NIGHTS[2]) == 0
    assert set(stored.values()) <= {3}  # rows made for nights that had none hold the amount
    assert nights_of(neighbour) == {NIGHTS[0]: 1}  # what was taken is given back to its own nights only


@pytest.mark.parametrize("implementation", TAKES)
def test_a_room_type_with_no_units_has_every_night_full(implementation):
    room_type = RoomTypeFactory(amount=0)

    assert take(implementation, room_type) == NIGHTS

    assert set(nights_of(room_type).values()) <= {0}


@pytest.mark.parametrize("implementation", TAKES)
def test_a_room_type_that_no_longer_exists_has_every_night_full(implementation):
    room_type = RoomTypeFactory(amount=3)
    RoomType.objects.filter(pk=room_type.pk).delete()

    assert take(implementation, room_type) == NIGHTS

    assert not RoomTypeNight.objects.exists()


@pytest.mark.parametrize("implementation", TAKES)
def test_the_last_unit_of_a_night_is_taken_once(implementation):
    room_type = RoomTypeFactory(amount=1)

    assert take(implementation, room_type) == []
    assert take(implementation, room_type, CHECKOUT - timedelta(days=1), CHECKOUT + timedelta(days=2)) == [NIGHTS[3]]
    assert take(implementation, room_type, CHECKOUT, CHECKOUT + timedelta(days=2)) == []  # check-out day is free

    assert set(nights_of(room_type).values()) == {0}


@requires_postgres
def test_on_postgresql_a_take_is_one_statement(django_assert_num_queries):
    room_type = RoomTypeFactory(amount=3)

    with transaction.atomic(), django_assert_num_queries(1):  # the portable take needs four
        full = inventory.nights_take(room_type_id=room_type.pk, checkin=CHECKIN, checkout=CHECKOUT)

    assert (full, nights_of(room_type)) == ([], dict.fromkeys(NIGHTS, 2))


@pytest.mark.django_db(transaction=True)
def test_a_take_outside_a_transaction_is_refused():
    room_type = RoomTypeFactory()

    with pytest.raises(RuntimeError, match=r"^nights_take\(\) must run inside the booking's transaction$"):
        inventory.nights_take(room_type_id=room_type.pk, checkin=CHECKIN, checkout=CHECKOUT)


def test_a_release_gives_a_unit_back_never_above_the_amount():
    room_type = RoomTypeFactory(amount=3)
    other = RoomTypeFactory(amount=3)
    for night, available in zip(NIGHTS, (0, 2, 3, 1), strict=True):
        RoomTypeNightFactory(room_type=room_type, date=night, available=available)
    RoomTypeNightFactory(room_type=room_type, date=CHECKOUT, available=0)  # the check-out day: not the stay's
    before = CHECKIN - timedelta(days=1)
    RoomTypeNightFactory(room_type=room_type, date=before, available=0)  # the night before: not the stay's
    RoomTypeNightFactory(room_type=other, date=CHECKIN, available=0)

    with transaction.atomic():
        changed = inventory.nights_release(room_type_id=room_type.pk, checkin=CHECKIN, checkout=CHECKOUT)

    assert changed == 4
    assert nights_of(room_type) == {before: 0, NIGHTS[0]: 1, NIGHTS[1]: 3, NIGHTS[2]: 3, NIGHTS[3]: 2, CHECKOUT: 0}
    assert nights_of(other) == {CHECKIN: 0}


# --- the lock order, with real concurrent transactions ----------------------------------------


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_release_does_not_block_rows_that_reference_the_room_type():
    """The release locks the room type FOR NO KEY UPDATE, not FOR UPDATE: a booking or a
    night inserted meanwhile checks its foreign key with FOR KEY SHARE and must not wait."""
    room_type = RoomTypeFactory(amount=3)
    RoomTypeNightFactory(room_type=room_type, date=CHECKIN, available=1)
    other = connection.get_new_connection(connection.get_connection_params())
    try:
        with transaction.atomic():
            inventory.nights_release(room_type_id=room_type.pk, checkin=CHECKIN, checkout=CHECKOUT)
            # What a foreign-key check does, from another connection, refusing to wait.
            other.execute("SELECT 1 FROM listings_roomtype WHERE id = %s FOR KEY SHARE NOWAIT", [room_type.pk])
            other.rollback()
    finally:
        other.close()
    assert nights_of(room_type) == {CHECKIN: 2}


def _in_thread(target, errors: list[BaseException]) -> threading.Thread:
    def run():
        try:
            target()
        except BaseException as exc:  # reported on the main thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_take_waits_for_an_amount_change_and_takes_from_the_new_amount():
    """The amount change holds the room type's row; a take of nights that have no row yet
    must not insert them from the old amount meanwhile. It waits at the room type (step 1
    of the lock order) and then inserts them from the new one."""
    room_type = RoomTypeFactory(amount=2)
    changed, release, took = threading.Event(), threading.Event(), threading.Event()
    result: list[list[date]] = []
    errors: list[BaseException] = []

    def change_amount():
        with transaction.atomic():
            inventory.room_type_amount_change(room_type=RoomType.objects.get(pk=room_type.pk), amount=5)
            changed.set()
            assert release.wait(timeout=30)

    def book():
        assert changed.wait(timeout=30)
        with transaction.atomic():
            result.append(inventory.nights_take(room_type_id=room_type.pk, checkin=CHECKIN, checkout=CHECKOUT))
        took.set()

    threads = [_in_thread(change_amount, errors), _in_thread(book, errors)]
    try:  # the change is released and both joined whatever happens here, so a failure is clean
        assert changed.wait(timeout=30)
        wait_for_lock_waiters(1, unless=took, why="the take went ahead while the amount was being changed")
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors

    assert result == [[]]
    assert set(nights_of(room_type).values()) == {4}


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_takes_releases_pushes_and_amount_changes_of_one_room_type_never_deadlock():
    """Every writer locks the room type first and then the nights in date order, so they
    queue; with any other order, these interleavings deadlock (PostgreSQL aborts one)."""
    room_type = RoomTypeFactory(amount=50)
    stays = [(CHECKIN + timedelta(days=offset), CHECKIN + timedelta(days=offset + 6)) for offset in range(0, 12, 2)]
    pushed = inventory.nights_of(CHECKIN, CHECKIN + timedelta(days=20))
    barrier = threading.Barrier(4 + len(stays))
    errors: list[BaseException] = []

    def booker(checkin, checkout):
        def run():
            barrier.wait(timeout=30)
            for _ in range(40):
                with transaction.atomic():
                    assert inventory.nights_take(room_type_id=room_type.pk, checkin=checkin, checkout=checkout) == []
                with transaction.atomic():
                    inventory.nights_release(room_type_id=room_type.pk, checkin=checkin, checkout=checkout)

        return run

    def pusher():
        barrier.wait(timeout=30)
        for value in range(30, 35):
            item = AvailabilityItem(room_type.listing_id, room_type.pk, value, pushed[0], pushed[-1])
            services.availability_update(owner=room_type.listing.host, items=[item])

    def amount_changer():
        barrier.wait(timeout=30)
        for amount in (45, 55, 50):
            inventory.room_type_amount_change(room_type=RoomType.objects.get(pk=room_type.pk), amount=amount)

    workers = [booker(*stay) for stay in stays] + [pusher, pusher, amount_changer, amount_changer]
    threads = [_in_thread(worker, errors) for worker in workers]
    for thread in threads:
        thread.join(timeout=120)

    assert not errors, errors
    assert all(0 <= available <= 50 for available in nights_of(room_type).values())
