"""The data the benchmark runs against, and the constants its views share with the seed.

The bench user's profile is fixed so that the ``bare`` view can return the very bytes
``GET /v2/me`` renders for it, without touching the database.
"""

from __future__ import annotations

from datetime import UTC, datetime

BENCH_EMAIL = "bench-host@example.com"
BENCH_FIRST_NAME = "Bench"
BENCH_LAST_NAME = "Host"
BENCH_DATE_JOINED = datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


def seed() -> dict[str, str]:
    """Create the bench user (unless it exists) and a new key for it in the bench database.

    Returns the context the scenarios' paths and headers are formatted with:
    ``api_key`` (the full key string, sent as ``X-API-Key``; ``users.read`` and the read
    and write scopes of listings and bookings, for the pushes and bookings) and ``user_email``.
    """
    from accounts.models import User
    from apikeys.services import api_key_create

    user = User.objects.filter(email=BENCH_EMAIL).first() or User.objects.create_user(
        BENCH_EMAIL,
        password=None,
        first_name=BENCH_FIRST_NAME,
        last_name=BENCH_LAST_NAME,
        date_joined=BENCH_DATE_JOINED,
    )
    _key, raw = api_key_create(
        owner=user,
        name="bench",
        scopes=["users.read", "bookings.read", "bookings.write", "listings.read", "listings.write"],
    )
    return {"api_key": raw, "user_email": user.email}
