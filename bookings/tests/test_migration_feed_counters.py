"""The migration that replaced the platform-wide change counter with one per feed tenant:
the bookings it finds keep their numbers, and every host and grantee starts where the old
counter stood, so that a cursor handed out before is below every later change."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("bookings", "0002_resource_bookings_webhooks")
AFTER = ("bookings", "0003_feed_counters_per_tenant")


def migrate(target):
    """Migrate bookings to ``target`` (unapplying what depends on later bookings migrations);
    the models as the applied migrations leave them."""
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    executor.loader.build_graph()
    applied = [node for node in executor.loader.applied_migrations if node in executor.loader.graph.nodes]
    return executor.loader.project_state(applied).apps


def migrate_to_latest():
    """Every app at its latest migration again, as the rest of the suite expects."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_counters_start_where_the_platform_counter_stood_and_bookings_keep_their_numbers():
    old = migrate(BEFORE)
    try:
        User = old.get_model("accounts", "User")
        host = User.objects.create(email="migration-host@example.com")
        grantee = User.objects.create(email="migration-grantee@example.com")
        guest = User.objects.create(email="migration-guest@example.com", created_by=host)
        listing = old.get_model("listings", "Listing").objects.create(host=host, name="Before")
        old.get_model("listings", "ListingGrant").objects.create(listing=listing, grantee=grantee)
        room_type = old.get_model("listings", "RoomType").objects.create(listing=listing, name="Room")
        at = datetime(2026, 11, 1, 12, 0, 0, tzinfo=UTC)
        booking = old.get_model("bookings", "Booking").objects.create(
            guest=guest,
            listing=listing,
            room_type=room_type,
            checkin=date(2027, 1, 1),
            checkout=date(2027, 1, 3),
            currency="EUR",
            total=100,
            change_seq=41,
            changed_at=at,
        )
        # A rolled-back change had taken 42: the counter stands above every booking's number.
        old.get_model("bookings", "BookingChangeCounter").objects.update_or_create(id=1, defaults={"seq": 42, "at": at})
    except BaseException:
        migrate_to_latest()
        raise
    new = migrate(AFTER)

    counters = new.get_model("bookings", "BookingFeedCounter").objects.order_by("user_id")
    assert [(c.user_id, c.seq, c.at) for c in counters] == [(host.pk, 42, at), (grantee.pk, 42, at)]
    kept = new.get_model("bookings", "Booking").objects.get(pk=booking.pk)
    assert (kept.change_seq, kept.changed_at) == (41, at)

    old = migrate(BEFORE)  # and back: the platform-wide row again, where the counters stood
    try:
        row = old.get_model("bookings", "BookingChangeCounter").objects.get()
        assert (row.id, row.seq, row.at) == (1, 42, at)
    finally:
        migrate_to_latest()
