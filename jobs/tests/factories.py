"""Factories of the directory's models. Jobs are made listed (active, expiring in 30 days)
unless told otherwise; their fingerprint and secret are unique per row."""

from __future__ import annotations

import secrets
from datetime import timedelta

import factory
from django.utils import timezone

from jobs.models import (
    FREE_PLAN_ID,
    BlogAuthor,
    BlogCategory,
    BlogPost,
    BlogTag,
    City,
    Event,
    Job,
    Plan,
    Space,
)


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    latitude = "52.520000"
    longitude = "13.405000"


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    name = factory.Sequence(lambda n: f"Space {n}")
    slug = factory.Sequence(lambda n: f"space-{n}")
    subdomain = factory.Sequence(lambda n: f"space{n}")
    address = "Sample Street 12"
    city = factory.SubFactory(CityFactory)


def free_plan() -> Plan:
    """The free plan a data migration creates; made again here because a transactional test
    (``django_db(transaction=True)``) flushes every table, migration data included, for
    the tests that run after it."""
    return Plan.objects.get_or_create(
        pk=FREE_PLAN_ID, defaults={"name": "Free", "price": 0, "currency": "EUR", "expiration_days": 30}
    )[0]


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    id = factory.Sequence(lambda n: 100 + n)
    name = factory.Sequence(lambda n: f"Featured {n}")
    price = 49
    expiration_days = 60


class JobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Job

    title = factory.Sequence(lambda n: f"Community Manager {n}")
    slug = factory.Sequence(lambda n: f"community-manager-{n}")
    company = "Coworking Studio"
    description = "<p>Lead member experience.</p>"
    job_type = Job.JobType.FULLTIME
    tags = "community,events"
    external_url = factory.Sequence(lambda n: f"https://example.com/careers/{n}?ref=coworkiesjobs")
    city = factory.SubFactory(CityFactory)
    plan = factory.LazyFunction(free_plan)
    status = Job.Status.ACTIVE
    is_paid = True
    dedupe_hash = factory.LazyFunction(lambda: secrets.token_hex(32))
    hash_identifier = factory.LazyFunction(lambda: secrets.token_hex(16))
    date_added = factory.LazyFunction(timezone.now)
    published_at = factory.LazyFunction(timezone.now)
    expiration_date = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    space = factory.SubFactory(SpaceFactory)
    title = factory.Sequence(lambda n: f"Community breakfast {n}")
    description = "Coffee and croissants."
    start_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    end_at = factory.LazyAttribute(lambda event: event.start_at + timedelta(hours=2))
    location = "Sample Street 12"
    url = "https://example.com/events/breakfast"


class BlogCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlogCategory
        django_get_or_create = ("slug",)

    slug = "careers"
    name = factory.LazyAttribute(lambda category: category.slug.title())


class BlogTagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlogTag
        django_get_or_create = ("slug",)

    slug = "coworking-jobs"
    name = factory.LazyAttribute(lambda tag: tag.slug.replace("-", " "))


class BlogAuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlogAuthor
        django_get_or_create = ("username",)

    username = "pauline"
    name = "Pauline Roussel"


class BlogPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BlogPost
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Launching The Coworking Salary Survey {n}")
    slug = factory.Sequence(lambda n: f"launching-the-coworking-salary-survey-{n}")
    body = "<p>" + "word " * 950 + "</p>"
    date = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    is_published = True

    @factory.post_generation
    def terms(post, create, extracted, **kwargs):
        if not create:
            return
        post.categories.add(BlogCategoryFactory())
        post.tags.add(BlogTagFactory(), BlogTagFactory(slug="coworking-career"))
        post.authors.add(BlogAuthorFactory())
