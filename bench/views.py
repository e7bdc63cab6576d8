"""Views that exist only for ``make bench`` (routed when ``settings.BENCH_VIEWS`` is on).

Baselines, the same for every scenario that renders the ``/v2/me`` body:

- ``bare``: plain Django, the same bytes from memory; no database, no DRF. The ceiling.
- ``plain``: plain Django, no DRF: the key lookup authentication makes (the same call,
  ``ApiKey.objects.authenticate``: key and owner in one precompiled query, every check),
  the body rendered with orjson. What a careful hand-written view achieves.

``GET /v2/me`` and its guards (authentication, scope permission, rate limiting, usage
tracking), switched on one after the other on the real ``MeView``:

- ``unguarded``: ``MeView`` with no authentication, permission or throttle classes; the
  user is the fixed bench user, read by email (one indexed query, as the endpoint must read
  the profile it returns). ``unguarded-mem`` keeps that user in memory instead, to show
  what the one query costs.
- ``guard/auth``: + authentication without usage tracking,
- ``guard/auth-scope``: + the scope permission,
- ``guard/auth-scope-ratelimit``: + the per-key/per-IP rate limits (Redis),
- the real ``/v2/me``: + usage tracking, i.e. everything as served.

Baselines of ``GET /v2/listings`` and of the bookings feed (``listings/plain``,
``listings/bare``, ``feed/plain``, ``feed/bare``): the same two kinds for their bodies.
``plain`` makes the queries the endpoint makes (the key lookup as for ``/v2/me``, then the
endpoint's own with ``.values()``) and renders with orjson; ``bare`` answers the same bytes
without the database (the listings page is read once per process, on its first request —
the warm-up — and kept; the feed's empty answer only echoes ``since``).
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from django.http import HttpResponse

from accounts.models import User
from apikeys.api.views import MeView
from apikeys.authentication import MESSAGES, ApiKeyAuthentication
from apikeys.models import ApiKey, Provider
from apikeys.querysets import InvalidKey
from bench import seed
from bookings.models import Booking
from bookings.versions import encode_cursor, format_version, parse_since
from coliving.api.pagination import LinkHeaderPagination
from coliving.api.permissions import ScopePermission
from coliving.api.ratelimit import KeyRateThrottle
from coliving.api.timestamps import iso_ms, iso_seconds
from listings.models import Listing, RoomType
from listings.querysets import LISTING_SUMMARY_FIELDS

JSON = "application/json"


def _me_body(*, name: str, email: str, date_joined, last_login, verified_at: str) -> bytes:
    # The shape MeView renders: the envelope, then the flat copy of api_key_verified_at.
    return orjson.dumps(
        {
            "success": True,
            "data": {
                "name": name,
                "email": email,
                "created_at": iso_seconds(date_joined),
                "api_key_verified_at": verified_at,
                "last_login_at": iso_seconds(last_login),
            },
            "api_key_verified_at": verified_at,
        }
    )


# --- baselines -------------------------------------------------------------------------

BARE_ME_BODY = _me_body(
    name=f"{seed.BENCH_FIRST_NAME} {seed.BENCH_LAST_NAME}",
    email=seed.BENCH_EMAIL,
    date_joined=seed.BENCH_DATE_JOINED,
    last_login=None,
    verified_at=iso_ms(datetime(2025, 1, 1, tzinfo=UTC)),
)


def bare_me(request):
    return HttpResponse(BARE_ME_BODY, content_type=JSON)


_UNAUTHORIZED = orjson.dumps({"success": False, "error": MESSAGES["invalid_api_key"], "code": "invalid_api_key"})


def _key(request) -> ApiKey | None:
    """The key lookup authentication makes, ``ApiKey.objects.authenticate``: one query (key
    and owner), the digest, revocation, activity and expiry checks; ``None`` if refused."""
    try:
        return ApiKey.objects.authenticate(request.headers.get("X-API-Key", ""))
    except InvalidKey:
        return None


def _unauthorized() -> HttpResponse:
    return HttpResponse(_UNAUTHORIZED, status=401, content_type=JSON)


def plain_me(request):
    key = _key(request)
    if key is None:
        return _unauthorized()
    owner = key.owner
    body = _me_body(
        name=f"{owner.first_name} {owner.last_name}".strip() or owner.email,
        email=owner.email,
        date_joined=owner.date_joined,
        last_login=owner.last_login,
        verified_at=iso_ms(datetime.now(UTC)),
    )
    return HttpResponse(body, content_type=JSON)


# --- GET /v2/listings ------------------------------------------------------------------


def _listings_page(owner_id: int, page: int, per_page: int) -> tuple[bytes, dict[str, str]]:
    """The body of ``GET /v2/listings`` (a bare array: the page with its room types) and its
    paging headers (``X-Total-Count``, ``Link``): the count, the page, its room types (three queries).
    The filters the endpoint must apply too: live listings only (not the owner's sandbox
    copies), active room types only."""
    listings = Listing.objects.filter(is_sandbox=False).for_owner(owner_id)
    total = listings.count()
    offset = (page - 1) * per_page
    rows = list(listings.order_by("id").values(*LISTING_SUMMARY_FIELDS)[offset : offset + per_page])
    by_listing = {}
    for row in rows:
        row["room_types"] = by_listing[row["id"]] = []
    if by_listing:
        room_types = RoomType.objects.filter(listing_id__in=by_listing, is_active=True).order_by("listing_id", "id")
        for listing_id, pk, name in room_types.values_list("listing_id", "id", "name"):
            by_listing[listing_id].append({"id": pk, "name": name})
    pages = max(1, -(-total // per_page))
    links = []
    if page < pages:
        links.append(f'</v2/listings?page={page + 1}&per_page={per_page}>; rel="next"')
    if page > 1:
        links.append(f'</v2/listings?page={min(page - 1, pages)}&per_page={per_page}>; rel="prev"')
    headers = {"X-Total-Count": str(total)}
    if links:
        headers["Link"] = ", ".join(links)
    return orjson.dumps(rows), headers


def _page_params(request) -> tuple[int, int]:
    return int(request.GET.get("page", 1)), int(request.GET.get("per_page", LinkHeaderPagination.default_per_page))


def plain_listings(request):
    key = _key(request)
    if key is None:
        return _unauthorized()
    body, headers = _listings_page(key.owner_id, *_page_params(request))
    return HttpResponse(body, content_type=JSON, headers=headers)


_BARE_LISTINGS: dict[tuple[int, int], tuple[bytes, dict[str, str]]] = {}


def bare_listings(request):
    params = _page_params(request)
    page = _BARE_LISTINGS.get(params)
    if page is None:  # once per process and page (the warm-up): the bench user's page
        owner_id = User.objects.filter(email=seed.BENCH_EMAIL).values_list("pk", flat=True).get()
        page = _BARE_LISTINGS[params] = _listings_page(owner_id, *params)
    body, headers = page
    return HttpResponse(body, content_type=JSON, headers=headers)


# --- GET /v2/integrations/{provider}/bookings (the feed) --------------------------------

_FEED_FIELDS = ("id", "listing_id", "room_type_id", "status", "change_seq", "changed_at")


def plain_feed(request, provider: str):
    """The feed without DRF: key, provider, one bookings query (no filters but ``since`` and
    the one the endpoint must apply too: live bookings, not the owner's sandbox ones)."""
    key = _key(request)
    if key is None:
        return _unauthorized()
    provider_id = Provider.objects.filter(slug=provider, is_active=True).values_list("pk", flat=True).first()
    if provider_id is None or key.provider_id not in (None, provider_id):
        return HttpResponse(b'{"success":false}', status=404 if provider_id is None else 403, content_type=JSON)
    since = request.GET.get("since")
    limit = int(request.GET.get("limit", 100))
    bookings = Booking.objects.filter(is_sandbox=False).for_owner(key.owner_id)
    if since is not None:
        bookings = parse_since(since).filter(bookings)
    rows = list(bookings.in_change_order().values(*_FEED_FIELDS)[:limit])
    items = [
        {
            "booking_id": b["id"],
            "listing_id": b["listing_id"],
            "room_type_id": b["room_type_id"],
            "status": b["status"],
            "version": format_version(b["changed_at"]),
        }
        for b in rows
    ]
    next_since = encode_cursor(rows[-1]["change_seq"]) if rows else since
    body = orjson.dumps({"success": True, "data": {"Bookings": items, "next_since": next_since}})
    return HttpResponse(body, content_type=JSON)


_FEED_EMPTY_HEAD = b'{"success":true,"data":{"Bookings":[],"next_since":'


def bare_feed(request, provider: str):
    """The feed's answer when nothing changed since the cursor: ``since`` echoed, no database."""
    return HttpResponse(_FEED_EMPTY_HEAD + orjson.dumps(request.GET.get("since")) + b"}}", content_type=JSON)


# --- GET /v2/me, guard by guard --------------------------------------------------------


class UnguardedMeView(MeView):
    """``MeView`` with every guard off, answering for the fixed bench user."""

    authentication_classes = ()
    permission_classes = ()
    throttle_classes = ()

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        request.user = self.fixed_user()

    def fixed_user(self) -> User:
        return User.objects.get(email=seed.BENCH_EMAIL)


class UnguardedInMemoryMeView(UnguardedMeView):
    """As ``UnguardedMeView``, the user read once per process: the cost of the one query."""

    _user: User | None = None

    def fixed_user(self) -> User:
        cls = type(self)
        if cls._user is None:
            cls._user = super().fixed_user()
        return cls._user


class AuthenticationWithoutUsage(ApiKeyAuthentication):
    """``ApiKeyAuthentication`` with usage tracking off."""

    track_usage = False


class GuardAuthMeView(MeView):
    authentication_classes = (AuthenticationWithoutUsage,)
    permission_classes = ()
    throttle_classes = ()


class GuardAuthScopeMeView(GuardAuthMeView):
    permission_classes = (ScopePermission,)


class GuardAuthScopeRateMeView(GuardAuthScopeMeView):
    throttle_classes = (KeyRateThrottle,)


# All guards on is the real route, GET /v2/me (ApiKeyAuthentication with usage tracking,
# ScopePermission, KeyRateThrottle: the REST_FRAMEWORK defaults MeView keeps).
