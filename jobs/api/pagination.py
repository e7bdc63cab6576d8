"""The Coworkies lists' pagination: ``data: {"<items>": [...], "pagination": {...}}``.

The spec ("Pagination") nests the list and the pagination object inside ``data`` and gives
the object eight keys (``total``, ``limit``, ``offset``, ``current_count``, ``total_pages``,
``current_page``, ``has_next``, ``has_previous``), where the coliving family puts a six-key
object beside ``data``; hence this subclass rather than a change to the shared one.

``per_page`` is at most 50 (default 20). Without ``page`` and ``per_page`` the spec's
"all active jobs with a total" mode answers every row up to ``unpaged_max`` (100); past
that it pages server-side: the first ``unpaged_max`` rows, ``has_next: true``, and the
client continues with ``page``/``per_page``. A page past the end is an empty list.

Queries: the page (one), plus a ``COUNT`` only when the page alone cannot tell the total
(a full page, or an empty page past the first). A view may shape its page's rows with
``page_rows(queryset)`` (e.g. ``.values_list()`` with joined names): the count then runs on
the queryset as given, without those joins.
"""

from __future__ import annotations

from rest_framework.response import Response

from coliving.api.families import Family
from coliving.api.pagination import PagePagination
from jobs.selectors import pagination


class DirectoryPagination(PagePagination):
    max_per_page = 50
    default_per_page = 20
    unpaged_max = 100
    items_key = "items"  # the list's name inside ``data``
    family = Family.COWORKIES

    def page_params(self, query) -> tuple[int, int]:
        """Without ``page`` and ``per_page``: the first ``unpaged_max`` rows (the spec's
        "all active jobs" mode); otherwise as every paged list reads them."""
        if query.get("page") is None and query.get("per_page") is None:
            return 1, self.unpaged_max
        return super().page_params(query)

    def paginate_queryset(self, queryset, request, view=None):
        self.family = getattr(view, "family", self.family)
        self.page, self.per_page = self.page_params(request.query_params)
        offset = (self.page - 1) * self.per_page
        # The page through the view's row shape (its joins); the count on the bare queryset.
        page_rows = getattr(view, "page_rows", None)
        rows = list((page_rows(queryset) if page_rows else queryset)[offset : offset + self.per_page])
        if (rows or offset == 0) and len(rows) < self.per_page:
            self.total = offset + len(rows)
        else:
            self.total = queryset.count()
        self.offset, self.count = offset, len(rows)
        return rows

    def pagination_data(self) -> dict[str, object]:
        return pagination(total=self.total, limit=self.per_page, offset=self.offset, count=self.count)

    def get_paginated_response(self, data):
        return Response(self.family.success({self.items_key: data, "pagination": self.pagination_data()}))

    def get_paginated_response_schema(self, schema):
        integer, boolean = {"type": "integer"}, {"type": "boolean"}
        pagination_schema = {
            "type": "object",
            "required": [
                "total",
                "limit",
                "offset",
                "current_count",
                "total_pages",
                "current_page",
                "has_next",
                "has_previous",
            ],
            "properties": {
                "total": {**integer, "description": "Rows matching the query."},
                "limit": {**integer, "description": "Rows per page (per_page)."},
                "offset": {**integer, "description": "Rows before this page."},
                "current_count": {**integer, "description": "Rows on this page."},
                "total_pages": integer,
                "current_page": integer,
                "has_next": boolean,
                "has_previous": boolean,
            },
        }
        return {
            "type": "object",
            "required": ["success", "status", "data"],
            "properties": {
                "success": boolean,
                "status": integer,
                "data": {
                    "type": "object",
                    "required": [self.items_key, "pagination"],
                    "properties": {self.items_key: schema, "pagination": pagination_schema},
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        params[0]["description"] = "Page number (default 1)."
        params[1]["description"] = (
            f"Items per page, at most {self.max_per_page} (default {self.default_per_page}). Without page and "
            f"per_page, every row up to {self.unpaged_max} is answered; past that, the first {self.unpaged_max} "
            "and has_next."
        )
        return params


class JobPagination(DirectoryPagination):
    items_key = "jobs"


class EventPagination(DirectoryPagination):
    items_key = "events"
