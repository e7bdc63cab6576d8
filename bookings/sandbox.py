"""An API key owner's sandbox data set: what ``/v2/sandbox/…`` serves.

``shared/spec/reference-notes.md``: "Every endpoint has a sandbox twin under a ``sandbox/``
path prefix that works with the same key against sandbox data." The twins are the same
views (``coliving/api/routing.py``, ``sandbox_mount``); the data is rows flagged
``is_sandbox`` (listings — and through them room types and nights —, users, bookings,
provider links), which only a sandbox ``Tenant`` reaches (``TenantQuerySet.for_tenant``).

``sandbox_ensure`` seeds an owner's sandbox on its first sandbox request: copies of the
owner's live listings (the first ``LISTINGS_MAX`` active ones it may use, with their
active room types and mandatory fees, so that ids differ but prices and rules match), or
the demo listings when it has none; one sandbox guest; and one pending booking of that
guest through the booking service (so its nights are taken like any booking's). It is
race-safe: the ``SandboxDataSet`` row is inserted in the seed's transaction, so a
concurrent first request waits on that row's unique index and then finds the seed done.
``sandbox_reset`` (the admin's action) deletes an owner's sandbox rows and seeds again.
Nothing here sends anything out: sandbox users record no ``UserCreated`` event.
"""

from __future__ import annotations

import secrets

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import user_create
from bookings import services
from bookings.demo import demo_stay
from bookings.models import Booking, BookingMessage, SandboxDataSet
from coliving.api.errors import ApplicationError
from coliving.api.tenancy import Tenant
from listings import demo as listings_demo
from listings.models import BookingConflict, Listing, ListingFee, ProviderAccountLink, RoomType, RoomTypeNight

LISTINGS_MAX = 5
GUEST_EMAIL = "guest@sandbox.example.com"

# Columns a copy does not take from its live listing: identity, links to live things, sync state.
_LISTING_SKIP = {
    "id",
    "host",
    "is_sandbox",
    "host_feed",
    "calendar_token",
    "sync_source",
    "last_imported_at",
    "content_hash",
    "source_hash",
    "overwritten_fields",
    "created_at",
    "updated_at",
}
_ROOM_TYPE_SKIP = {"id", "listing", "created_at", "updated_at"}
_FEE_SKIP = {"id", "listing"}


def _copy(obj: models.Model, skip: set[str], **overrides) -> models.Model:
    """An unsaved copy of ``obj``'s concrete columns, but ``skip``, with ``overrides``."""
    fields = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip}
    return type(obj)(**fields, **overrides)


def sandbox_ensure(*, owner: User) -> bool:
    """Seed ``owner``'s sandbox unless it exists; True when this call seeded it."""
    if SandboxDataSet.objects.filter(owner=owner).exists():
        return False
    try:
        with transaction.atomic():
            sandbox_seed(owner=owner)
    except IntegrityError:
        # A concurrent first request inserted the row (we waited for its commit): it seeded.
        if SandboxDataSet.objects.filter(owner=owner).exists():
            return False
        raise
    return True


@transaction.atomic
def sandbox_seed(*, owner: User) -> SandboxDataSet:
    """Create ``owner``'s sandbox data set; ``IntegrityError`` when it already has one."""
    data_set = SandboxDataSet.objects.create(owner=owner)  # first: the seed's lock
    _seed_rows(data_set)
    return data_set


def _seed_rows(data_set: SandboxDataSet) -> None:
    owner = data_set.owner
    live = list(
        Listing.objects.for_tenant(Tenant(owner=owner), "owner")
        .filter(status=Listing.Status.ACTIVE)
        .order_by("id")[:LISTINGS_MAX]
    )
    data_set.source = SandboxDataSet.Source.LIVE if live else SandboxDataSet.Source.DEMO
    data_set.seeded_at = timezone.now()
    data_set.save(update_fields=["source", "seeded_at"])
    listings = _copies_of(owner, live) if live else _demo_listings(owner)
    guest = user_create(
        email=GUEST_EMAIL,
        password=secrets.token_urlsafe(24),  # sandbox users never log in
        first_name="sandbox",
        last_name="guest",
        meta={"source": "sandbox"},
        created_by=owner,
        source="sandbox",
        sandbox=True,
    )
    _seed_booking(owner, guest, listings)


