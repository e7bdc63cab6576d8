"""Read shapes of the directory's lists, rendered straight from ``.values()`` rows (no model
instances, no nested serializers on the hot path), field for field as the Coworkies spec
shows them (``shared/spec/coworkies-api.txt``). The serializers in ``jobs/api/serializers.py``
document the same fields for the OpenAPI schema; a test keeps the two equal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import F, Prefetch
from django.db.models.functions import Coalesce

from jobs.models import BlogPost, page_url
from jobs.normalise import coordinate

# --- shared ----------------------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    """``2026-05-15T10:30:00Z``: UTC (what the database returns with USE_TZ), seconds."""
    if value is None:
        return None
    return f"{value:%Y-%m-%dT%H:%M:%S}Z"


def amount(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def pagination(*, total: int, limit: int, offset: int, count: int) -> dict[str, Any]:
    """The spec's full ``pagination`` object (its "Pagination" section)."""
    total_pages = max(1, math.ceil(total / limit)) if limit else 1
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "current_count": count,
        "total_pages": total_pages,
        "current_page": offset // limit + 1 if limit else 1,
        "has_next": offset + count < total,
        "has_previous": offset > 0,
    }


def job_links(*, slug: str, pk: int, hash_identifier: str) -> dict[str, str]:
    base = f"{settings.SITE_URL}/jobs/{page_url(slug, pk)}"
    return {
        "view_url": f"{base}/details",
        "edit_url": f"{base}/edit?job_hash={hash_identifier}",
        "unpublish_url": f"{base}/unpublish?job_hash={hash_identifier}",
        "payment_url": f"{base}/payment?job_hash={hash_identifier}",
    }


# --- jobs ------------------------------------------------------------------------------------

JOB_LIST_VALUES = (
    "id",
    "title",
    "slug",
    "company",
    "job_type",
    "tags",
    "is_remote",
    "external_url",
    "apply_url",
    "company_logo",
    "date_added",
    "expiration_date",
    "city__name",
    "city__slug",
    "space__name",
    "sal_min",
    "sal_max",
    "currency",
)


def job_list_rows(queryset):
    """The list's one query: the job with its city and space names joined in."""
    return queryset.values_list(*JOB_LIST_VALUES)


def job_list_items(rows: Iterable[tuple]) -> list[dict[str, Any]]:
    """``GET /v2/jobs`` items from ``job_list_rows`` tuples, in the spec's key order."""
    site = settings.SITE_URL
    items = []
    for (
        pk,
        title,
        slug,
        company,
        job_type,
        tags,
        is_remote,
        external_url,
        apply_url,
        company_logo,
        date_added,
        expiration_date,
        city_name,
        city_slug,
        space_name,
        sal_min,
        sal_max,
        currency,
    ) in rows:
        path = f"{slug}-{pk}"
        items.append(
            {
                "id_job": pk,
                "title": title,
                "company": company,
                "job_type": job_type,
                "tags": tags,
                "is_remote": is_remote,
                "page_url": path,
                "external_url": external_url or None,
                "apply_url": apply_url or None,
                "company_logo": company_logo or None,
                "date_added": iso(date_added),
                "expiration_date": iso(expiration_date),
                "city_name": city_name,
                "city_slug": city_slug,
                "space_name": space_name,
                "sal_min": None if sal_min is None else str(sal_min),
                "sal_max": None if sal_max is None else str(sal_max),
                "currency": currency,
                "url": f"{site}/jobs/{path}/details",
            }
        )
    return items


# --- cities and spaces -----------------------------------------------------------------------


def city_items(queryset) -> list[dict[str, Any]]:
    return [
        {
            "id_city": str(pk),
            "city_name": name,
            "city_slug": slug,
            "latitude": coordinate(latitude),
            "longitude": coordinate(longitude),
        }
        for pk, name, slug, latitude, longitude in queryset.values_list("id", "name", "slug", "latitude", "longitude")
    ]


def space_items(queryset) -> list[dict[str, Any]]:
    rows = queryset.values_list("name", "slug", "address", "latitude", "longitude", "city__name")
    return [
        {
            "space_name": name,
            "space_url": slug,
            "space_address": address,
            "latitude": coordinate(latitude),
            "longitude": coordinate(longitude),
            "city_name": city_name,
        }
        for name, slug, address, latitude, longitude, city_name in rows
    ]


def city_space_groups(queryset) -> list[dict[str, Any]]:
    """Spaces grouped under their city, one query: ``[{city…, "spaces": [space…]}]``."""
    rows = queryset.order_by("city__name", "city_id", "name", "id").values_list(
        "city_id",
        "city__name",
        "city__slug",
        "city__latitude",
        "city__longitude",
        "id",
        "name",
        "slug",
        "address",
        "latitude",
        "longitude",
        "linkedin_url",
    )
    groups: dict[int, dict[str, Any]] = {}
    for city_id, city_name, city_slug, city_lat, city_lon, pk, name, slug, address, lat, lon, linkedin in rows:
        group = groups.get(city_id)
        if group is None:
            group = groups[city_id] = {
                "id_city": str(city_id),
                "city_name": city_name,
                "city_slug": city_slug,
                "latitude": coordinate(city_lat),
                "longitude": coordinate(city_lon),
                "spaces": [],
            }
        group["spaces"].append(
            {
                "id_space": pk,
                "space_name": name,
                "space_url": slug,
                "space_address": address,
                "latitude": coordinate(lat),
                "longitude": coordinate(lon),
                "linkedin_url": linkedin or None,
            }
        )
    return list(groups.values())


# --- events ----------------------------------------------------------------------------------


def event_rows(queryset):
    return queryset.annotate(
        event_city_name=Coalesce(F("city__name"), F("space__city__name")),
        event_city_slug=Coalesce(F("city__slug"), F("space__city__slug")),
    ).values_list(
        "id",
        "title",
        "description",
        "start_at",
        "end_at",
        "location",
        "url",
        "space__name",
        "space__slug",
        "event_city_name",
        "event_city_slug",
    )


def event_items(rows: Iterable[tuple]) -> list[dict[str, Any]]:
    return [
        {
            "id_event": pk,
            "title": title,
            "description": description,
            "start_date": iso(start_at),
            "end_date": iso(end_at),
            "location": location or None,
            "url": url or None,
            "space_name": space_name,
            "space_url": space_url,
            "city_name": city_name,
            "city_slug": city_slug,
        }
        for pk, title, description, start_at, end_at, location, url, space_name, space_url, city_name, city_slug in rows
    ]


# --- blog ------------------------------------------------------------------------------------


def blog_posts(queryset):
    """Posts with their categories, tags and authors: three prefetch queries per page."""
    from jobs.models import BlogAuthor, BlogCategory, BlogTag

    return queryset.prefetch_related(
        Prefetch("categories", queryset=BlogCategory.objects.only("slug")),
        Prefetch("tags", queryset=BlogTag.objects.only("slug")),
        Prefetch("authors", queryset=BlogAuthor.objects.only("name", "username")),
    )


def blog_item(post: BlogPost) -> dict[str, Any]:
    """A post as the spec shows it, in a list and alone (``?slug=``): its body is read on the
    site, not through the API."""
    return {
        "title": post.title,
        "slug_url": post.slug,
        "categories": [category.slug for category in post.categories.all()],
        "tags": [tag.slug for tag in post.tags.all()],
        "date": iso(post.date),
        "authors": [{"name": author.name, "username": author.username} for author in post.authors.all()],
        "reading_time": post.reading_time,
    }
