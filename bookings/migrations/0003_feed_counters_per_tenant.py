"""One change counter per feed tenant instead of one for the whole platform (bookings/versions.py).

Every host and grantee gets a counter starting where the platform-wide one stood, so that
every change from now on numbers itself above any cursor handed out before; then the
platform-wide row goes. ``change_seq`` is no longer unique across tenants (only within one
tenant's feed), so its unique index becomes a plain one; the feed reads a tenant's changes
listing by listing through a new ``(listing_id, change_seq)`` index.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Max


def seed_counters(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    old = apps.get_model("bookings", "BookingChangeCounter").objects.filter(id=1).first()
    latest = Booking.objects.aggregate(seq=Max("change_seq"), at=Max("changed_at"))
    seq = max(old.seq if old else 0, latest["seq"] or 0)
    if seq == 0:
        return  # no booking was ever made: counters start on first use
    at = max(filter(None, [old.at if old else None, latest["at"]]))
    Listing = apps.get_model("listings", "Listing")
    ListingGrant = apps.get_model("listings", "ListingGrant")
    tenants = set(Listing.objects.values_list("host_id", flat=True)) | set(
        ListingGrant.objects.values_list("grantee_id", flat=True)
    )
    Counter = apps.get_model("bookings", "BookingFeedCounter")
    Counter.objects.bulk_create([Counter(user_id=user_id, seq=seq, at=at) for user_id in sorted(tenants)])


def restore_platform_counter(apps, schema_editor):
    Booking = apps.get_model("bookings", "Booking")
    counters = apps.get_model("bookings", "BookingFeedCounter").objects.aggregate(seq=Max("seq"), at=Max("at"))
    latest = Booking.objects.aggregate(seq=Max("change_seq"), at=Max("changed_at"))
    seq = max(counters["seq"] or 0, latest["seq"] or 0)
    at = max(filter(None, [counters["at"], latest["at"]]), default=None)
    apps.get_model("bookings", "BookingChangeCounter").objects.update_or_create(id=1, defaults={"seq": seq, "at": at})


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0002_resource_bookings_webhooks"),
        ("listings", "0006_feeds_ical_scheduler"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="BookingFeedCounter",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("seq", models.BigIntegerField()),
                ("at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(seed_counters, restore_platform_counter),
        migrations.DeleteModel(name="BookingChangeCounter"),
        migrations.AlterField(
            model_name="booking",
            name="change_seq",
            field=models.BigIntegerField(db_index=True, editable=False),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(fields=["listing", "change_seq"], name="bookings_listing_change_idx"),
        ),
    ]
