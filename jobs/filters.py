"""Query parameters of the directory's lists (``shared/spec/coworkies-api.txt``): a value
that cannot be understood is a 422 ``validation_error``, never silently ignored."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import django_filters
from django.db.models import Q
from django.utils import timezone

from jobs.models import BlogPost, City, Event, Job, Space
from jobs.normalise import fold

TRUE_VALUES = ("1", "true")
BOOLEAN_CHOICES = [(value, value) for value in ("1", "true", "0", "false")]


class JobFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", max_length=100, help_text="Search title, company or tags.")
    job_type = django_filters.ChoiceFilter(choices=Job.JobType.choices, help_text="Only jobs of this type.")
    remote = django_filters.ChoiceFilter(
        choices=BOOLEAN_CHOICES,
        method="remote_only",
        help_text="1 or true: remote jobs only (0, false or absent: all jobs).",
    )
    city = django_filters.CharFilter(field_name="city__slug", max_length=120, help_text="City slug, e.g. berlin.")

    class Meta:
        model = Job
        fields = ["q", "job_type", "remote", "city"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(company__icontains=value) | Q(tags__icontains=value))

    def remote_only(self, queryset, name, value):
        return queryset.filter(is_remote=True) if value in TRUE_VALUES else queryset


class CityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="slug", max_length=120, help_text="Exact city slug, e.g. berlin.")
    search = django_filters.CharFilter(
        method="search_name", max_length=120, help_text="Part of the name, any case or accents, e.g. berl."
    )

    class Meta:
        model = City
        fields = ["q", "search"]

    def search_name(self, queryset, name, value):
        folded = fold(value)
        return queryset.filter(search_name__contains=folded) if folded else queryset


class SpaceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="city__slug", max_length=120, help_text="City slug, e.g. berlin.")

    class Meta:
        model = Space
        fields = ["q"]


def _day_start(value) -> datetime:
    return timezone.make_aware(datetime.combine(value, time.min), timezone.get_current_timezone())


class EventFilterSet(django_filters.FilterSet):
    """``from`` / ``to`` are dates (UTC days): events still running on or after ``from``,
    starting on or before ``to``. Without either, only events that have not ended."""

    date_from = django_filters.DateFilter(method="ends_from", help_text="YYYY-MM-DD: events not ended before it.")
    date_to = django_filters.DateFilter(method="starts_until", help_text="YYYY-MM-DD: events starting by its end.")
    city = django_filters.CharFilter(method="in_city", max_length=120, help_text="City slug, e.g. berlin.")

    class Meta:
        model = Event
        fields = ["date_from", "date_to", "city"]

    def ends_from(self, queryset, name, value):
        return queryset.filter(end_at__gte=_day_start(value))

    def starts_until(self, queryset, name, value):
        return queryset.filter(start_at__lt=_day_start(value + timedelta(days=1)))

    def in_city(self, queryset, name, value):
        return queryset.in_city(value)

    def filter_queryset(self, queryset):
        if self.form.cleaned_data.get("from") is None and self.form.cleaned_data.get("to") is None:
            queryset = queryset.upcoming()
        return super().filter_queryset(queryset)


# ``from`` and ``to`` are the spec-style names; ``from`` is a Python keyword, so rename here.
EventFilterSet.base_filters["from"] = EventFilterSet.base_filters.pop("date_from")
EventFilterSet.base_filters["to"] = EventFilterSet.base_filters.pop("date_to")


class BlogFilterSet(django_filters.FilterSet):
    category = django_filters.CharFilter(
        field_name="categories__slug", max_length=100, help_text="Category slug, e.g. careers."
    )
    tag = django_filters.CharFilter(field_name="tags__slug", max_length=100, help_text="Tag slug.")

    class Meta:
        model = BlogPost
        fields = ["category", "tag"]
