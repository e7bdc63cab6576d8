"""The Coworkies directory endpoints (``shared/spec/coworkies-api.txt``): jobs, cities,
spaces, city spaces, events, blog, feedback and the newsletter sign-up.

Every view is in the Coworkies family (``{"success", "status", "data"}`` / ``error {code,
message, details[]}``) and declares its scopes and tenancy; ``get_queryset()`` and
``get_object()`` of the base view apply them. Directory reads are ``public`` tenancy (a
space-bound key still sees only its space's jobs, spaces and events); a job is managed
(read in full, changed, unpublished) by the key that may manage it — another space's or
account's job is 403, as the spec says.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    inline_serializer,
)
from rest_framework import serializers

from coliving.api.base import ApiGenericView, ApiView
from coliving.api.client_ip import client_ip
from coliving.api.errors import NotFound
from coliving.api.families import Family
from coliving.api.idempotency import idempotent
from coliving.api.ratelimit import Limit
from coliving.api.schema import CoworkiesError
from jobs import selectors, services
from jobs.api import serializers as s
from jobs.api.pagination import EventPagination, JobPagination
from jobs.filters import BlogFilterSet, CityFilterSet, EventFilterSet, JobFilterSet, SpaceFilterSet
from jobs.models import BlogPost, City, Event, Job, Space

JOB_NOT_FOUND = "Job not found"
FOREIGN_JOB = "This job belongs to another space or account"
BLOG_POST_NOT_FOUND = "Blog post not found"

JOBS_READ = ("jobs:read", "read")
JOBS_WRITE = ("jobs:write", "write")
SPACES_READ = ("spaces:read", "read")
EVENTS_READ = ("events:read", "read")
# Cities are part of every job and space: any directory read scope, and jobs:write (to find id_city).
CITIES_READ = ("read", "jobs:read", "jobs:write", "spaces:read")

CREATE_EXAMPLE = {
    "title": "Community Manager",
    "company": "Coworking Studio",
    "description": "Lead member experience at our Berlin location.",
    "job_type": "fulltime",
    "city_name": "Berlin",
    "tags": "community,events,hospitality",
    "external_url": "https://example.com/careers/cm",
    "apply_url": "https://example.com/careers/cm/apply",
    "is_remote": 0,
    "currency": "EUR",
    "sal_min": 35000,
    "sal_max": 45000,
}


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(CoworkiesError, description=description)


class DirectoryView(ApiGenericView):
    family = Family.COWORKIES

    def perform_content_negotiation(self, request, force=False):
        # One renderer, JSON, whatever the Accept header (coliving/api/negotiation.py falls
        # back to it anyway): skip parsing the header on every list call.
        renderers = self.get_renderers()
        if len(renderers) == 1:
            return renderers[0], renderers[0].media_type
        return super().perform_content_negotiation(request, force)

    def filter_queryset(self, queryset):
        # Building a FilterSet costs more than the rest of a list's Python: skip it when
        # no filter is asked for (the common call).
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is None or not any(
            name in self.request.query_params for name in filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(queryset)


# --- jobs ------------------------------------------------------------------------------------


class JobListCreateView(DirectoryView):
    """``GET /v2/jobs`` (the board) and ``POST /v2/jobs`` (post a job)."""

    read_scope = JOBS_READ
    write_scope = JOBS_WRITE
    tenancy = "public"
    queryset = Job.objects.all()
    filterset_class = JobFilterSet
    pagination_class = JobPagination
    input_serializer_class = s.JobCreateSerializer

    def page_rows(self, queryset):
        return selectors.job_list_rows(queryset)

    @extend_schema(
        operation_id="jobs_list",
        tags=["jobs"],
        summary="List Jobs",
        description="Active, unexpired job postings, newest first, with search and filters. A key bound to a "
        "space sees only that space's jobs. Without `page` and `per_page`, every active job is answered with its "
        f"total, up to {JobPagination.unpaged_max}; past that the first {JobPagination.unpaged_max} with "
        "`has_next: true` (continue with `page`/`per_page`).",
        responses={200: s.JobListItemSerializer(many=True)},
    )
    def get(self, request):
        jobs = self.filter_queryset(self.get_queryset().listed()).order_by("-date_added", "-id")
        return self.get_paginated_response(selectors.job_list_items(self.paginate_queryset(jobs)))

    @extend_schema(
        operation_id="jobs_create",
        tags=["jobs"],
        summary="Create Job",
        description="Posts a job for the key's space. Status is the server's: the plan decides (the free plan, "
        "id 5 and the default, publishes at once; a paid plan leaves a draft with a `payment_url`). A job with the "
        "same normalised title, company, city and source URL (`dedupe_hash`) is updated instead "
        '(`action: "updated"`); if another account posted it, 409. City: `id_city`, or `city_name` resolved '
        "exact-then-prefix (any case or accents); an ambiguous or unknown name is 422 naming the candidates.",
        request=s.JobCreateSerializer,
        responses={
            201: OpenApiResponse(s.JobPostedSerializer, description="Created or updated (see `action`)."),
            403: _error("Missing scope, a restricted key, or id_space of another space than the key's"),
            409: _error("An identical job belongs to another account, or an Idempotency-Key conflict"),
        },
        examples=[OpenApiExample("Create Job", value=CREATE_EXAMPLE, request_only=True)],
    )
    @idempotent
    def post(self, request):
        body = s.JobCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        posted = services.job_post(owner=request.user, key_space_id=request.auth.space_id, **body.validated_data)
        location = reverse("jobs-detail", kwargs={"pk": posted.job.pk})
        return self.respond(s.JobPostedSerializer(posted).data, status=201, headers={"Location": location})


class JobObjectView(DirectoryView):
    read_scope = JOBS_WRITE
    write_scope = JOBS_WRITE
    tenancy = "owner"
    queryset = Job.objects.select_related("city", "space", "plan")
    not_found_message = JOB_NOT_FOUND
    foreign_object_message = FOREIGN_JOB


OBJECT_ERRORS = {
    403: _error(f'Missing scope, a restricted key, or "{FOREIGN_JOB}"'),
    404: _error(f'"{JOB_NOT_FOUND}"'),
}


class JobDetailView(JobObjectView):
    """``GET`` and ``PATCH /v2/jobs/{id}``: one job, as the key that manages it sees it."""

    input_serializer_class = s.JobUpdateSerializer

    @extend_schema(
        operation_id="jobs_retrieve",
        tags=["jobs"],
        summary="Get Job",
        description="A job the key manages (its space's, or for a key bound to no space its owner's), in full.",
        responses={200: s.JobSerializer, **OBJECT_ERRORS},
    )
    def get(self, request, pk: int | None):
        return self.respond(s.JobSerializer(self.get_object()).data)

    @extend_schema(
        operation_id="jobs_update",
        tags=["jobs"],
        summary="Update Job",
        description="Changes any content field of a job the key manages, with the rules of Create Job. Status, "
        "plan and space are not the client's (422 if sent). A change giving it another job's fingerprint is 409.",
        request=s.JobUpdateSerializer,
        responses={200: s.JobSerializer, **OBJECT_ERRORS, 409: _error("Another job has the same fingerprint")},
    )
    def patch(self, request, pk: int | None):
        job = self.get_object()
        body = s.JobUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        job = services.job_update(job=job, changes=body.validated_data)
        return self.respond(s.JobSerializer(job).data)


class JobUnpublishView(JobObjectView):
    """``POST /v2/jobs/{id}/unpublish``: take a listed job off the board (a draft again)."""

    @extend_schema(
        operation_id="jobs_unpublish",
        tags=["jobs"],
        summary="Unpublish Job",
        description="An active job becomes a draft (hidden); a draft or expired job is left as it is.",
        request=None,
        responses={200: s.JobSerializer, **OBJECT_ERRORS},
    )
    def post(self, request, pk: int | None):
        job = services.job_unpublish(job=self.get_object())
        return self.respond(s.JobSerializer(job).data, message="Job unpublished.")


# --- cities and spaces -----------------------------------------------------------------------


class CityListView(DirectoryView):
    """``GET /v2/cities``."""

    read_scope = CITIES_READ
    tenancy = "public"
    queryset = City.objects.confirmed()
    filterset_class = CityFilterSet

    @extend_schema(
        operation_id="cities_list",
        tags=["cities"],
        summary="List Cities",
        description="Confirmed cities. `search` for autocomplete when resolving `id_city` for job creation.",
        responses={200: s.CitySerializer(many=True)},
    )
    def get(self, request):
        return self.respond(selectors.city_items(self.filter_queryset(self.get_queryset()).order_by("name", "id")))


class SpaceListView(DirectoryView):
    """``GET /v2/spaces``."""

    read_scope = SPACES_READ
    tenancy = "public"
    queryset = Space.objects.confirmed()
    filterset_class = SpaceFilterSet

    @extend_schema(
        operation_id="spaces_list",
        tags=["spaces"],
        summary="List Spaces",
        description="Confirmed coworking spaces; `q` filters by city slug. A key bound to a space sees its own.",
        responses={200: s.SpaceSerializer(many=True)},
    )
    def get(self, request):
        return self.respond(selectors.space_items(self.filter_queryset(self.get_queryset()).order_by("name", "id")))


class CitySpacesView(DirectoryView):
    """``GET /v2/city_spaces``."""

    read_scope = SPACES_READ
    tenancy = "public"
    queryset = Space.objects.confirmed()

    @extend_schema(
        operation_id="city_spaces_list",
        tags=["spaces"],
        summary="City Spaces",
        description="Every confirmed space, grouped under its city with the city's metadata, with LinkedIn URLs.",
        responses={200: s.CitySpacesSerializer(many=True)},
    )
    def get(self, request):
        return self.respond(selectors.city_space_groups(self.get_queryset()))


# --- events and blog -------------------------------------------------------------------------


class EventListView(DirectoryView):
    """``GET /v2/events`` (not in the spec's text; its ``events:read`` scope is: the same style)."""

    read_scope = EVENTS_READ
    tenancy = "public"
    queryset = Event.objects.published()
    filterset_class = EventFilterSet
    pagination_class = EventPagination

    def filter_queryset(self, queryset):
        return ApiGenericView.filter_queryset(self, queryset)  # always: "upcoming" is its default

    def page_rows(self, queryset):
        return selectors.event_rows(queryset)

    @extend_schema(
        operation_id="events_list",
        tags=["events"],
        summary="List Events",
        description="Published events, soonest first: upcoming (not yet ended) by default, or those within "
        "`from`–`to`. A key bound to a space sees its own.",
        responses={200: s.EventSerializer(many=True)},
    )
    def get(self, request):
        events = self.filter_queryset(self.get_queryset()).order_by("start_at", "id")
        return self.get_paginated_response(selectors.event_items(self.paginate_queryset(events)))


# The envelope is added by the schema (coliving/api/schema.py): these are the two ``data``s.
BLOG_LIST = inline_serializer(
    "BlogList",
    {
        "posts": s.BlogPostSerializer(many=True),
        "pagination": inline_serializer(
            "BlogPagination",
            {
                "total": serializers.IntegerField(),
                "limit": serializers.IntegerField(),
                "offset": serializers.IntegerField(),
                "current_count": serializers.IntegerField(),
                "total_pages": serializers.IntegerField(),
                "current_page": serializers.IntegerField(),
                "has_next": serializers.BooleanField(),
                "has_previous": serializers.BooleanField(),
            },
        ),
    },
)


class BlogView(DirectoryView):
    """``GET /v2/blog`` (a page of posts) and ``GET /v2/blog?slug=…`` (one post)."""

    read_scope = "read"
    tenancy = "public"
    queryset = BlogPost.objects.published()
    filterset_class = BlogFilterSet
    not_found_message = BLOG_POST_NOT_FOUND

    @extend_schema(
        operation_id="blog_list",
        tags=["blog"],
        summary="List Blog Posts / Get Blog Post",
        description="Published posts, newest first, filtered by `category` / `tag`, paged by `limit` (default "
        "10, at most 50) and `offset`. With `slug`, that one post instead, or 404.",
        parameters=[s.BlogParamsSerializer],  # category, tag, limit, offset, slug, with their bounds
        responses={
            200: PolymorphicProxySerializer(
                component_name="Blog",
                serializers=[BLOG_LIST, s.BlogPostSerializer],
                resource_type_field_name=None,
            ),
            404: _error(f'"{BLOG_POST_NOT_FOUND}" (with slug)'),
        },
    )
    def get(self, request):
        params = s.BlogParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        options = params.validated_data
        posts = self.get_queryset()
        if "slug" in options:
            post = selectors.blog_posts(posts.defer("body").filter(slug=options["slug"])).first()
            if post is None:
                raise NotFound(BLOG_POST_NOT_FOUND)
            return self.respond(selectors.blog_item(post))
        posts = self.filter_queryset(posts).order_by("-date", "-id")
        limit, offset = options["limit"], options["offset"]
        page = list(selectors.blog_posts(posts.defer("body"))[offset : offset + limit])
        total = offset + len(page) if (page or offset == 0) and len(page) < limit else posts.count()
        return self.respond(
            {
                "posts": [selectors.blog_item(post) for post in page],
                "pagination": selectors.pagination(total=total, limit=limit, offset=offset, count=len(page)),
            }
        )


# --- public: feedback and the newsletter -----------------------------------------------------

RECEIVED = inline_serializer("FeedbackReceived", {"received": serializers.BooleanField()})


class FeedbackView(ApiView):
    """``POST /v2/feedback`` (no key; JSON or form-encoded)."""

    family = Family.COWORKIES
    public = True
    input_serializer_class = s.FeedbackSerializer
    extra_rate_limits = (
        Limit("feedback-ip-minute", "ip", rate="5/m", methods=("POST",)),
        Limit("feedback-ip-hour", "ip", rate="30/h", methods=("POST",)),
    )

    @extend_schema(
        operation_id="feedback_create",
        tags=["feedback"],
        summary="Submit Feedback",
        description="No key needed. JSON or form-encoded. `message` is required (at most 5000 characters); "
        "`email`, if sent, must be valid. At most 5 per minute and 30 per hour per client IP.",
        request={
            "application/json": s.FeedbackSerializer,
            "application/x-www-form-urlencoded": s.FeedbackSerializer,
        },
        responses={201: RECEIVED},
    )
    def post(self, request):
        body = s.FeedbackSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.feedback_submit(
            **body.validated_data, ip=client_ip(request), user_agent=request.headers.get("User-Agent", "")
        )
        return self.respond({"received": True}, status=201, message="Thank you for your feedback.")


SUBSCRIBED_MESSAGE = "Thanks! If this address is not subscribed yet, a confirmation email is on its way."


class NewsletterSubscribeView(ApiView):
    """``POST /v2/newsletters/subscribe`` (no key): double opt-in."""

    family = Family.COWORKIES
    public = True
    input_serializer_class = s.NewsletterSubscribeSerializer
    extra_rate_limits = (
        Limit("newsletter-ip-minute", "ip", rate="5/m", methods=("POST",)),
        Limit("newsletter-ip-hour", "ip", rate="20/h", methods=("POST",)),
    )

    @extend_schema(
        operation_id="newsletter_subscribe",
        tags=["newsletter"],
        summary="Newsletter signup",
        description="No key needed. JSON or form-encoded. Sends a confirmation email with a link (double opt-in) "
        "and an unsubscribe link; the subscription counts once the link is followed. The answer is the same "
        "whether the address was new, pending or already subscribed. At most 5 per minute and 20 per hour per "
        "client IP.",
        request={
            "application/json": s.NewsletterSubscribeSerializer,
            "application/x-www-form-urlencoded": s.NewsletterSubscribeSerializer,
        },
        responses={200: inline_serializer("NewsletterSubscribed", {"email": serializers.EmailField()})},
    )
    def post(self, request):
        body = s.NewsletterSubscribeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        email = body.validated_data["email"].strip().lower()
        services.newsletter_subscribe(
            email=email,
            source=body.validated_data.get("source", ""),
            links_base=request.build_absolute_uri("/").rstrip("/"),
        )
        return self.respond({"email": email}, message=SUBSCRIBED_MESSAGE)
