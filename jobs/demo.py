"""Demo directory data for ``manage.py seed_demo`` (idempotent): cities, spaces, plans, jobs
posted through the same service as ``POST /v2/jobs`` (their fingerprints make a second run
update them), upcoming events and blog posts. The demo coworkies keys are bound to
``context["space"]``, Example Coworking, which owns the demo jobs and most events."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.text import slugify

from jobs import services
from jobs.models import BlogAuthor, BlogCategory, BlogPost, BlogTag, City, Event, Plan, Space

CITIES = [
    ("Berlin", "berlin", "52.520000", "13.405000"),
    ("Lisbon", "lisbon", "38.722300", "-9.139300"),
    ("Barcelona", "barcelona", "41.387400", "2.168600"),
    ("Porto", "porto", "41.157900", "-8.629100"),
    ("San Francisco", "san-francisco", "37.774900", "-122.419400"),
    ("San Sebastián", "san-sebastian", "43.318300", "-1.981200"),
    ("Zürich", "zurich", "47.376900", "8.541700"),
]

SPACES = [
    # slug, name, address, city, lat, lon, subdomain, linkedin, tier
    (
        "example-coworking",
        "Example Coworking",
        "Sample Street 12",
        "berlin",
        "52.520000",
        "13.405000",
        "example",
        "https://www.linkedin.com/company/example-coworking",
        Space.PlanTier.PRO,
        "Europe/Berlin",
    ),
    (
        "second-home-lisbon",
        "Second Home Lisbon",
        "Mercado da Ribeira, Av. 24 de Julho 50",
        "lisbon",
        "38.706900",
        "-9.146000",
        None,
        "https://www.linkedin.com/company/second-home-lisbon",
        Space.PlanTier.FREE,
        "Europe/Lisbon",
    ),
    (
        "betahaus-barcelona",
        "Betahaus Barcelona",
        "Carrer de Vilafranca 7",
        "barcelona",
        "41.404600",
        "2.152600",
        None,
        "",
        Space.PlanTier.FREE,
        "Europe/Madrid",
    ),
]

JOBS = [
    {
        "title": "Community Manager",
        "company": "Example Coworking",
        "description": "<p>Lead member experience at our Berlin location.</p><ul><li>Events</li><li>Onboarding</li>"
        "</ul>",
        "job_type": "fulltime",
        "city_name": "Berlin",
        "tags": "community,events,hospitality",
        "external_url": "https://example.com/careers/cm",
        "apply_url": "https://example.com/careers/cm/apply",
        "sal_min": 35000,
        "sal_max": 45000,
    },
    {
        "title": "Remote Software Developer",
        "company": "Tech Solutions Inc.",
        "description": "<p>Build our booking platform with <strong>React</strong> and Node.</p>",
        "job_type": "fulltime",
        "city_name": "Berlin",
        "tags": "javascript,react,node",
        "external_url": "https://example.com/apply",
        "apply_url": "https://example.com/careers/apply",
        "is_remote": True,
        "sal_min": 65000,
        "sal_max": 85000,
    },
    {
        "title": "Frontend Developer",
        "company": "Remote Co",
        "description": "Build beautiful interfaces.",
        "job_type": "fulltime",
        "city_name": "Lisbon",
        "tags": "react,typescript,remote",
        "is_remote": True,
    },
    {
        "title": "Front Desk Host (part-time)",
        "company": "Example Coworking",
        "description": "<p>Welcome members and guests three mornings a week.</p>",
        "job_type": "parttime",
        "city_name": "Berlin",
        "tags": "hospitality,front-desk",
        "currency": "EUR",
        "sal_min": 14,
        "sal_max": 16,
    },
    {
        "title": "Events Intern",
        "company": "Example Coworking",
        "description": "<p>Help us run 20 community events a month.</p>",
        "job_type": "internship",
        "city_name": "Barcelona",
        "tags": "events,community",
    },
]

EVENTS = [
    # space slug (None: the platform's), title, days from today, hours, location, city slug
    ("example-coworking", "Community Breakfast", 3, 2, "Sample Street 12, Berlin", None),
    ("example-coworking", "Founders' Friday Drinks", 10, 3, "Rooftop, Sample Street 12", None),
    ("second-home-lisbon", "Remote Work Meetup", 6, 2, "Mercado da Ribeira", None),
    (None, "Coworking Europe Online Summit", 21, 6, "Online", "berlin"),
]

POSTS = [
    {
        "slug": "launching-the-coworking-salary-survey-6",
        "title": "Launching The Coworking Salary Survey 2026",
        "categories": ["careers"],
        "tags": ["coworking-career", "coworking-jobs"],
        "days_ago": 5,
        "words": 980,
    },
    {
        "slug": "how-to-run-a-community-breakfast",
        "title": "How to Run a Community Breakfast Members Love",
        "categories": ["community"],
        "tags": ["events", "coworking-community"],
        "days_ago": 12,
        "words": 600,
    },
]


def seed(context: dict[str, object]) -> None:
    cities = {}
    for name, slug, lat, lon in CITIES:
        cities[slug], _ = City.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "latitude": Decimal(lat), "longitude": Decimal(lon), "is_confirmed": True},
        )
    spaces = {}
    for slug, name, address, city, lat, lon, subdomain, linkedin, tier, tz in SPACES:
        spaces[slug], _ = Space.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "address": address,
                "city": cities[city],
                "latitude": Decimal(lat),
                "longitude": Decimal(lon),
                "subdomain": subdomain,
                "linkedin_url": linkedin,
                "plan_tier": tier,
                "timezone": tz,
                "is_confirmed": True,
            },
        )
    Plan.objects.update_or_create(
        id=6, defaults={"name": "Featured", "price": Decimal("49.00"), "currency": "EUR", "expiration_days": 60}
    )
    space = spaces["example-coworking"]
    for job in JOBS:
        services.job_post(owner=context["owner"], key_space_id=space.pk, **job)

    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    for space_slug, title, days, hours, location, city in EVENTS:
        start = (now + timedelta(days=days)).replace(hour=9)
        Event.objects.update_or_create(
            space=spaces.get(space_slug),
            title=title,
            defaults={
                "start_at": start,
                "end_at": start + timedelta(hours=hours),
                "location": location,
                "city": cities[city] if city else None,
                "description": f"{title}: everyone is welcome, members and guests.",
                "url": f"https://example.com/events/{slugify(title)}",
                "is_published": True,
            },
        )

    author, _ = BlogAuthor.objects.update_or_create(username="pauline", defaults={"name": "Pauline Roussel"})
    for post in POSTS:
        body = "<p>" + " ".join(["coworking"] * post["words"]) + "</p><h2>Take part</h2><p>Tell us what you earn.</p>"
        blog_post, _ = BlogPost.objects.update_or_create(
            slug=post["slug"],
            defaults={
                "title": post["title"],
                "body": body,
                "date": now - timedelta(days=post["days_ago"]),
                "is_published": True,
            },
        )
        categories = [
            BlogCategory.objects.get_or_create(slug=slug, defaults={"name": slug.title()})[0]
            for slug in post["categories"]
        ]
        tags = [BlogTag.objects.get_or_create(slug=slug, defaults={"name": slug})[0] for slug in post["tags"]]
        blog_post.categories.set(categories)
        blog_post.tags.set(tags)
        blog_post.authors.set([author])

    context["space"] = space
    context["cities"] = cities
