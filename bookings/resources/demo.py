"""Demo resource bookings for ``manage.py seed_demo`` (run by ``bookings/demo.py``), in the demo
space the jobs demo made (``context["space"]``, subdomain ``example``): a meeting room and a
pool of 10 desks, the demo host as the space's admin and a demo member, two upcoming
bookings, and a key for each of them — printed, since keys are shown only once.

Idempotent: resources and memberships are upserted, bookings made once; the previous demo
keys are revoked before new ones are issued.
"""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.models import User
from apikeys.models import ApiKey
from apikeys.services import api_key_create, api_key_revoke
from bookings.resources import services
from bookings.resources.models import ResourceBooking
from jobs.models import Membership, Resource

DEMO_MEMBER = "demo-member@example.com"
SCOPES = ["read_bookings", "write_bookings", "read_resources"]
WEEKDAYS = [1, 2, 3, 4, 5]
RESOURCES = {
    "Meeting Room": {
        "description": "Eight seats, a screen and a whiteboard.",
        "units": 1,
        "capacity": 8,
        "price_per_hour": Decimal("10.00"),
        "tax_rate": Decimal("19.00"),
        "accounting_code": "B1",
        "min_booking_duration": 30,
        "max_booking_duration": 480,
        "booking_times": [{"from": "08:00", "to": "20:00", "weekdays": WEEKDAYS}],
        "cancellation_period": 24,
        "color": "#3b82f6",
    },
    "Hot Desks": {
        "description": "Ten identical desks in the open space: book as many as you need.",
        "units": 10,
        "capacity": 1,
        "price_per_hour": Decimal("3.00"),
        "tax_rate": Decimal("19.00"),
        "accounting_code": "D1",
        "min_booking_duration": 60,
        "booking_times": [{"from": "07:00", "to": "22:00", "weekdays": []}],
        "color": "#10b981",
    },
}
KEYS = (
    ("Demo resource booking admin key", Membership.Role.ADMIN),
    ("Demo resource booking member key", Membership.Role.MEMBER),
)


def seed(context: dict[str, object]) -> None:
    space = context.get("space")
    if space is None or not space.subdomain:
        return
    owner = context["owner"]
    member_user = User.objects.filter(email=DEMO_MEMBER).first() or User.objects.create_user(
        email=DEMO_MEMBER, first_name="John", last_name="Doe"
    )
    resources = {
        name: Resource.objects.update_or_create(space=space, name=name, defaults=fields)[0]
        for name, fields in RESOURCES.items()
    }
    admin = Membership.objects.update_or_create(
        space=space, user=owner, defaults={"name": "Demo Host", "role": Membership.Role.ADMIN, "is_active": True}
    )[0]
    member = Membership.objects.update_or_create(
        space=space, user=member_user, defaults={"name": "John Doe", "role": Membership.Role.MEMBER, "is_active": True}
    )[0]
    if not ResourceBooking.objects.filter(membership=member).exists():
        day = _next_weekday(ZoneInfo(space.timezone))
        services.resource_booking_create(
            actor=None,
            resource=resources["Meeting Room"],
            membership=member,
            start=day.replace(hour=10),
            end=day.replace(hour=12),
            title="Client workshop",
            comments="tea please",
        )
        services.resource_booking_create(
            actor=None,
            resource=resources["Hot Desks"],
            membership=member,
            start=day.replace(hour=9),
            end=day.replace(hour=17),
            units=2,
            title="Team day",
        )
    context["resource_memberships"] = {"admin": admin, "member": member}
    _issue_keys(
        space, {Membership.Role.ADMIN: owner, Membership.Role.MEMBER: member_user}, context.get("stdout") or sys.stdout
    )


def _next_weekday(tz: ZoneInfo) -> datetime:
    """Midnight (local) of the next Monday-to-Friday day after today."""
    day = timezone.now().astimezone(tz).date() + timedelta(days=1)
    while day.isoweekday() > 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(), tzinfo=tz)


def _issue_keys(space, users: dict, out) -> None:
    out.write(f"Resource booking demo (space {space.subdomain!r}: /spaces/{space.subdomain}/api/…):\n")
    for name, role in KEYS:
        user = users[role]
        for key in ApiKey.objects.filter(owner=user, name=name, revoked_at=None):
            api_key_revoke(key=key)
        _key, raw = api_key_create(owner=user, name=name, scopes=SCOPES, space=space)
        out.write(f"  {name:<34} {raw}   scopes: {','.join(SCOPES)}   acts as the space's {role}\n")
