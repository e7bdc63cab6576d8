"""The coworking directory (``shared/spec/coworkies-api.txt``): cities, coworking spaces,
job plans and jobs, events, blog posts, feedback and newsletter subscriptions; and the
spaces' bookable resources and memberships (``shared/spec/cobot-bookings-api.txt``; the
resource bookings themselves live in ``bookings/resources/``).

Field names follow the domain; the API layer maps them to the spec's wire names
(``id_city``, ``city_name``, ``space_url`` …) in ``jobs/api/serializers.py`` and
``jobs/selectors.py``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from accounts.validators import validate_timezone
from coliving.api.routing import SUBDOMAIN
from coliving.api.tenancy import TenantQuerySet
from jobs.normalise import fold
from jobs.querysets import BlogPostQuerySet, CityQuerySet, EventQuerySet, JobQuerySet, SpaceQuerySet


class City(models.Model):
    """A city of the directory; only confirmed cities are listed by the API or take jobs.

    ``search_name`` is the name case- and accent-folded (``"São Paulo"`` → ``"sao paulo"``),
    kept in step with ``name`` on save: job creation resolves ``city_name`` against it
    (exact, then prefix) on any database, without PostgreSQL's ``unaccent``.
    """

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    search_name = models.CharField(max_length=120, db_index=True, editable=False, default="")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    is_confirmed = models.BooleanField(default=True)

    objects = CityQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "cities"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.search_name = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)


class Space(models.Model):
    """A coworking space. API keys may be bound to one; its resources are booked by the hour.

    ``slug`` is the directory's ``space_url``; ``subdomain`` is the space's host name part
    for the Cobot-compatible API (``<subdomain>.<SPACES_DOMAIN>``); ``timezone`` is the IANA
    zone its opening hours and bookings are expressed in.
    """

    class PlanTier(models.TextChoices):
        FREE = "free", "Free"
        PRO = "pro", "Pro"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The space_url of the directory.")
    address = models.CharField(max_length=300, blank=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="spaces")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    linkedin_url = models.URLField(blank=True)
    subdomain = models.SlugField(
        max_length=63,
        unique=True,
        null=True,
        blank=True,
        # What the routing reaches (coliving/api/routing.py SUBDOMAIN): a DNS label in lower case.
        validators=[
            RegexValidator(
                rf"\A{SUBDOMAIN}\Z",
                "Lower-case letters, digits and inner hyphens only: the space's host name part.",
            )
        ],
    )
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="IANA time zone, e.g. Europe/Berlin."
    )
    plan_tier = models.CharField(max_length=10, choices=PlanTier.choices, default=PlanTier.FREE)
    is_confirmed = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


FREE_PLAN_ID = 5


class Plan(models.Model):
    """A job posting plan. Its price decides what a new job becomes: a free plan publishes it
    at once, a paid one leaves it a draft until it is paid for.

    The id is chosen by staff, not generated: partners send it as ``id_plan`` and the free
    plan is id 5 (the spec's default), created by a data migration.
    """

    id = models.PositiveSmallIntegerField(primary_key=True)
    name = models.CharField(max_length=100)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")
    expiration_days = models.PositiveSmallIntegerField(default=30, help_text="Days a published job stays listed.")
    is_active = models.BooleanField(default=True, help_text="Only active plans can be chosen for new jobs.")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(expiration_days__gte=1), name="jobs_plan_expiration_days_min"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="jobs_plan_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def is_free(self) -> bool:
        return self.price == 0


class Job(models.Model):
    """A job posting of the board.

    Status is never set by a client: the plan decides (``jobs/services.py``). ``active``
    jobs are listed until ``expiration_date``; ``draft`` ones are saved but hidden (a paid
    plan before payment, or unpublished); ``expired`` ones are hidden and kept, and can be
    relisted. ``dedupe_hash`` fingerprints the normalised title, company, city and source
    URL: one job per fingerprint, enforced by the database. ``hash_identifier`` is the
    secret that the edit and unpublish links carry.

    ``owner`` is the account whose API key posted the job, ``space`` the coworking space it
    belongs to (the posting key's, when the key is bound to one).
    """

    class Status(models.TextChoices):
        ACTIVE = "active"
        DRAFT = "draft"
        EXPIRED = "expired"

    class JobType(models.TextChoices):
        FULLTIME = "fulltime"
        PARTTIME = "parttime"
        FREELANCE = "freelance"
        INTERNSHIP = "internship"

    class Currency(models.TextChoices):
        EUR = "EUR"
        USD = "USD"
        GBP = "GBP"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100, help_text="page_url is <slug>-<id>.")
    company = models.CharField(max_length=200)
    description = models.TextField(help_text="Sanitised HTML: p, br, ul, ol, li, h2, h3, strong, em, a.")
    job_type = models.CharField(max_length=20, choices=JobType.choices)
    tags = models.CharField(max_length=500, help_text="Comma-separated, trimmed, lowercased, de-duplicated.")
    is_remote = models.BooleanField(default=False)
    external_url = models.URLField(max_length=1000, blank=True, help_text="Source listing, with ?ref=coworkiesjobs.")
    apply_url = models.URLField(max_length=1000, blank=True)
    company_logo = models.CharField(max_length=255, blank=True)
    inv_email = models.EmailField(blank=True, help_text="Contact address for notifications.")
    currency = models.CharField(max_length=3, choices=Currency.choices, default=Currency.EUR)
    sal_min = models.PositiveIntegerField(null=True, blank=True)
    sal_max = models.PositiveIntegerField(null=True, blank=True)
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="jobs")
    space = models.ForeignKey(Space, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs")
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="jobs", default=FREE_PLAN_ID)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_paid = models.BooleanField(default=False, help_text="Nothing is owed: a free plan, or the plan was paid.")
    dedupe_hash = models.CharField(max_length=64, unique=True, editable=False)
    hash_identifier = models.CharField(max_length=32, unique=True, editable=False)
    date_added = models.DateTimeField(editable=False)
    date_updated = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    expiration_date = models.DateTimeField(null=True, blank=True)
    click_count = models.PositiveIntegerField(default=0, editable=False)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-date_added", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(sal_min__isnull=True)
                | models.Q(sal_max__isnull=True)
                | models.Q(sal_min__lte=models.F("sal_max")),
                name="jobs_job_salary_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["active", "draft", "expired"]), name="jobs_job_status"
            ),
        ]
        indexes = [
            # The public list: active jobs, newest first.
            models.Index(
                fields=["-date_added", "-id"], condition=models.Q(status="active"), name="jobs_job_active_recent"
            ),
            models.Index(fields=["status", "expiration_date"], name="jobs_job_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.company}"

    @property
    def page_url(self) -> str:
        return page_url(self.slug, self.pk)


def page_url(slug: str, pk: int) -> str:
    """``remote-software-developer-1234``: the job's path segment on the board."""
    return f"{slug}-{pk}"


class Event(models.Model):
    """An event at a coworking space (or, without a space, of the platform itself)."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="Leave empty to use the space's city.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    location = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    is_published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["start_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_at__gte=models.F("start_at")), name="jobs_event_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["end_at", "start_at"], name="jobs_event_when")]

    def __str__(self) -> str:
        return self.title


class BlogCategory(models.Model):
    """A blog category; the API names it by slug."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "blog categories"

    def __str__(self) -> str:
        return self.name


class BlogTag(models.Model):
    """A blog tag; the API names it by slug."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.name


class BlogAuthor(models.Model):
    """Who wrote a post, as the API shows it: ``{"name", "username"}``."""

    name = models.CharField(max_length=150)
    username = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


WORDS_PER_MINUTE = 200


class BlogPost(models.Model):
    """A blog post. ``reading_time`` (minutes) is derived from the body on save, so lists
    never load bodies to compute it."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True, help_text="The post's slug_url.")
    body = models.TextField(help_text="HTML; sanitised when rendered.")
    categories = models.ManyToManyField(BlogCategory, blank=True, related_name="posts")
    tags = models.ManyToManyField(BlogTag, blank=True, related_name="posts")
    authors = models.ManyToManyField(BlogAuthor, blank=True, related_name="posts")
    date = models.DateTimeField(help_text="Publication date; a post dated in the future is not listed yet.")
    reading_time = models.PositiveSmallIntegerField(default=1, editable=False)
    is_published = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BlogPostQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["-date", "-id"], condition=models.Q(is_published=True), name="jobs_blog_recent")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.reading_time = reading_time(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "reading_time"}
        super().save(*args, **kwargs)


def reading_time(html: str) -> int:
    """Whole minutes to read ``html``'s text at ``WORDS_PER_MINUTE``, at least 1."""
    from jobs.normalise import text_of

    words = len(text_of(html).split())
    return max(1, -(-words // WORDS_PER_MINUTE))


class Feedback(models.Model):
    """A message sent through ``POST /v2/feedback`` (no key needed); staff read them in the admin."""

    message = models.TextField(max_length=5000)
    email = models.EmailField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    category = models.CharField(max_length=50, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    is_read = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return self.message[:60]


class NewsletterSubscription(models.Model):
    """A newsletter address, double opt-in: ``is_confirmed`` only once the link in the
    confirmation email is followed. ``token`` authorises that link and the unsubscribe one."""

    email = models.EmailField(unique=True, help_text="Stored lowercased.")
    token = models.CharField(max_length=64, unique=True, editable=False)
    source = models.CharField(max_length=100, blank=True)
    is_confirmed = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.email

    @property
    def is_subscribed(self) -> bool:
        return self.is_confirmed and self.unsubscribed_at is None


# --- Cobot-compatible resource booking: a space's resources and memberships -------------------
# (shared/spec/cobot-bookings-api.txt; the bookings themselves are bookings.ResourceBooking)

BOOKING_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00")


def validate_booking_times(value) -> None:
    """Cobot's ``booking_times``: ``[{"from": "10:00", "to": "17:00", "weekdays": [1, 2]}]``.

    Times are the space's local ``HH:MM`` (``24:00`` ends a day), ``from`` before ``to``;
    ``weekdays`` are ISO (1 = Monday … 7 = Sunday), empty or missing for every day. An
    empty list means the resource can be booked at any time.
    """
    if not isinstance(value, list):
        raise ValidationError("Booking times must be a list of windows.")
    for index, window in enumerate(value, start=1):
        if not isinstance(window, dict) or not {"from", "to"} <= window.keys() <= {"from", "to", "weekdays"}:
            raise ValidationError(f"Window {index}: needs from and to (HH:MM) and optional weekdays.")
        start, end = window["from"], window["to"]
        if not all(isinstance(t, str) and BOOKING_TIME.fullmatch(t) for t in (start, end)):
            raise ValidationError(f"Window {index}: from and to are HH:MM times, 00:00 to 24:00.")
        if start >= end:
            raise ValidationError(f"Window {index}: from must be before to.")
        weekdays = window.get("weekdays") or []
        if not isinstance(weekdays, list) or not all(type(d) is int and 1 <= d <= 7 for d in weekdays):
            raise ValidationError(f"Window {index}: weekdays are 1 (Monday) to 7 (Sunday).")


class SpaceRowQuerySet(TenantQuerySet):
    """Rows of one coworking space: ``space`` tenancy narrows them to the request's space."""

    space_lookup = "space_id"


class ResourceQuerySet(SpaceRowQuerySet):
    def visible_to(self, membership: Membership) -> ResourceQuerySet:
        """Hidden resources are for the space's admins: members neither see nor book them."""
        return self if membership.is_admin else self.filter(hidden=False)


class Resource(models.Model):
    """Something a space rents by the hour (Cobot's resources): a meeting room, a pool of desks.

    ``units`` are identical copies booked independently (10 desks: ten bookings at once);
    ``capacity`` is people per unit, information only. ``min_booking_duration`` /
    ``max_booking_duration`` are minutes and ``booking_times`` the windows members may book
    in (the space's local time, see ``validate_booking_times``); both bind members, and
    admins only when they ask for it. ``cancellation_period`` is the hours before a
    booking's start after which its member may no longer change or delete it. An
    ``admins_only`` resource answers ``can_book: false`` to members, and a ``hidden`` one
    is not shown to them at all.
    """

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="resources")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    units = models.PositiveIntegerField(default=1, help_text="Identical copies that can be booked at the same time.")
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="People per unit (information only).")
    price_per_hour = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="EUR")
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, help_text="Percent.")
    accounting_code = models.CharField(max_length=50, blank=True)
    min_booking_duration = models.PositiveIntegerField(null=True, blank=True, help_text="Minutes (members).")
    max_booking_duration = models.PositiveIntegerField(null=True, blank=True, help_text="Minutes (members).")
    booking_times = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_booking_times],
        help_text='Windows in the space\'s time zone, e.g. [{"from": "09:00", "to": "18:00", "weekdays": [1, 2, 3, 4, '
        "5]}]; weekdays 1 = Monday … 7 = Sunday, empty = every day; an empty list = any time.",
    )
    cancellation_period = models.PositiveIntegerField(
        default=0, help_text="Hours before the start after which members can no longer change or delete a booking."
    )
    admins_only = models.BooleanField(default=False, help_text="Only the space's admins may book it.")
    hidden = models.BooleanField(default=False, help_text="Not shown to members.")
    color = models.CharField(max_length=7, blank=True, help_text="#rrggbb")
    photo = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["space", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(units__gte=1), name="jobs_resource_units_min"),
            models.CheckConstraint(condition=models.Q(price_per_hour__gte=0), name="jobs_resource_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(min_booking_duration__isnull=True)
                | models.Q(max_booking_duration__isnull=True)
                | models.Q(min_booking_duration__lte=models.F("max_booking_duration")),
                name="jobs_resource_min_duration_le_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.space})"


class Membership(models.Model):
    """A person's membership of a space. An API key acts as its owner's active membership of
    the space a request names: as a member, or as an admin when ``role`` is admin."""

    class Role(models.TextChoices):
        MEMBER = "member", "Member"
        ADMIN = "admin", "Admin"

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="memberships")
    name = models.CharField(max_length=200, help_text="Shown on the space's bookings.")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SpaceRowQuerySet.as_manager()

    class Meta:
        ordering = ["space", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="jobs_membership_one_per_space")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()}, {self.space})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN
