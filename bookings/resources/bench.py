"""``make bench`` pieces for ``GET /spaces/bench/api/bookings?from&to`` over a month holding
2,000 bookings (hooked into ``bench/`` by its owner: see the functions' docstrings).

- ``seed(context)``: a ``SEEDERS`` function. The space ``bench`` (subdomain) with 20
  resources of 5 units, 50 members, and ``BOOKINGS`` bookings spread over one calendar
  month a year ahead; the bench user is one of the members, acting through a key with
  ``read_bookings`` bound to the space. Puts ``cobot_key``, ``cobot_query``
  (``from=…&to=…``, the month) and ``cobot_bookings_path``
  (``/spaces/bench/api/bookings?<cobot_query>``) in the context.
- ``plain_bookings``: the ``plain`` baseline — a Django view without DRF making the
  endpoint's queries (the key lookup authentication makes, the membership joined with its
  space, the month's bookings joined with resources and memberships through
  ``.values()``), the same row shaping (``selectors.booking_items``), orjson.
- ``bare_bookings``: the same bytes from memory (rendered once per process, on the
  warm-up), no database: the ceiling.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import orjson
from django.http import HttpResponse
from django.utils import timezone

from bookings.resources import selectors
from bookings.resources.models import ResourceBooking
from bookings.resources.times import parse_time
from jobs.models import City, Membership, Resource, Space

BOOKINGS = 2_000
RESOURCES = 20
UNITS = 5
MEMBERS = 50
SUBDOMAIN = "bench"
JSON = "application/json"
_UNAUTHORIZED = orjson.dumps({"error": "Invalid API key"})
_FORBIDDEN = orjson.dumps({"error": "You must be a member or an admin of this space"})


def month() -> tuple[datetime, datetime]:
    """The first and the last day + 1 of the calendar month a year from now (UTC midnight)."""
    start = (timezone.now() + timedelta(days=365)).astimezone(UTC).replace(day=1, hour=0, minute=0, second=0)
    start = start.replace(microsecond=0)
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def seed(context: dict) -> None:
    """Add the scenario's data to the bench database; ``context["cobot_key"]`` and
    ``context["cobot_bookings_path"]``."""
    from accounts.models import User
    from apikeys.services import api_key_create
    from bench.seed import BENCH_EMAIL

    owner = User.objects.get(email=BENCH_EMAIL)
    city = City.objects.update_or_create(slug="bench-cobot-city", defaults={"name": "Bench Cobot City"})[0]
    space = Space.objects.update_or_create(
        subdomain=SUBDOMAIN, defaults={"name": "Bench Coworking", "slug": "bench-coworking", "city": city}
    )[0]
    resources = [
        Resource.objects.update_or_create(
            space=space,
            name=f"Bench room {n}",
            defaults={"units": UNITS, "price_per_hour": Decimal("4.50"), "tax_rate": Decimal("19.00")},
        )[0]
        for n in range(RESOURCES)
    ]
    members = [
        Membership.objects.update_or_create(
            space=space, user=owner, defaults={"name": "Bench Host", "role": Membership.Role.MEMBER}
        )[0]
    ]
    for n in range(1, MEMBERS):
        user = User.objects.filter(email=f"bench-member-{n}@example.com").first() or User.objects.create_user(
            f"bench-member-{n}@example.com", password=None
        )
        members.append(Membership.objects.update_or_create(space=space, user=user, defaults={"name": f"Member {n}"})[0])
    first, last = month()
    if not ResourceBooking.objects.filter(resource__space=space).exists():
        hours = int((last - first).total_seconds() // 3600) - 2
        ResourceBooking.objects.bulk_create(
            (
                ResourceBooking(
                    resource=resources[n % RESOURCES],
                    membership=members[n % MEMBERS],
                    start=first + timedelta(hours=(n * 7) % hours),
                    end=first + timedelta(hours=(n * 7) % hours + 1 + n % 2),
                    title=f"Bench booking {n}",
                    comments="coffee please" if n % 3 else "",
                    units=1,
                    price=Decimal("4.50") * (1 + n % 2),
                    currency="EUR",
                    tax_rate=Decimal("19.00"),
                    accounting_code="B1",
                )
                for n in range(BOOKINGS)
            ),
            batch_size=1000,
        )
    _key, raw = api_key_create(owner=owner, name="bench cobot", scopes=["read_bookings"], space=space)
    context["cobot_key"] = raw
    context["cobot_query"] = f"from={first:%Y-%m-%d}&to={last:%Y-%m-%d}"
    context["cobot_bookings_path"] = f"/spaces/{SUBDOMAIN}/api/bookings?{context['cobot_query']}"


def _body(request, subdomain: str, membership: Membership) -> bytes:
    tz = ZoneInfo(membership.space.timezone)
    start, end = parse_time(request.GET["from"], tz), parse_time(request.GET["to"], tz)
    bookings = ResourceBooking.objects.filter(resource__space_id=membership.space_id).overlapping(start, end)
    items = selectors.booking_items(
        selectors.booking_rows(bookings.in_calendar_order()),
        viewer=membership,
        api_root=request.build_absolute_uri(f"/spaces/{subdomain}/api"),
        now=timezone.now(),
        with_membership=False,
    )
    return orjson.dumps(items)


def _membership(request, subdomain: str) -> Membership | None | bytes:
    from apikeys.models import ApiKey
    from apikeys.querysets import InvalidKey

    try:
        key = ApiKey.objects.authenticate(request.headers.get("X-API-Key", ""))
    except InvalidKey:
        return _UNAUTHORIZED
    if not key.has_scope("read_bookings"):
        return _UNAUTHORIZED
    membership = (
        Membership.objects.select_related("space")
        .filter(space__subdomain=subdomain, user_id=key.owner_id, is_active=True)
        .first()
    )
    return membership if membership is not None else _FORBIDDEN


def plain_bookings(request, subdomain: str):
    """Route as ``/bench/plain/spaces/<slug:subdomain>/bookings``."""
    membership = _membership(request, subdomain)
    if isinstance(membership, bytes):
        return HttpResponse(membership, status=401 if membership is _UNAUTHORIZED else 403, content_type=JSON)
    return HttpResponse(_body(request, subdomain, membership), content_type=JSON)


_BARE: dict[str, bytes] = {}


def bare_bookings(request, subdomain: str):
    """Route as ``/bench/bare/spaces/<slug:subdomain>/bookings`` (sent with the bench key once, to warm up)."""
    body = _BARE.get(request.get_full_path())
    if body is None:  # once per process and query: the warm-up
        membership = _membership(request, subdomain)
        if isinstance(membership, bytes):
            return HttpResponse(membership, status=401, content_type=JSON)
        body = _BARE[request.get_full_path()] = _body(request, subdomain, membership)
    return HttpResponse(body, content_type=JSON)
