"""Views that exist only for ``make bench`` (routed when ``settings.BENCH_VIEWS`` is on).

Baselines, the same for every scenario that renders the ``/v2/me`` body:

- ``bare``: plain Django, the same bytes from memory; no database, no DRF. The ceiling.
- ``plain``: plain Django, no DRF: the key lookup authentication does (key by key id,
  owner joined) with ``.values()``, the digest check, the body rendered with orjson.
  What a careful hand-written view achieves.

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
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from django.http import HttpResponse
from rest_framework import exceptions

from accounts.models import User
from apikeys import keys
from apikeys.api.views import MeView, iso_ms
from apikeys.authentication import MESSAGES, ApiKeyAuthentication
from apikeys.models import ApiKey
from apikeys.querysets import InvalidKey
from bench import seed
from coliving.api.permissions import ScopePermission
from coliving.api.ratelimit import KeyRateThrottle

JSON = "application/json"


def _me_body(*, name: str, email: str, date_joined, last_login, verified_at: str) -> bytes:
    # The shape MeView renders: the envelope, then the flat copy of api_key_verified_at.
    return orjson.dumps(
        {
            "success": True,
            "data": {
                "name": name,
                "email": email,
                "created_at": iso_ms(date_joined),
                "api_key_verified_at": verified_at,
                "last_login_at": iso_ms(last_login),
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


def plain_me(request):
    parsed = keys.parse(request.headers.get("X-API-Key", ""))
    row = None
    if parsed is not None:
        # The owner__ fields make the join authentication's select_related("owner") makes.
        row = (
            ApiKey.objects.filter(key_id=parsed.key_id)
            .values(
                "prefix",
                "digest",
                "is_active",
                "revoked_at",
                "expires_at",
                "owner__is_active",
                "owner__first_name",
                "owner__last_name",
                "owner__email",
                "owner__date_joined",
                "owner__last_login",
            )
            .first()
        )
    now = datetime.now(UTC)
    if (
        row is None
        or row["prefix"] != parsed.prefix
        or not keys.matches(parsed.raw, row["digest"])
        or row["revoked_at"] is not None
        or not (row["is_active"] and row["owner__is_active"])
        or (row["expires_at"] is not None and row["expires_at"] <= now)
    ):
        return HttpResponse(_UNAUTHORIZED, status=401, content_type=JSON)
    name = f"{row['owner__first_name']} {row['owner__last_name']}".strip() or row["owner__email"]
    body = _me_body(
        name=name,
        email=row["owner__email"],
        date_joined=row["owner__date_joined"],
        last_login=row["owner__last_login"],
        verified_at=iso_ms(now),
    )
    return HttpResponse(body, content_type=JSON)


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
    """``ApiKeyAuthentication.authenticate`` less its ``usage_buffer.record`` line."""

    def authenticate(self, request):
        raw = self._presented_key(request)
        if raw is None:
            return None
        try:
            key = ApiKey.objects.authenticate(raw)
        except InvalidKey as exc:
            raise exceptions.AuthenticationFailed(MESSAGES[exc.reason], code=exc.reason) from None
        return key.owner, key


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