def _copies_of(owner: User, live: list[Listing]) -> list[Listing]:
    copies, original_ids = [], set()
    for listing in live:
        copy = _copy(listing, _LISTING_SKIP, host=owner, is_sandbox=True)
        if copy.original_id in original_ids:
            # A granted listing can share its host system's id with one of the owner's own; in
            # the sandbox both are the owner's, whose original ids are unique.
            copy.original_id = ""
        original_ids.add(copy.original_id)
        copy.save()
        copies.append(copy)
        RoomType.objects.bulk_create(
            _copy(room_type, _ROOM_TYPE_SKIP, listing=copy) for room_type in listing.room_types.filter(is_active=True)
        )
        ListingFee.objects.bulk_create(_copy(fee, _FEE_SKIP, listing=copy) for fee in listing.fees.all())
    return copies


def _demo_listings(owner: User) -> list[Listing]:
    """The demo listings, complete enough for the feed shape (``GET /v2/sandbox/listings/{id}``):
    the listing's currency is its room types', and every room type has its own id."""
    listings = []
    for spec in listings_demo.LISTINGS:
        currency = spec["room_types"][0]["currency"]
        listing = Listing.objects.create(
            host=owner, is_sandbox=True, name=spec["name"], currency=currency, **spec["defaults"]
        )
        listings.append(listing)
        RoomType.objects.bulk_create(
            RoomType(listing=listing, original_id=f"{listing.original_id}-{position}", position=position, **fields)
            for position, fields in enumerate(spec["room_types"], start=1)
        )
    return listings


def _seed_booking(owner: User, guest: User, listings: list[Listing]) -> Booking | None:
    """One pending stay of the sandbox guest, on the first room type whose rules allow one."""
    for listing in listings:
        checkin, checkout = demo_stay(listing)
        for room_type in listing.room_types.filter(is_active=True).order_by("id"):
            try:
                return services.booking_create(
                    owner=owner,
                    guest=guest,
                    listing=listing,
                    room_type=room_type,
                    checkin=checkin,
                    checkout=checkout,
                    guests=1,
                    message="Sandbox booking: try cancelling it, or messaging the host.",
                    source=Booking.Source.ADMIN,
                )
            except ApplicationError:
                continue  # a rule of this listing (move-in window, occupancy…) or no unit left
    return None


def _delete_rows(owner: User) -> None:
    """Delete every sandbox row of ``owner`` (nothing live: each query names ``is_sandbox``)."""
    listings = Listing.objects.filter(host=owner, is_sandbox=True)
    bookings = Booking.objects.filter(is_sandbox=True, listing__in=listings)
    BookingMessage.objects.filter(booking__in=bookings).delete()
    BookingConflict.objects.filter(booking__in=bookings).delete()
    bookings.delete()
    # Sandbox users created by the owner's sandbox requests; bookings of theirs are gone above.
    User.objects.filter(is_sandbox=True, created_by=owner).delete()
    RoomTypeNight.objects.filter(room_type__listing__in=listings).delete()
    listings.delete()  # room types, rooms, fees, photos… cascade
    ProviderAccountLink.objects.filter(owner=owner, is_sandbox=True).delete()


@transaction.atomic
def sandbox_reset(*, data_set: SandboxDataSet) -> SandboxDataSet:
    """Delete the owner's sandbox rows and seed them again, in one transaction.

    Locks the data set's row first, so two resets take turns, and a sandbox request
    meanwhile sees the old data set or the new one, never a half-made one."""
    data_set = SandboxDataSet.objects.select_for_update().select_related("owner").get(pk=data_set.pk)
    _delete_rows(data_set.owner)
    _seed_rows(data_set)
    return data_set
