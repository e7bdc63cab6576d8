"""Writes of resource bookings: create, change, delete (``shared/spec/cobot-bookings-api.txt``).

Each takes the *actor* — the ``Membership`` an API key acts as (``request.tenant.membership``),
or None for the platform itself (admin actions, demo data) — and applies Cobot's rules:

- for members (and for admins who pass ``validate_times_for_admin``): inside the resource's
  ``booking_times``, between its min and max duration, not in the past; a resource members
  may not book (``admins_only``, or hidden from them) is 403;
- for everyone: ``from`` before ``to``, ``1 ≤ units ≤ resource.units``, and at no moment do
  the overlapping bookings use more units than the resource has: the *peak* of concurrent
  use over the interval (``bookings.intervals.peak_units``), not the sum of the overlapping
  bookings, since two bookings may overlap this one without overlapping each other;
- price ``price_per_hour × hours × units`` unless an admin sets it (``has_custom_price``);
- a booking made by an event is changed and deleted only by its event (409); members
  change and delete only their own future bookings, before the resource's cancellation
  period (``rules.change_refusal``).

Broken rules are collected and raised together as ``InvalidInput`` (422 ``{"errors": …}``).
The capacity check runs under a lock on the resource's row (``SELECT … FOR UPDATE``), the
one lock that orders every writer of that resource's bookings, so two concurrent requests
can never both take its last unit. Lock order: the booking (changes and deletions), then
the resource. On PostgreSQL an exclusion constraint backs this up for bookings that take
every unit of their resource (``models.ResourceBooking``). Webhook deliveries are written
in the same transaction (``webhooks.py``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone

from bookings.intervals import peak_units
from bookings.resources import rules, selectors, webhooks
from bookings.resources.models import ResourceBooking, WebhookEvent
from coliving.api.errors import FieldError, Forbidden, InvalidInput
from jobs.models import Event, Membership, Resource

FULLY_BOOKED = "The resource is already booked at this time"
_UNSET: Any = object()


def now() -> datetime:
    return timezone.now()


def resource_booking_create(
    *,
    actor: Membership | None,
    resource: Resource,
    start: datetime,
    end: datetime,
    title: str = "",
    comments: str = "",
    units: int = 1,
    membership: Membership | None = None,
    price: Decimal | None = None,
    validate_times_for_admin: bool = False,
    event: Event | None = None,
    created_by=None,
) -> ResourceBooking:
    """Book ``units`` of ``resource`` from ``start`` to ``end`` for ``membership`` (the actor's
    own when None) and return the booking."""
    with transaction.atomic():
        is_admin = actor is None or actor.is_admin
        if not is_admin and (resource.admins_only or resource.hidden):
            raise Forbidden(rules.CANNOT_BOOK)
        errors = _who_errors(actor, is_admin, membership=membership, price=price, space_id=resource.space_id)
        booking = ResourceBooking(
            resource=resource,
            membership=membership if membership is not None else actor,
            start=start,
            end=end,
            title=title,
            comments=comments,
            units=units,
            event=event,
            created_by=created_by,
        )
        _check_and_save(booking, errors, strict=not is_admin or validate_times_for_admin, price=price)
        _record(booking, WebhookEvent.CREATED_BOOKING)
        return booking


def resource_booking_update(
    *,
    actor: Membership | None,
    booking: ResourceBooking,
    start: datetime = _UNSET,
    end: datetime = _UNSET,
    title: str = _UNSET,
    comments: str = _UNSET,
    units: int = _UNSET,
    resource: Resource = _UNSET,
    membership: Membership = _UNSET,
    price: Decimal = _UNSET,
    validate_times_for_admin: bool = False,
) -> ResourceBooking:
    """Change what is given of ``booking`` (PUT: the fields sent) under the same rules as a new
    one. A custom price stays unless an admin sends another; a computed one follows the new
    times, units and resource."""
    with transaction.atomic():
        booking = _locked(booking)
        _refuse_change(actor, booking)
        is_admin = actor is None or actor.is_admin
        target = booking.resource if resource is _UNSET else resource
        if not is_admin and target.pk != booking.resource_id and (target.admins_only or target.hidden):
            raise Forbidden(rules.CANNOT_BOOK)
        errors = _who_errors(
            actor,
            is_admin,
            membership=None if membership is _UNSET else membership,
            price=None if price is _UNSET else price,
            space_id=target.space_id,
        )
        if target.pk != booking.resource_id:
            booking.resource = target
            booking.currency, booking.tax_rate, booking.accounting_code = _copied(target)
        for name, value in (
            ("start", start),
            ("end", end),
            ("title", title),
            ("comments", comments),
            ("units", units),
            ("membership", membership),
        ):
            if value is not _UNSET:
                setattr(booking, name, value)
        strict = not is_admin or validate_times_for_admin
        _check_and_save(booking, errors, strict=strict, price=None if price is _UNSET else price)
        _record(booking, WebhookEvent.UPDATED_BOOKING)
        return booking


def resource_booking_delete(*, actor: Membership | None, booking: ResourceBooking) -> None:
    with transaction.atomic():
        booking = _locked(booking)
        _refuse_change(actor, booking, deleting=True)
        _record(booking, WebhookEvent.DELETED_BOOKING)
        booking.delete()


def resource_bookings_mark_invoiced(*, bookings, at: datetime | None = None) -> int:
    """Mark the not yet invoiced of ``bookings`` invoiced (they leave ``/membership/bookings/recent``)."""
    with transaction.atomic():
        return bookings.filter(invoiced_at__isnull=True).update(invoiced_at=at or now())


# --- helpers ---------------------------------------------------------------------------------


def _locked(booking: ResourceBooking) -> ResourceBooking:
    """``booking`` read again under its row lock (only its own row: not its resource's or space's)."""
    return (
        ResourceBooking.objects.select_for_update(of=("self",))
        .select_related("resource__space", "membership")
        .get(pk=booking.pk)
    )


def _copied(resource: Resource) -> tuple[str, Decimal | None, str]:
    return resource.currency, resource.tax_rate, resource.accounting_code


def _refuse_change(actor: Membership | None, booking: ResourceBooking, *, deleting: bool = False) -> None:
    refusal = rules.change_refusal(
        actor=actor,
        membership_id=booking.membership_id,
        start=booking.start,
        event_id=booking.event_id,
        cancellation_period=booking.resource.cancellation_period,
        now=now(),
        deleting=deleting,
    )
    if refusal is not None:
        raise refusal


def _who_errors(
    actor: Membership | None, is_admin: bool, *, membership: Membership | None, price: Decimal | None, space_id: int
) -> list[FieldError]:
    """Booking for someone else and setting the price are an admin's."""
    errors = []
    if membership is not None:
        if not is_admin and membership.pk != actor.pk:
            errors.append(FieldError(("membership",), "can only be set by an admin of the space", "admins_only"))
        elif membership.space_id != space_id or not membership.is_active:
            errors.append(FieldError(("membership",), "is not an active membership of this space", "does_not_exist"))
    if price is not None:
        if not is_admin:
            errors.append(FieldError(("price",), "can only be set by an admin of the space", "admins_only"))
        elif price < 0:
            errors.append(FieldError(("price",), "must be greater than or equal to 0", "min_value"))
    return errors


