"""Staff screens of the directory: cities and spaces (with a confirm action), plans, job
moderation (publish, unpublish, expire), events, blog posts (with a preview), the feedback
inbox and newsletter subscriptions (CSV export). Every change with a rule goes through
``jobs/services.py``, as it does from the API."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from jobs import services
from jobs.models import (
    BlogAuthor,
    BlogCategory,
    BlogPost,
    BlogTag,
    City,
    Event,
    Feedback,
    Job,
    Membership,
    NewsletterSubscription,
    Plan,
    Resource,
    Space,
)
from jobs.normalise import BLOG_TAGS, sanitise

URLS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "latitude", "longitude", "is_confirmed")
    list_filter = ("is_confirmed",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    actions = ("confirm",)

    @admin.action(description="Confirm the selected cities")
    def confirm(self, request, queryset):
        count = services.cities_confirm(cities=queryset)
        self.message_user(request, f"{count} cities confirmed.", messages.SUCCESS)


@admin.register(Space)
class SpaceAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "subdomain", "plan_tier", "timezone", "is_confirmed")
    list_filter = ("is_confirmed", "plan_tier", "city")
    list_select_related = ("city",)
    search_fields = ("name", "slug", "subdomain")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("city",)
    formfield_overrides = URLS
    actions = ("confirm",)

    @admin.action(description="Confirm the selected spaces")
    def confirm(self, request, queryset):
        count = services.spaces_confirm(spaces=queryset)
        self.message_user(request, f"{count} spaces confirmed.", messages.SUCCESS)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "price", "currency", "expiration_days", "is_active")
    list_filter = ("is_active",)

    def get_readonly_fields(self, request, obj=None):
        return ("id",) if obj is not None else ()


class JobAdminForm(forms.ModelForm):
    external_url = forms.URLField(assume_scheme="https", max_length=1000, required=False)
    apply_url = forms.URLField(assume_scheme="https", max_length=1000, required=False)

    class Meta:
        model = Job
        fields = (
            *("title", "company", "description", "job_type", "tags", "is_remote", "company_logo", "city", "space"),
            *("external_url", "apply_url", "inv_email", "currency", "sal_min", "sal_max", "plan", "expiration_date"),
        )

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.job_prepare_for_save(job=self.instance)
        except ValidationError as exc:
            self.add_error(None, exc)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    form = JobAdminForm
    list_display = ("id", "title", "company", "city", "space", "job_type", "status", "plan", "expiration_date")
    list_filter = ("status", "job_type", "is_remote", "plan", "space", "city")
    list_select_related = ("city", "space", "plan")
    search_fields = ("title", "company", "tags")
    autocomplete_fields = ("city", "space")
    date_hierarchy = "date_added"
    formfield_overrides = URLS
    readonly_fields = (
        "status",
        "is_paid",
        "slug",
        "owner",
        "dedupe_hash",
        "hash_identifier",
        "date_added",
        "date_updated",
        "published_at",
        "click_count",
    )
    fieldsets = (
        (None, {"fields": ("title", "company", "description", "job_type", "tags", "is_remote", "company_logo")}),
        ("Where", {"fields": ("city", "space")}),
        ("Links and contact", {"fields": ("external_url", "apply_url", "inv_email")}),
        ("Salary", {"fields": ("currency", "sal_min", "sal_max")}),
        ("Publication", {"fields": ("plan", "status", "is_paid", "published_at", "expiration_date")}),
        (
            "Record",
            {
                "fields": (
                    *("slug", "owner", "dedupe_hash", "hash_identifier"),
                    *("date_added", "date_updated", "click_count"),
                )
            },
        ),
    )
    actions = ("publish", "unpublish", "expire")

    def _each(self, request, queryset, change, done: str) -> None:
        for job in queryset:
            change(job=job)
        self.message_user(request, f"{queryset.count()} jobs {done}.", messages.SUCCESS)

    @admin.action(description="Publish the selected jobs (for their plan's days, marked paid)")
    def publish(self, request, queryset):
        self._each(request, queryset, services.job_publish, "published")

    @admin.action(description="Unpublish the selected jobs (back to draft)")
    def unpublish(self, request, queryset):
        self._each(request, queryset, services.job_unpublish, "unpublished")

    @admin.action(description="Expire the selected jobs")
    def expire(self, request, queryset):
        self._each(request, queryset, services.job_expire, "expired")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("title", "space", "city", "start_at", "end_at", "is_published")
    list_filter = ("is_published", "space", "city")
    list_select_related = ("space", "city")
    search_fields = ("title", "location")
    autocomplete_fields = ("space", "city")
    date_hierarchy = "start_at"
    formfield_overrides = URLS


@admin.register(BlogCategory)
class BlogCategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(BlogTag)
class BlogTagAdmin(BlogCategoryAdmin):
    pass


@admin.register(BlogAuthor)
class BlogAuthorAdmin(admin.ModelAdmin):
    list_display = ("name", "username")
    search_fields = ("name", "username")


@admin.register(BlogPost)
class BlogPostAdmin(admin.ModelAdmin):
    list_display = ("title", "date", "is_published", "reading_time", "preview_link")
    list_filter = ("is_published", "categories", "tags")
    search_fields = ("title", "slug")
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("categories", "tags", "authors")
    readonly_fields = ("reading_time", "preview_link")
    date_hierarchy = "date"

    def get_urls(self):
        preview = path("<int:post_id>/preview/", self.admin_site.admin_view(self.preview), name="jobs_blogpost_preview")
        return [preview, *super().get_urls()]

    @admin.display(description="Preview")
    def preview_link(self, obj: BlogPost) -> str:
        if obj.pk is None:
            return "—"
        return format_html('<a href="{}">preview</a>', reverse("admin:jobs_blogpost_preview", args=[obj.pk]))

    def preview(self, request, post_id: int):
        post = BlogPost.objects.filter(pk=post_id).prefetch_related("categories", "tags", "authors").first()
        if post is None or not self.has_view_permission(request, post):
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Preview: {post.title}",
            "post": post,
            # Sanitised exactly as the API serves it, so the preview shows what readers get.
            "body": mark_safe(sanitise(post.body, allowed=BLOG_TAGS)),  # noqa: S308 — nh3 output
        }
        return TemplateResponse(request, "admin/jobs/blogpost/preview.html", context)


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ("created_at", "excerpt", "email", "category", "url", "is_read")
    list_filter = ("is_read", "category")
    search_fields = ("message", "email", "url")
    readonly_fields = ("message", "email", "url", "category", "ip", "user_agent", "created_at")
    date_hierarchy = "created_at"
    actions = ("mark_read", "mark_unread")

    def has_add_permission(self, request):
        return False

    @admin.display(description="Message")
    def excerpt(self, obj: Feedback) -> str:
        return obj.message if len(obj.message) <= 80 else obj.message[:79] + "…"

    @admin.action(description="Mark as read")
    def mark_read(self, request, queryset):
        queryset.update(is_read=True)

    @admin.action(description="Mark as unread")
    def mark_unread(self, request, queryset):
        queryset.update(is_read=False)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = ("email", "is_confirmed", "confirmed_at", "unsubscribed_at", "source", "created_at")


@admin.register(NewsletterSubscription)
class NewsletterSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "is_confirmed", "confirmed_at", "unsubscribed_at", "source", "created_at")
    list_filter = ("is_confirmed", ("unsubscribed_at", admin.EmptyFieldListFilter), "source")
    search_fields = ("email",)
    readonly_fields = ("confirmation_sent_at", "confirmed_at", "created_at")
    exclude = ("token",)
    date_hierarchy = "created_at"
    actions = ("export_csv",)

    @admin.action(description="Export the selected subscriptions as CSV")
    def export_csv(self, request, queryset):
        writer = csv.writer(_Echo())
        rows = queryset.order_by("email").values_list(*CSV_COLUMNS).iterator()
        lines = (writer.writerow([_cell(value) for value in row]) for row in rows)
        response = StreamingHttpResponse(
            (line for chunk in ([writer.writerow(CSV_COLUMNS)], lines) for line in chunk),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="newsletter-subscriptions.csv"'
        return response


# --- Cobot-compatible resource booking: resources and memberships of a space ------------------


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ("name", "space", "units", "capacity", "price_per_hour", "currency", "admins_only", "hidden")
    list_filter = ("admins_only", "hidden", "space")
    list_select_related = ("space",)
    search_fields = ("name", "space__name", "space__subdomain")
    autocomplete_fields = ("space",)
    formfield_overrides = URLS
    fieldsets = (
        (None, {"fields": ("space", "name", "description", "units", "capacity")}),
        ("Price", {"fields": ("price_per_hour", "currency", "tax_rate", "accounting_code")}),
        (
            "Booking rules",
            {
                "fields": (
                    "booking_times",
                    "min_booking_duration",
                    "max_booking_duration",
                    "cancellation_period",
                    "admins_only",
                ),
                "description": "Booking times, durations and the cancellation period bind members; admins may book "
                "outside them. Times are the space's local time.",
            },
        ),
        ("Display", {"fields": ("hidden", "color", "photo")}),
    )


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "space", "role", "is_active", "created_at")
    list_filter = ("role", "is_active", "space")
    list_select_related = ("space", "user")
    search_fields = ("name", "user__email", "space__name", "space__subdomain")
    autocomplete_fields = ("space", "user")
