"""What ``make bench`` measures: a list of scenarios, and how to read them.

A scenario is one URL hit with one set of headers. It is judged against other scenarios
measured in the same run (``compare``): the first one named is its own baseline, the one
its ``target`` applies to; ``plain`` and ``bare`` are usually named too. Add one with
``register(Scenario(...))`` (see README.md); the order of registration is the order of
the table, and the runner interleaves all of them in every round.

``path`` and the header values are formatted with the seed context (``bench/seed.py``:
``{api_key}``, ``{user_email}``, plus whatever a ``SEEDERS`` function adds, here
``bench/data.py``'s catalogue); ``refresh`` may update the context before every run.

A scenario that is not a plain GET gives wrk a Lua ``script`` that makes its requests and
counts their statuses (``bench/bookings.lua``); ``after`` then checks the database after
every run, and the report prints what it returned.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bench import data
from bookings.resources import bench as cobot_bench
from jobs import bench as jobs_bench


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    compare: tuple[str, ...] = ()  # names of scenarios to print ratios against; the first is the baseline
    headers: dict[str, str] = field(default_factory=dict)
    target: float | None = None  # minimum requests/s ratio to compare[0]
    description: str = ""
    # Checked once before the load, so that a scenario never measures an error page:
    status: int = 200
    same_body_as: str | None = None  # JSON body equal to that scenario's, ignoring volatile_keys
    volatile_keys: tuple[str, ...] = ()
    expect_headers: tuple[str, ...] = ()  # response headers that must be present
    # Run by run:
    refresh: Callable[[dict], None] | None = None  # before every run (and the check): update the context
    connections: int | None = None  # wrk -c for this scenario (default BENCH_CONNECTIONS)
    # A wrk Lua script (path from the repository root) making the requests and counting
    # statuses: see bench/bookings.lua. Its arguments are formatted with the context; the
    # runner appends the number of requests earlier runs sent and the wrk thread count.
    # Such a scenario is not checked with a GET before the load: its warm-up must succeed.
    script: str | None = None
    script_args: tuple[str, ...] = ()
    method: str = "GET"  # as the report shows it; anything but GET needs a script
    after: Callable[[dict], dict] | None = None  # after every run: a check of the database, printed

    @property
    def baseline(self) -> str | None:
        return self.compare[0] if self.compare else None


@dataclass(frozen=True)
class Breakdown:
    """A chain of scenarios that each add one thing to the one before: the report prints
    each step's ratio to the first and its share of the cost the whole chain adds."""

    title: str
    steps: tuple[tuple[str, str], ...]  # (what this step adds, scenario name); steps[0] is the base


SCENARIOS: list[Scenario] = []
BREAKDOWNS: list[Breakdown] = []
# Functions ``(context: dict) -> None`` run after bench.seed.seed(), in the bench database,
# before the server starts; they may add entries to the context.
SEEDERS: list[Callable[[dict], None]] = []


def register(*scenarios: Scenario) -> None:
    names = {s.name for s in SCENARIOS}
    for scenario in scenarios:
        if scenario.name in names:
            raise ValueError(f"Duplicate bench scenario {scenario.name!r}")
        names.add(scenario.name)
        SCENARIOS.append(scenario)


def by_name() -> dict[str, Scenario]:
    return {s.name: s for s in SCENARIOS}


# --- Baselines and GET /v2/me ------------------------------------------------------------

KEY = {"X-API-Key": "{api_key}"}
ME = {"same_body_as": "bare", "volatile_keys": ("api_key_verified_at",)}

