"""The per-process copy of the active providers (``apikeys/providers.py``): a change committed
in any process is seen by every other on its next request, through a version token in the
shared cache; without the token no copy is older than ``CACHE_SECONDS``.

Two ``ActiveProviders`` objects stand for two processes; the cache (Redis in CI) is shared
as it is between instances. ``coliving/tests/test_instances.py`` shows it across real ones.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from apikeys import providers
from apikeys.models import Provider
from apikeys.providers import CACHE_SECONDS, VERSION_KEY, ActiveProviders

pytestmark = pytest.mark.django_db


@pytest.fixture
def mangobeds() -> Provider:
    return Provider.objects.get_or_create(slug="mangobeds", defaults={"name": "Mango Beds"})[0]


def test_a_warm_copy_answers_without_a_query(mangobeds, django_assert_num_queries):
    process = ActiveProviders()
    with django_assert_num_queries(1):  # 1. the active providers
        assert process.get("mangobeds") == mangobeds
    with django_assert_num_queries(0):
        assert process.get("mangobeds") == mangobeds
        assert process.get("unknown") is None


def test_a_provider_switched_off_is_refused_by_every_process_once_the_change_commits(
    mangobeds, django_capture_on_commit_callbacks
):
    this, other = ActiveProviders(), ActiveProviders()
    assert this.get("mangobeds") == other.get("mangobeds") == mangobeds

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mangobeds.is_active = False
        mangobeds.save()
    # Not committed yet: the token is unchanged, so another process keeps its copy.
    assert other.get("mangobeds") == mangobeds
    for callback in callbacks:
        callback()

    assert this.get("mangobeds") is None
    assert other.get("mangobeds") is None


def test_switching_a_provider_back_on_is_seen_everywhere_too(mangobeds, django_capture_on_commit_callbacks):
    Provider.objects.filter(pk=mangobeds.pk).update(is_active=False)
    process = ActiveProviders()
    assert process.get("mangobeds") is None

    with django_capture_on_commit_callbacks(execute=True):
        mangobeds.save()  # is_active is still True on this instance

    assert process.get("mangobeds") == mangobeds


def test_without_the_shared_token_a_copy_is_kept_at_most_cache_seconds(mangobeds, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(providers.time, "monotonic", lambda: clock[0])
    process = ActiveProviders()
    assert process.get("mangobeds") == mangobeds
    # Changed behind the signals' back (a queryset update), and the token lost (Redis flushed).
    Provider.objects.filter(pk=mangobeds.pk).update(is_active=False)
    cache.delete(VERSION_KEY)

    clock[0] += CACHE_SECONDS - 1
    assert process.get("mangobeds") == mangobeds
    clock[0] += 2
    assert process.get("mangobeds") is None