def _rule_errors(booking: ResourceBooking, resource: Resource, *, strict: bool) -> list[FieldError]:
    errors = []
    if booking.start >= booking.end:
        errors.append(FieldError(("end",), "must be after from", "before_start"))
    if not 1 <= booking.units <= resource.units:
        errors.append(FieldError(("units",), f"must be between 1 and {resource.units}", "units"))
    if not strict:
        return errors
    if booking.start < now():
        errors.append(FieldError(("start",), "can't be in the past", "past"))
    if booking.start >= booking.end:
        return errors  # no duration or window to judge
    minutes = rules.elapsed(booking.start, booking.end).total_seconds() / 60
    if resource.min_booking_duration and minutes < resource.min_booking_duration:
        errors.append(
            FieldError(("end",), f"booking must be at least {resource.min_booking_duration} minutes long", "too_short")
        )
    if resource.max_booking_duration and minutes > resource.max_booking_duration:
        errors.append(
            FieldError(("end",), f"booking must be at most {resource.max_booking_duration} minutes long", "too_long")
        )
    tz = ZoneInfo(resource.space.timezone)
    if not rules.within_booking_times(resource.booking_times, booking.start, booking.end, tz):
        errors.append(FieldError(("start",), "is outside the booking times of this resource", "booking_times"))
    return errors


def _check_and_save(booking: ResourceBooking, errors: list[FieldError], *, strict: bool, price: Decimal | None) -> None:
    """Check every rule, then take the resource's lock and its capacity, then save."""
    errors = errors + _rule_errors(booking, booking.resource, strict=strict)
    if errors:
        raise InvalidInput(errors)
    # The lock that orders all writers of this resource's bookings; units are read under it.
    resource = Resource.objects.select_for_update(of=("self",)).select_related("space").get(pk=booking.resource_id)
    booking.resource = resource
    overlapping = (
        ResourceBooking.objects.filter(resource=resource)
        .overlapping(booking.start, booking.end)
        .exclude(pk=booking.pk)
        .values_list("start", "end", "units")
    )
    # Every row overlaps the booking, so no moment outside it is busier than one inside: no window to clip to.
    in_use = peak_units([*overlapping, (booking.start, booking.end, booking.units)])
    if in_use > resource.units:
        raise InvalidInput([FieldError(("base",), FULLY_BOOKED, "fully_booked")])
    if booking._state.adding:
        booking.currency, booking.tax_rate, booking.accounting_code = _copied(resource)
    if price is not None:
        booking.price, booking.has_custom_price = price, True
    elif not booking.has_custom_price:
        booking.price = rules.booking_price(
            price_per_hour=resource.price_per_hour, start=booking.start, end=booking.end, units=booking.units
        )
    booking.exclusive = booking.units >= resource.units
    try:
        with transaction.atomic():  # a savepoint: the backstop's refusal leaves the transaction usable
            booking.save()
    except IntegrityError as exc:
        if "bookings_resource_exclusive_no_overlap" not in str(exc):
            raise
        raise InvalidInput([FieldError(("base",), FULLY_BOOKED, "fully_booked")]) from None


def _record(booking: ResourceBooking, event: str) -> None:
    data = selectors.booking_item(
        selectors.instance_row(booking),
        viewer=None,
        api_root=selectors.space_api_root(booking.resource.space),
        now=now(),  # pragma: no mutate (no viewer: the platform may change any booking, whatever the time)
    )
    webhooks.booking_event_record(booking=booking, event=event, booking_data=data)
