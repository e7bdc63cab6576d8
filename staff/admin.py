"""The security log in the admin: read-only, filterable by actor, key, action and date,
exportable as CSV (the current filters apply to the export)."""

from __future__ import annotations

import csv
import json
from itertools import chain

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.urls import path

from staff.models import SecurityEvent

CSV_COLUMNS = ("at", "action", "actor", "actor_id", "api_key", "api_key_id", "ip", "details")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    text = json.dumps(value, sort_keys=True) if isinstance(value, dict) else str(value)
    # A failed login's "actor" is whatever was typed: never let a spreadsheet run it as a formula.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    list_display = ("at", "action", "actor", "api_key", "ip", "details")
    list_filter = (
        "action",
        ("at", admin.DateFieldListFilter),
        ("actor", admin.AllValuesFieldListFilter),
        ("api_key", admin.AllValuesFieldListFilter),
    )
    search_fields = ("actor", "api_key", "ip")
    date_hierarchy = "at"
    list_per_page = 100
    change_list_template = "admin/staff/securityevent/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        export = path(
            "export.csv",
            self.admin_site.admin_view(self.export_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_export",
        )
        return [export, *super().get_urls()]

    def export_view(self, request):
        """The events the change list shows with the same filters and search, all pages, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        events = changelist.get_queryset(request).order_by("at", "id").values_list(*CSV_COLUMNS)
        writer = csv.writer(_Echo())
        rows = chain([CSV_COLUMNS], ([_cell(value) for value in row] for row in events.iterator(chunk_size=2000)))
        response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="security-log.csv"'
        return response
