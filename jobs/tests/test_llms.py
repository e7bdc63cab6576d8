"""``/llms.txt`` and ``/llms-full.txt`` are generated from the OpenAPI schema and the views."""

from __future__ import annotations

import pytest

from jobs import llms

COWORKIES_OPERATIONS = [
    "GET /v2",
    "GET /v2/health",
    "GET /v2/jobs",
    "POST /v2/jobs",
    "GET /v2/jobs/{id}",
    "PATCH /v2/jobs/{id}",
    "POST /v2/jobs/{id}/unpublish",
    "GET /v2/cities",
    "GET /v2/spaces",
    "GET /v2/city_spaces",
    "GET /v2/events",
    "GET /v2/blog",
    "POST /v2/feedback",
    "POST /v2/newsletters/subscribe",
]


@pytest.fixture(autouse=True)
def _fresh():
    llms._cached.cache_clear()
    yield
    llms._cached.cache_clear()


def test_llms_txt_lists_every_coworkies_endpoint_and_no_other(client):
    response = client.get("/llms.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Coworkies API\n\n> ")
    for operation in COWORKIES_OPERATIONS:
        assert f"- `{operation}` — " in text, operation
    assert "/v2/bookings" not in text and "/v2/listings" not in text  # other families
    assert "- `GET /v2/jobs` — List Jobs (key with scope `jobs:read` or `read`)" in text
    assert "- `POST /v2/feedback` — Submit Feedback (public, no key)" in text
    assert "[Complete reference](http://testserver/llms-full.txt)" in text


def test_llms_full_txt_documents_parameters_bodies_responses_and_errors(client):
    text = client.get("/llms-full.txt").content.decode()
    for operation in COWORKIES_OPERATIONS:
        method, path = operation.split(" ")
        assert f"### {method} {path} — " in text, operation
    jobs_list = text.split("### GET /v2/jobs — ")[1].split("### ")[0]
    assert "- `per_page` (query, integer, optional)" in jobs_list
    # The named JobTypeEnum (the parameter refers to it), in the model's order.
    assert "- `job_type` (query, one of `fulltime`, `parttime`, `freelance`, `internship`, optional)" in jobs_list
    assert "- `id_job` (integer, required)" in jobs_list
    assert "- `total` (integer, required): Rows matching the query." in jobs_list
    create = text.split("### POST /v2/jobs — ")[1].split("### ")[0]
    assert "Request body (application/json" in create
    assert "Also accepted as application/x-www-form-urlencoded or multipart/form-data, with the same fields." in create
    assert "- `title` (string, required, max length 200)" in create
    assert "- `city_name` (string | null, optional, max length 120): City name, resolved" in create
    assert (
        "- `currency` (one of `EUR`, `USD`, `GBP`, optional, default 'EUR'): EUR, USD or GBP (default EUR)." in create
    )
    assert "- `Idempotency-Key` (header, string, optional)" in create
    assert "- 201: Created or updated (see `action`)." in create
    assert "- 422 `validation_error`" in create and "- 401 `unauthorized`" in create
    assert "- 429 `rate_limit_exceeded`" in create
    assert "## Error codes" in text and "- 405 `method_not_allowed`" in text


def test_the_text_is_built_once_per_base_url(client, monkeypatch):
    calls = []
    real = llms._schema
    monkeypatch.setattr(llms, "_schema", lambda: calls.append(1) or real())
    client.get("/llms.txt")
    client.get("/llms.txt")
    assert len(calls) == 1


def test_only_get_and_head_are_allowed(client):
    assert client.post("/llms.txt").status_code == 405
    assert client.head("/llms-full.txt").status_code == 200
