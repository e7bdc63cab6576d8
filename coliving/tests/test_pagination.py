"""``page`` and ``per_page``: plain numbers are read without the serializer, and must be read
exactly as ``PageParams`` reads them; anything else is ``PageParams``'s to accept or refuse."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from rest_framework import serializers

from coliving.api.pagination import MAX_PAGE, LinkHeaderPagination, PagePagination, PageParams
from jobs.api.pagination import JobPagination


def through_serializer(pagination, query: QueryDict) -> tuple[int, int]:
    params = PageParams(data=query)
    params.is_valid(raise_exception=True)
    size = params.validated_data.get("per_page", pagination.default_per_page)
    if size > pagination.max_per_page:
        raise serializers.ValidationError({"per_page": ["too large"]})
    return params.validated_data["page"], size


@pytest.mark.parametrize("pagination_class", [PagePagination, LinkHeaderPagination, JobPagination])
@pytest.mark.parametrize(
    "query",
    [
        # plain numbers: read directly
        "page=1",
        "per_page=1",
        "page=2&per_page=20",
        "page=007&per_page=050",
        "per_page=50",
        "per_page=100",
        "per_page=1000",
        f"page={MAX_PAGE - 1}",
        "page=3&page=4",
        # the serializer's to accept or refuse
        f"page={MAX_PAGE}",
        f"page={MAX_PAGE + 1}",
        "page=0",
        "per_page=0",
        "per_page=1001",
        "page=",
        "page=x",
        "page=-1",
        "page=1.5",
        "page= 2",
        "page=\u0663",
    ],
)
def test_page_params_read_as_the_serializer_reads_them(pagination_class, query):
    pagination, data = pagination_class(), QueryDict(query)
    try:
        expected = through_serializer(pagination, data)
    except serializers.ValidationError:
        with pytest.raises(serializers.ValidationError):
            pagination.page_params(data)
    else:
        assert pagination.page_params(data) == expected


def test_a_refusal_is_the_serializers_own():
    with pytest.raises(serializers.ValidationError) as refused:
        PagePagination().page_params(QueryDict("page=0"))
    with pytest.raises(serializers.ValidationError) as expected:
        PageParams(data=QueryDict("page=0")).is_valid(raise_exception=True)
    assert refused.value.detail == expected.value.detail


def test_the_jobs_list_without_page_or_per_page_answers_its_unpaged_maximum():
    assert JobPagination().page_params(QueryDict("")) == (1, JobPagination.unpaged_max)
    assert JobPagination().page_params(QueryDict("page=2")) == (2, JobPagination.default_per_page)
