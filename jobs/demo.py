"""Demo directory data for ``manage.py seed_demo`` (idempotent)."""

from __future__ import annotations

from decimal import Decimal

from jobs.models import City, Space

CITIES = [
    ("Berlin", "berlin", "52.520000", "13.405000"),
    ("Lisbon", "lisbon", "38.722300", "-9.139300"),
    ("Barcelona", "barcelona", "41.387400", "2.168600"),
]


def seed(context: dict[str, object]) -> None:
    cities = {}
    for name, slug, lat, lon in CITIES:
        cities[slug], _ = City.objects.update_or_create(
            slug=slug, defaults={"name": name, "latitude": Decimal(lat), "longitude": Decimal(lon)}
        )
    space, _ = Space.objects.update_or_create(
        slug="example-coworking",
        defaults={
            "name": "Example Coworking",
            "address": "Sample Street 12",
            "city": cities["berlin"],
            "latitude": Decimal("52.520000"),
            "longitude": Decimal("13.405000"),
            "subdomain": "example",
            "linkedin_url": "https://www.linkedin.com/company/example-coworking",
        },
    )
    context["space"] = space
    context["cities"] = cities
