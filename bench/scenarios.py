"""What ``make bench`` measures: a list of scenarios, and how to read them.

A scenario is one URL hit with one set of headers. It is judged against other scenarios
measured in the same run (``compare``): the first one named is its own baseline, the one
its ``target`` applies to; ``plain`` and ``bare`` are usually named too. Add one with
``register(Scenario(...))`` (see README.md); the order of registration is the order of
the table, and the runner interleaves all of them in every round.

``path`` and the header values are formatted with the seed context (``bench/seed.py``:
``{api_key}``, ``{user_email}``, plus whatever a ``SEEDERS`` function adds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


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

BREAKDOWNS.append(
    Breakdown(
        "GET /v2/me: the cost of each guard",
        (
            ("no guard", "me/unguarded"),
            ("authentication", "me/auth"),
            ("scope permission", "me/auth+scope"),
            ("rate limiting", "me/auth+scope+ratelimit"),
            ("usage tracking", "me"),
        ),
    )
)
