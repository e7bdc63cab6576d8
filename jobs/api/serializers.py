"""Input and output serializers of the Coworkies directory endpoints.

Input serializers check types and sizes and map wire names to domain names (``id_city`` →
``city_id``); the rules (city resolution, plan, space, salary range, dedupe) are the
services'. Output serializers name the spec's fields; the list endpoints render
``jobs/selectors.py`` rows and use these to document them (a test keeps both equal).
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coliving.api.converters import MAX_ID
from jobs.models import Job
from jobs.selectors import amount, iso, job_links

REQUIRED = "{label} is required"


def _messages(label: str) -> dict[str, str]:
    return {
        "required": REQUIRED.format(label=label),
        "blank": REQUIRED.format(label=label),
        "null": REQUIRED.format(label=label),
    }


def http_url(value: str) -> str:
    value = value.strip()
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise serializers.ValidationError("Enter an absolute http(s) URL.")
    return value


class CurrencyField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Job.Currency.values, **kwargs)
        self.error_messages["invalid_choice"] = "Currency must be EUR, USD or GBP"

    def to_internal_value(self, data):
        return super().to_internal_value(data.upper() if isinstance(data, str) else data)


class JobContentSerializer(serializers.Serializer):
    """The fields a job's content is made of (create and PATCH)."""

    title = serializers.CharField(max_length=200, error_messages=_messages("Job title"))
    company = serializers.CharField(max_length=200, error_messages=_messages("Company name"))
    description = serializers.CharField(
        max_length=20_000,
        trim_whitespace=False,
        error_messages=_messages("Job description"),
        help_text="Plain text or basic HTML: p, br, ul, ol, li, h2, h3, strong, em, a (http(s) links). Anything "
        "else is removed.",
    )
    job_type = serializers.ChoiceField(
        choices=Job.JobType.values,
        error_messages={
            **_messages("Job type"),
            "invalid_choice": "Job type must be fulltime, parttime, freelance or internship",
        },
    )
    id_city = serializers.IntegerField(
        source="city_id",
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="City ID from GET /v2/cities. Required unless city_name is given.",
    )
    city_name = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="City name, resolved server-side: exact match, then prefix, any case or accents.",
    )
    tags = serializers.CharField(
        max_length=500,
        error_messages=_messages("Tags"),
        help_text="Comma-separated; trimmed, lowercased, de-duplicated.",
    )
    external_url = serializers.CharField(
        max_length=900,
        required=False,
        allow_blank=True,
        validators=[http_url],
        help_text="Source listing; ?ref=coworkiesjobs is appended (its other parameters kept).",
    )
    apply_url = serializers.CharField(max_length=1000, required=False, allow_blank=True, validators=[http_url])
    is_remote = serializers.BooleanField(required=False, default=False, help_text="0 or 1 (default 0).")
    inv_email = serializers.CharField(
        max_length=254,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="Contact email for notifications; an invalid one falls back to the default address.",
    )
    currency = CurrencyField(required=False, default="EUR", help_text="EUR, USD or GBP (default EUR).")
    sal_min = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False, allow_null=True)
    sal_max = serializers.IntegerField(min_value=0, max_value=100_000_000, required=False, allow_null=True)


class JobCreateSerializer(JobContentSerializer):
    id_space = serializers.IntegerField(
        source="space_id",
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="A confirmed coworking space; a key bound to a space posts for that space only.",
    )
    id_plan = serializers.IntegerField(
        source="plan_id",
        min_value=1,
        max_value=32767,
        required=False,
        default=5,
        help_text="Pricing plan (default 5, the free plan); must be active. A free plan publishes at once, a paid "
        "one leaves the job a draft with a payment_url.",
    )

    def to_internal_value(self, data):
        # "City ID is required" is reported with the other fields' errors, as the spec's
        # example shows them together, not only once every field is valid.
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)  # "Invalid data. Expected a dictionary…"
        errors: dict = {}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            errors, value = dict(exc.detail), None
        city_id, city_name = data.get("id_city"), data.get("city_name")
        if city_id in (None, "") and not (city_name.strip() if isinstance(city_name, str) else city_name):
            errors.setdefault("id_city", ["City ID is required"])
        if errors:
            raise serializers.ValidationError(errors)
        return value


class JobUpdateSerializer(JobContentSerializer):
    """PATCH: any content field; status, plan and space are not the client's to change."""

    def validate(self, attrs):
        read_only = sorted(set(self.initial_data) - set(self.fields))
        if read_only:
            raise serializers.ValidationError({name: [f"{name} cannot be changed"] for name in read_only})
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change")
        return attrs


# --- output ---------------------------------------------------------------------------------


