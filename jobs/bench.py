"""``make bench`` pieces for ``GET /v2/jobs?per_page=50`` over 5,000 jobs (hooked into
``bench/`` by its owner; see the functions' docstrings for the registration).

- ``seed(context)``: a ``SEEDERS`` function. 5,000 listed jobs over 20 cities and 10
  spaces, and a ``cwk_live_`` key (scope ``read``, bound to no space, so it lists them
  all) put in the context as ``coworkies_key``.
- ``plain_jobs``: the ``plain`` baseline — a Django view without DRF making the
  endpoint's queries (the key lookup authentication makes, the count, the page joined
  with its cities and spaces through ``.values_list()``), the same row shaping
  (``jobs.selectors``), orjson.
- ``bare_jobs``: the same bytes from memory (the page read once per process, on the
  warm-up), no database: the ceiling.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import orjson
from django.http import HttpResponse
from django.utils import timezone

from jobs.models import FREE_PLAN_ID, City, Job, Space
from jobs.selectors import job_list_items, job_list_rows, pagination

JOBS = 5_000
CITIES = 20
SPACES = 10
JSON = "application/json"
_UNAUTHORIZED = orjson.dumps(
    {"success": False, "status": 401, "error": {"code": "unauthorized", "message": "Invalid API key"}}
)


def seed(context: dict) -> None:
    """Add the jobs scenario's data to the bench database; ``context["coworkies_key"]``."""
    from accounts.models import User
    from apikeys.models import ApiKey
    from apikeys.services import api_key_create
    from bench.seed import BENCH_EMAIL

    owner = User.objects.get(email=BENCH_EMAIL)
    cities = [
        City.objects.update_or_create(slug=f"bench-city-{n}", defaults={"name": f"Bench City {n}"})[0]
        for n in range(CITIES)
    ]
    spaces = [
        Space.objects.update_or_create(
            slug=f"bench-space-{n}", defaults={"name": f"Bench Space {n}", "city": cities[n % CITIES]}
        )[0]
        for n in range(SPACES)
    ]
    if not Job.objects.filter(title__startswith="Bench job ").exists():
        now = timezone.now()
        Job.objects.bulk_create(
            (
                Job(
                    title=f"Bench job {n}",
                    slug=f"bench-job-{n}",
                    company=f"Company {n % 300}",
                    description="<p>A job of the bench.</p>",
                    job_type=Job.JobType.values[n % 4],
                    tags="community,events,remote" if n % 3 else "react,node",
                    is_remote=bool(n % 2),
                    external_url=f"https://example.com/jobs/{n}?ref=coworkiesjobs",
                    apply_url=f"https://example.com/jobs/{n}/apply",
                    city=cities[n % CITIES],
                    space=spaces[n % SPACES] if n % 4 else None,
                    owner=owner,
                    plan_id=FREE_PLAN_ID,
                    status=Job.Status.ACTIVE,
                    is_paid=True,
                    sal_min=40_000 + n,
                    sal_max=60_000 + n,
                    dedupe_hash=secrets.token_hex(32),
                    hash_identifier=secrets.token_hex(16),
                    date_added=now - timedelta(minutes=n),
                    published_at=now - timedelta(minutes=n),
                    expiration_date=now + timedelta(days=30),
                )
                for n in range(JOBS)
            ),
            batch_size=1000,
        )
    prefix = ApiKey.Prefix.COWORKIES_LIVE
    _key, raw = api_key_create(owner=owner, name="bench coworkies", scopes=["read"], prefix=prefix)
    context["coworkies_key"] = raw


def _page(page: int, per_page: int, space_id: int | None = None) -> bytes:
    """The body of ``GET /v2/jobs?page=&per_page=``: count and page (two queries)."""
    jobs = Job.objects.listed()
    if space_id is not None:
        jobs = jobs.filter(space_id=space_id)
    jobs = jobs.order_by("-date_added", "-id")
    offset = (page - 1) * per_page
    rows = list(job_list_rows(jobs)[offset : offset + per_page])
    total = offset + len(rows) if (rows or offset == 0) and len(rows) < per_page else jobs.count()
    data = {
        "jobs": job_list_items(rows),
        "pagination": pagination(total=total, limit=per_page, offset=offset, count=len(rows)),
    }
    return orjson.dumps({"success": True, "status": 200, "data": data})


def _params(request) -> tuple[int, int]:
    return int(request.GET.get("page", 1)), int(request.GET.get("per_page", 20))


def plain_jobs(request):
    """Route as ``/bench/plain/jobs``."""
    from apikeys.models import ApiKey
    from apikeys.querysets import InvalidKey

    try:
        key = ApiKey.objects.authenticate(request.headers.get("X-API-Key", ""))
    except InvalidKey:
        key = None
    if key is None or not (key.has_scope("jobs:read") or key.has_scope("read")):
        return HttpResponse(_UNAUTHORIZED, status=401, content_type=JSON)
    return HttpResponse(_page(*_params(request), space_id=key.space_id), content_type=JSON)


_BARE: dict[tuple[int, int], bytes] = {}


def bare_jobs(request):
    """Route as ``/bench/bare/jobs``."""
    params = _params(request)
    body = _BARE.get(params)
    if body is None:  # once per process and page: the warm-up
        body = _BARE[params] = _page(*params)
    return HttpResponse(body, content_type=JSON)
