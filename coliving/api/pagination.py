"""Page pagination in the view's family: ``?page=&per_page=`` and a ``pagination`` object.

``{"success": true, "data": [...], "pagination": {"total", "per_page", "current_page",
"total_pages", "has_next", "has_previous"}}`` — the family's success envelope (with
``status`` for coworkies; Cobot lists are bare) plus the ``pagination`` object.
``per_page`` is capped (100 by default); a page past the end is an empty list, not a 404,
so a poller can loop until ``has_next`` is false. A non-numeric ``page``/``per_page`` is
the family's validation error.

``LinkHeaderPagination`` is for lists whose spec shows a bare JSON array: the body stays
the array and the paging moves to headers, ``X-Total-Count`` and an RFC 8288 ``Link``
with ``next`` / ``prev`` (the GitHub API's convention).
"""

from __future__ import annotations

import math

from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from coliving.api.families import Family

MAX_PAGE = 1_000_000
# Numbers of up to this many digits are below MAX_PAGE: read without the serializer.
_FAST_DIGITS = len(str(MAX_PAGE)) - 1


class PageParams(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1, max_value=MAX_PAGE)
    per_page = serializers.IntegerField(min_value=1, required=False)


class PagePagination(BasePagination):
    max_per_page = 100
    default_per_page = 20
    family = Family.COLIVING  # the view's, once paginate_queryset has seen it

    def page_params(self, query) -> tuple[int, int]:
        """``(page, per_page)`` of the query string. Plain in-range numbers are read directly
        (every list call has them, and building the serializer cost more than the rest of
        the paging); anything else goes through ``PageParams``, whose errors are the family's
        validation error."""
        page, per_page = query.get("page"), query.get("per_page")
        given = [value for value in (page, per_page) if value is not None]
        if all(value.isascii() and value.isdigit() and len(value) <= _FAST_DIGITS for value in given):
            number = int(page) if page is not None else 1
            size = int(per_page) if per_page is not None else self.default_per_page
            if number >= 1 and 1 <= size <= self.max_per_page:
                return number, size
        params = PageParams(data=query)
        params.is_valid(raise_exception=True)
        size = params.validated_data.get("per_page", self.default_per_page)
        if size > self.max_per_page:
            raise serializers.ValidationError(
                {"per_page": [f"Ensure this value is less than or equal to {self.max_per_page}."]}
            )
        return params.validated_data["page"], size

    def paginate_queryset(self, queryset, request, view=None):
        self.family = getattr(view, "family", self.family)
        self.page, self.per_page = self.page_params(request.query_params)
        self.total = queryset.count()
        offset = (self.page - 1) * self.per_page
        return list(queryset[offset : offset + self.per_page])

    def pagination_data(self) -> dict[str, object]:
        total_pages = max(1, math.ceil(self.total / self.per_page))
        return {
            "total": self.total,
            "per_page": self.per_page,
            "current_page": self.page,
            "total_pages": total_pages,
            "has_next": self.page < total_pages,
            "has_previous": self.page > 1,
        }

    def get_paginated_response(self, data):
        if self.family is Family.COBOT:
            return Response(data)
        return Response({**self.family.success(data), "pagination": self.pagination_data()})

    def get_paginated_response_schema(self, schema):
        if self.family is Family.COBOT:
            return schema
        envelope = {"success": {"type": "boolean"}}
        if self.family is Family.COWORKIES:
            envelope["status"] = {"type": "integer"}
        return {
            "type": "object",
            "required": [*envelope, "data", "pagination"],
            "properties": {
                **envelope,
                "data": schema,
                "pagination": {
                    "type": "object",
                    "properties": {
                        "total": {"type": "integer"},
                        "per_page": {"type": "integer"},
                        "current_page": {"type": "integer"},
                        "total_pages": {"type": "integer"},
                        "has_next": {"type": "boolean"},
                        "has_previous": {"type": "boolean"},
                    },
                },
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": "page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_per_page},
            },
        ]


class LinkHeaderPagination(PagePagination):
    """A bare JSON array, paged through headers: ``X-Total-Count`` and ``Link`` (RFC 8288).

    ``per_page`` defaults to the cap, so without ``page``/``per_page`` a client gets every
    row up to ``max_per_page`` and, only when there are more, a ``Link`` with ``rel="next"``.
    The links repeat the request's other query parameters (filters) and spell out
    ``per_page``, so following them never changes the page size.
    """

    max_per_page = 1000
    default_per_page = max_per_page

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        return super().paginate_queryset(queryset, request, view)

    def link_header(self) -> str | None:
        total_pages = max(1, math.ceil(self.total / self.per_page))
        url = replace_query_param(self.request.build_absolute_uri(), "per_page", self.per_page)
        links = []
        if self.page < total_pages:
            links.append((self.page + 1, "next"))
        if self.page > 1:  # past the end, prev is the last page
            links.append((min(self.page - 1, total_pages), "prev"))
        return ", ".join(f'<{replace_query_param(url, "page", page)}>; rel="{rel}"' for page, rel in links) or None

    def get_paginated_response(self, data):
        headers = {"X-Total-Count": str(self.total)}
        link = self.link_header()
        if link:
            headers["Link"] = link
        return Response(data, headers=headers)

    def get_paginated_response_schema(self, schema):
        return schema

    def get_schema_response_headers(self) -> dict[str, dict]:
        """The headers of a 2xx list response, for ``coliving/api/schema.py``."""
        return {
            "X-Total-Count": {
                "schema": {"type": "integer", "minimum": 0},
                "description": "How many rows match, over all pages.",
            },
            "Link": {
                "schema": {"type": "string"},
                "description": 'RFC 8288 links to the other pages: `<…?page=2&per_page=100>; rel="next"` while '
                'more rows follow, `rel="prev"` from page 2 on. Absent when everything fits in one page.',
            },
        }
