"""Page pagination in the view's family: ``?page=&per_page=`` and a ``pagination`` object.

``{"success": true, "data": [...], "pagination": {"total", "per_page", "current_page",
"total_pages", "has_next", "has_previous"}}`` — the family's success envelope (with
``status`` for coworkies; Cobot lists are bare) plus the ``pagination`` object.
``per_page`` is capped (100 by default); a page past the end is an empty list, not a 404,
so a poller can loop until ``has_next`` is false. A non-numeric ``page``/``per_page`` is
the family's validation error.
"""

from __future__ import annotations

import math

from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from coliving.api.families import Family


class PageParams(serializers.Serializer):
    page = serializers.IntegerField(min_value=1, default=1, max_value=1_000_000)
    per_page = serializers.IntegerField(min_value=1, required=False)


class PagePagination(BasePagination):
    max_per_page = 100
    default_per_page = 20
    family = Family.COLIVING  # the view's, once paginate_queryset has seen it

    def paginate_queryset(self, queryset, request, view=None):
        self.family = getattr(view, "family", self.family)
        params = PageParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        self.page = params.validated_data["page"]
        self.per_page = params.validated_data.get("per_page", self.default_per_page)
        if self.per_page > self.max_per_page:
            raise serializers.ValidationError(
                {"per_page": [f"Ensure this value is less than or equal to {self.max_per_page}."]}
            )
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
                "schema": {"type": "integer", "minimum": 1, "maximum": 1_000_000},
            },
            {
                "name": "per_page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_per_page},
            },
        ]