class JobListItemSerializer(serializers.Serializer):
    id_job = serializers.IntegerField()
    title = serializers.CharField()
    company = serializers.CharField()
    job_type = serializers.ChoiceField(choices=Job.JobType.values)
    tags = serializers.CharField(help_text="Comma-separated.")
    is_remote = serializers.BooleanField()
    page_url = serializers.CharField(help_text="<slug>-<id_job>")
    external_url = serializers.CharField(allow_null=True)
    apply_url = serializers.CharField(allow_null=True)
    company_logo = serializers.CharField(allow_null=True)
    date_added = serializers.DateTimeField()
    expiration_date = serializers.DateTimeField(allow_null=True)
    city_name = serializers.CharField()
    city_slug = serializers.CharField()
    space_name = serializers.CharField(allow_null=True)
    sal_min = serializers.CharField(allow_null=True, help_text="A whole number, as a string.")
    sal_max = serializers.CharField(allow_null=True, help_text="A whole number, as a string.")
    currency = serializers.ChoiceField(choices=Job.Currency.values)
    url = serializers.URLField(help_text="The job's page on the board.")


class CityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _links(job: Job) -> dict[str, str]:
    return job_links(slug=job.slug, pk=job.pk, hash_identifier=job.hash_identifier)


class JobSerializer(serializers.Serializer):
    """One job as the key that manages it sees it (GET and PATCH /v2/jobs/{id})."""

    id_job = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    company = serializers.CharField()
    description = serializers.CharField()
    job_type = serializers.ChoiceField(choices=Job.JobType.values)
    tags = serializers.CharField()
    is_remote = serializers.BooleanField()
    page_url = serializers.CharField()
    external_url = serializers.SerializerMethodField()
    apply_url = serializers.SerializerMethodField()
    company_logo = serializers.SerializerMethodField()
    inv_email = serializers.CharField()
    status = serializers.ChoiceField(choices=Job.Status.choices)
    is_paid = serializers.BooleanField()
    hash_identifier = serializers.CharField()
    dedupe_hash = serializers.CharField()
    id_city = serializers.IntegerField(source="city_id")
    city_name = serializers.CharField(source="city.name")
    city_slug = serializers.CharField(source="city.slug")
    id_space = serializers.IntegerField(source="space_id", allow_null=True)
    space_name = serializers.CharField(source="space.name", allow_null=True, default=None)
    id_plan = serializers.IntegerField(source="plan_id")
    plan_price = serializers.SerializerMethodField()
    sal_min = serializers.SerializerMethodField()
    sal_max = serializers.SerializerMethodField()
    currency = serializers.ChoiceField(choices=Job.Currency.values)
    click_count = serializers.IntegerField()
    date_added = serializers.SerializerMethodField()
    date_updated = serializers.SerializerMethodField()
    published_at = serializers.SerializerMethodField()
    expiration_date = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField(help_text="The job's page on the board (null unless listed).")
    edit_url = serializers.SerializerMethodField()
    unpublish_url = serializers.SerializerMethodField()
    payment_url = serializers.SerializerMethodField(help_text="Null unless the plan is still to be paid.")

    def get_external_url(self, job) -> str | None:
        return job.external_url or None

    def get_apply_url(self, job) -> str | None:
        return job.apply_url or None

    def get_company_logo(self, job) -> str | None:
        return job.company_logo or None

    def get_plan_price(self, job) -> float:
        return amount(job.plan.price)

    def get_sal_min(self, job) -> str | None:
        return None if job.sal_min is None else str(job.sal_min)

    def get_sal_max(self, job) -> str | None:
        return None if job.sal_max is None else str(job.sal_max)

    def get_date_added(self, job) -> str:
        return iso(job.date_added)

    def get_date_updated(self, job) -> str:
        return iso(job.date_updated)

    def get_published_at(self, job) -> str | None:
        return iso(job.published_at)

    def get_expiration_date(self, job) -> str | None:
        return iso(job.expiration_date)

    def get_url(self, job) -> str | None:
        return _links(job)["view_url"] if job.status == Job.Status.ACTIVE else None

    def get_edit_url(self, job) -> str:
        return _links(job)["edit_url"]

    def get_unpublish_url(self, job) -> str:
        return _links(job)["unpublish_url"]

    def get_payment_url(self, job) -> str | None:
        return None if job.is_paid else _links(job)["payment_url"]