register(
    Scenario("bare", "/bench/bare/me", description="Django view, the /v2/me bytes from memory, no DB"),
    Scenario(
        "plain",
        "/bench/plain/me",
        compare=("bare",),
        headers=KEY,
        description="Django view, no DRF: key+owner lookup with .values(), orjson",
        **ME,
    ),
    Scenario(
        "me/unguarded",
        "/bench/unguarded/me",
        compare=("plain", "bare"),
        description="MeView, no auth/scope/limit/usage; fixed user read by email",
        **ME,
    ),
    Scenario(
        "me/unguarded-mem",
        "/bench/unguarded-mem/me",
        compare=("me/unguarded", "plain", "bare"),
        description="as me/unguarded, user kept in memory (no query)",
        **ME,
    ),
    Scenario(
        "me/auth",
        "/bench/guard/auth/me",
        compare=("me/unguarded", "plain", "bare"),
        headers=KEY,
        description="+ API key authentication (no usage tracking)",
        **ME,
    ),
    Scenario(
        "me/auth+scope",
        "/bench/guard/auth-scope/me",
        compare=("me/unguarded", "plain", "bare"),
        headers=KEY,
        description="+ scope permission",
        **ME,
    ),
    Scenario(
        "me/auth+scope+ratelimit",
        "/bench/guard/auth-scope-ratelimit/me",
        compare=("me/unguarded", "plain", "bare"),
        headers=KEY,
        description="+ rate limits (Redis)",
        expect_headers=("X-RateLimit-Limit",),
        **ME,
    ),
    Scenario(
        "me",
        "/v2/me",
        compare=("me/unguarded", "plain", "bare"),
        headers=KEY,
        target=0.85,
        description="GET /v2/me as served: + usage tracking (all guards on)",
        expect_headers=("X-RateLimit-Limit",),
        **ME,
    ),
)

GUARDS = (
    ("authentication", "me/auth"),
    ("scope permission", "me/auth+scope"),
    ("rate limiting", "me/auth+scope+ratelimit"),
    ("usage tracking", "me"),
)
BREAKDOWNS.append(Breakdown("GET /v2/me: the cost of each guard", (("no guard", "me/unguarded"), *GUARDS)))
# The key lookup also reads the profile /v2/me returns (the owner, joined), so against
# me/unguarded — which reads it with its own ORM query — authentication costs the lookup
# less that query, and can come out negative. From the profile in memory, every guard's
# whole cost shows, the key lookup's query included.
BREAKDOWNS.append(
    Breakdown(
        "GET /v2/me from the profile in memory: the whole cost of each guard",
        (("no guard, no query", "me/unguarded-mem"), *GUARDS),
    )
)


# --- GET /v2/listings: 100 listings × 5 room types, one page of 100 ------------------------

PER_PAGE = "?per_page=100"
LISTINGS_BODY = {"same_body_as": "listings/bare"}

register(
    Scenario(
        "listings/bare",
        "/bench/bare/listings" + PER_PAGE,
        description="Django view, the /v2/listings page bytes from memory (read once per process)",
    ),
    Scenario(
        "listings/plain",
        "/bench/plain/listings" + PER_PAGE,
        compare=("listings/bare",),
        headers=KEY,
        description="Django view, no DRF: key lookup, count, page, room types with .values(), orjson",
        **LISTINGS_BODY,
    ),
    Scenario(
        "listings",
        "/v2/listings" + PER_PAGE,
        compare=("listings/plain", "listings/bare"),
        headers=KEY,
        target=0.9,
        description="GET /v2/listings as served, 100 listings × 5 room types, per_page=100",
        expect_headers=("X-RateLimit-Limit",),
        **LISTINGS_BODY,
    ),
)


# --- The bookings feed, nothing new since the cursor ---------------------------------------

FEED = "integrations/mangobeds/bookings?since={feed_since}"
FEED_OPTIONS = {"refresh": data.refresh_feed_cursor, "same_body_as": "feed/bare"}

register(
    Scenario(
        "feed/bare",
        "/bench/bare/" + FEED,
        refresh=data.refresh_feed_cursor,
        description="Django view, the empty feed answer from memory (since echoed)",
    ),
    Scenario(
        "feed/plain",
        "/bench/plain/" + FEED,
        compare=("feed/bare",),
        headers=KEY,
        description="Django view, no DRF: key, provider, one bookings query with .values(), orjson",
        **FEED_OPTIONS,
    ),
    Scenario(
        "feed",
        "/v2/" + FEED,
        compare=("feed/plain", "feed/bare"),
        headers=KEY,
        description="GET …/bookings?since=<the latest version> as served: nothing changed",
        expect_headers=("X-RateLimit-Limit",),
        **FEED_OPTIONS,
    ),
)


# --- POST /v2/bookings, 8 concurrent clients ------------------------------------------------

