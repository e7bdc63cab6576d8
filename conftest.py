"""Shared fixtures: one API client per credential kind, and a clean slate per test.

- ``api_client``: no credentials.
- ``key_client(scopes=…, prefix=…, space=…, provider=…, owner=…)``: a client sending a
  fresh key in ``X-API-Key``; the key and its owner are ``client.api_key`` and
  ``client.owner``.
"""

from __future__ import annotations

import contextlib
import os
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from apikeys.providers import active_providers
from apikeys.tests.factories import make_key
from apikeys.usage import usage_buffer

# `make mutate`: mutmut marks its test processes with MUTANT_UNDER_TEST (the plugin says why).
pytest_plugins = ["coliving.tests.mutation"] if "MUTANT_UNDER_TEST" in os.environ else []


@pytest.fixture(autouse=True)
def _isolated(settings):
    # Rate-limit counters live in the cache; usage counts in a per-process buffer.
    if hasattr(cache, "delete_pattern"):
        cache.delete_pattern("*")
    else:
        cache.clear()
    usage_buffer._take()
    active_providers.clear()  # providers made by an earlier (rolled back) test must not linger
    # Usage is flushed explicitly by the tests that look at it, never in the middle of a
    # query-count assertion.
    settings.APIKEY_USAGE_FLUSH_SECONDS = 10**9
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def key_client(db):
    def make(scopes=(), *, header: str = "X-API-Key", **options) -> APIClient:
        key, raw = make_key(scopes=scopes, **options)
        client = APIClient()
        if header == "X-API-Key":
            client.credentials(HTTP_X_API_KEY=raw)
        else:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.api_key, client.raw_key, client.owner = key, raw, key.owner
        return client

    return make


requires_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (row locks and real concurrency)"
)


@contextlib.contextmanager
def as_another_database():
    """Run what any database but PostgreSQL runs (the portable paths) on this one too: Django's
    ``connection.vendor`` says ``sqlite`` meanwhile, so a dispatch on it takes the other branch."""
    with mock.patch.object(connection, "vendor", "sqlite"):
        yield