class JobPostedSerializer(serializers.Serializer):
    """The answer to POST /v2/jobs: the spec's 201 example, field for field."""

    job_id = serializers.IntegerField(source="job.pk")
    page_url = serializers.CharField(source="job.page_url")
    hash_identifier = serializers.CharField(source="job.hash_identifier", help_text="The edit/unpublish secret.")
    status = serializers.ChoiceField(source="job.status", choices=Job.Status.choices)
    action = serializers.ChoiceField(choices=["created", "updated"])
    dedupe_hash = serializers.CharField(source="job.dedupe_hash")
    is_paid = serializers.BooleanField(source="job.is_paid", help_text="Nothing is owed (free plan, or paid).")
    city = serializers.SerializerMethodField()
    apply_url = serializers.SerializerMethodField()
    plan_price = serializers.SerializerMethodField()
    expiration_days = serializers.IntegerField(source="job.plan.expiration_days")
    message = serializers.CharField()
    view_url = serializers.SerializerMethodField(help_text="Null while the job is a draft.")
    payment_url = serializers.SerializerMethodField(help_text="Null unless the plan is still to be paid.")
    edit_url = serializers.SerializerMethodField()
    unpublish_url = serializers.SerializerMethodField()

    @extend_schema_field(CityRefSerializer)
    def get_city(self, posted) -> dict:
        return {"id": posted.job.city_id, "name": posted.job.city.name}

    def get_apply_url(self, posted) -> str | None:
        return posted.job.apply_url or None

    def get_plan_price(self, posted) -> float:
        return amount(posted.job.plan.price)

    def get_view_url(self, posted) -> str | None:
        return _links(posted.job)["view_url"] if posted.job.status == Job.Status.ACTIVE else None

    def get_payment_url(self, posted) -> str | None:
        return None if posted.job.is_paid else _links(posted.job)["payment_url"]

    def get_edit_url(self, posted) -> str:
        return _links(posted.job)["edit_url"]

    def get_unpublish_url(self, posted) -> str:
        return _links(posted.job)["unpublish_url"]


class CitySerializer(serializers.Serializer):
    id_city = serializers.CharField(help_text="The city's id, as a string (job creation takes it as an integer).")
    city_name = serializers.CharField()
    city_slug = serializers.CharField()
    latitude = serializers.CharField(allow_null=True)
    longitude = serializers.CharField(allow_null=True)


class SpaceSerializer(serializers.Serializer):
    space_name = serializers.CharField()
    space_url = serializers.CharField(help_text="The space's slug.")
    space_address = serializers.CharField()
    latitude = serializers.CharField(allow_null=True)
    longitude = serializers.CharField(allow_null=True)
    city_name = serializers.CharField()


class CitySpaceSerializer(serializers.Serializer):
    id_space = serializers.IntegerField()
    space_name = serializers.CharField()
    space_url = serializers.CharField()
    space_address = serializers.CharField()
    latitude = serializers.CharField(allow_null=True)
    longitude = serializers.CharField(allow_null=True)
    linkedin_url = serializers.URLField(allow_null=True)


class CitySpacesSerializer(CitySerializer):
    spaces = CitySpaceSerializer(many=True)


class EventSerializer(serializers.Serializer):
    id_event = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    start_date = serializers.DateTimeField()
    end_date = serializers.DateTimeField()
    location = serializers.CharField(allow_null=True)
    url = serializers.URLField(allow_null=True)
    space_name = serializers.CharField(allow_null=True)
    space_url = serializers.CharField(allow_null=True)
    city_name = serializers.CharField(allow_null=True)
    city_slug = serializers.CharField(allow_null=True)


class BlogAuthorSerializer(serializers.Serializer):
    name = serializers.CharField()
    username = serializers.CharField()


class BlogPostSerializer(serializers.Serializer):
    title = serializers.CharField()
    slug_url = serializers.CharField()
    categories = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())
    date = serializers.DateTimeField()
    authors = BlogAuthorSerializer(many=True)
    reading_time = serializers.IntegerField(help_text="Minutes, from the body's word count.")


class BlogParamsSerializer(serializers.Serializer):
    category = serializers.CharField(max_length=100, required=False, help_text="Posts of this category (its slug).")
    tag = serializers.CharField(max_length=100, required=False, help_text="Posts with this tag (its slug).")
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10, help_text="Results per page (default 10).")
    offset = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0, help_text="Skip N results.")
    slug = serializers.CharField(max_length=200, required=False, help_text="Fetch one post by its slug_url.")


class FeedbackSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=5000, error_messages=_messages("Feedback message"))
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    url = serializers.CharField(max_length=500, required=False, allow_blank=True)
    category = serializers.CharField(max_length=50, required=False, allow_blank=True)


class NewsletterSubscribeSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, error_messages={"required": "Email is required"})
    source = serializers.CharField(max_length=100, required=False, allow_blank=True)