BOOKINGS = {
    "compare": ("plain", "bare"),
    "headers": KEY,
    "method": "POST",
    "script": "bench/bookings.lua",
    "connections": 8,
}

register(
    Scenario(
        "bookings/spread",
        "/v2/bookings",
        script_args=("{bookings_spread_data}",),
        after=lambda context: data.inventory_check(context["spread_room_type_ids"]),
        description=f"POST /v2/bookings, 8 clients, {data.STAY_NIGHTS}-night stays spread over 295 room types",
        **BOOKINGS,
    ),
    Scenario(
        "bookings/one-room-type",
        "/v2/bookings",
        script_args=("{bookings_one_room_type_data}",),
        after=lambda context: data.inventory_check(context["hot_room_type_ids"]),
        description=(
            f"POST /v2/bookings, 8 clients, {data.STAY_NIGHTS}-night stays all on one room type "
            f"(10⁶ units), within {data.HOT_WINDOW} days"
        ),
        **BOOKINGS,
    ),
    Scenario(
        "bookings/many-hosts",
        "/v2/bookings",
        compare=("bookings/one-room-type", "plain", "bare"),
        headers=KEY,  # replaced per request by the room's host's key (bench/bookings.lua)
        method="POST",
        script="bench/bookings.lua",
        connections=8,
        script_args=("{many_hosts_data}",),
        after=lambda context: data.inventory_check(context["many_hosts_room_type_ids"]),
        description=(
            f"POST /v2/bookings, 8 clients, {data.STAY_NIGHTS}-night stays spread over {data.HOSTS} hosts "
            f"({data.HOSTS * data.HOST_ROOM_TYPES} room types), each request with its host's key"
        ),
    ),
)

# --- GET /v2/jobs?per_page=50 over 5,000 jobs (Coworkies) --------------------------------------

JOBS_KEY, JOBS_PAGE = {"X-API-Key": "{coworkies_key}"}, "?per_page=50"

register(
    Scenario("jobs/bare", "/bench/bare/jobs" + JOBS_PAGE, description="the /v2/jobs page's bytes from memory"),
    Scenario(
        "jobs/plain",
        "/bench/plain/jobs" + JOBS_PAGE,
        compare=("jobs/bare",),
        headers=JOBS_KEY,
        same_body_as="jobs/bare",
        description="no DRF: key lookup, the page (cities and spaces joined) and the count with .values_list(), orjson",
    ),
    Scenario(
        "jobs",
        "/v2/jobs" + JOBS_PAGE,
        compare=("jobs/plain", "jobs/bare"),
        headers=JOBS_KEY,
        target=0.85,
        same_body_as="jobs/bare",
        expect_headers=("X-RateLimit-Limit",),
        description="GET /v2/jobs?per_page=50 as served, 5,000 active jobs",
    ),
)

# --- GET /spaces/<subdomain>/api/bookings?from&to, a month of 2,000 bookings (Cobot) --------

COBOT = {"headers": {"X-API-Key": "{cobot_key}"}, "same_body_as": "cobot/bookings/bare"}

register(
    Scenario(
        "cobot/bookings/bare",
        "/bench/bare/spaces/bench/bookings?{cobot_query}",
        headers={"X-API-Key": "{cobot_key}"},
        description="the month's 2,000 bookings' bytes from memory",
    ),
    Scenario(
        "cobot/bookings/plain",
        "/bench/plain/spaces/bench/bookings?{cobot_query}",
        compare=("cobot/bookings/bare",),
        description="no DRF: key, membership, the bookings with .values(), orjson",
        **COBOT,
    ),
    Scenario(
        "cobot/bookings",
        "{cobot_bookings_path}",
        compare=("cobot/bookings/plain", "cobot/bookings/bare"),
        target=0.9,
        expect_headers=("X-RateLimit-Limit",),
        description="GET /spaces/bench/api/bookings?from&to as served, a month of 2,000 bookings",
        **COBOT,
    ),
)

SEEDERS.append(data.seed_catalogue)
SEEDERS.append(data.seed_rates_host)
SEEDERS.append(data.seed_many_hosts)
SEEDERS.append(jobs_bench.seed)
SEEDERS.append(cobot_bench.seed)
