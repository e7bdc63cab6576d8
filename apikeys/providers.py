"""The ``{provider}`` segment of Integrations API paths.

An unknown or disabled provider is 404 ``unsupported_provider``; a key bound to a
provider may only use that provider's paths (403).
"""

from __future__ import annotations

import threading
import time
import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from drf_spectacular.utils import OpenApiParameter

from apikeys.models import Provider
from coliving.api.errors import Forbidden, NotFound

# The longest a process serves its copy when it cannot read the shared version (Redis down).
CACHE_SECONDS = 60
VERSION_KEY = "apikeys:providers:version"


class ActiveProviders:
    """The active providers by slug, kept per process instead of read on every request.

    The table holds a handful of rows that staff change rarely. Every change (admin, shell,
    any instance) writes a new token under ``VERSION_KEY`` in the shared cache once it
    commits; each request compares that token — one Redis ``GET``, no SQL — with the one
    its copy was loaded under and reloads on a difference. So a provider switched off is
    refused by every instance on its next request. Whatever happens to the cache (Redis
    unreachable, the token evicted), no copy is older than ``CACHE_SECONDS``. It saves a
    query on every Integrations API call (the bookings feed is polled often). See
    docs/instances.md.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_slug: dict[str, Provider] | None = None
        self._loaded_at = 0.0
        self._version: str | None = None

    def get(self, slug: str) -> Provider | None:
        version = cache.get(VERSION_KEY)
        with self._lock:
            stale = (
                self._by_slug is None or version != self._version or time.monotonic() - self._loaded_at > CACHE_SECONDS
            )
            if stale:
                self._by_slug = {p.slug: p for p in Provider.objects.filter(is_active=True)}
                self._loaded_at = time.monotonic()
                self._version = version
            return self._by_slug.get(slug)

    def clear(self) -> None:
        with self._lock:
            self._by_slug = None


active_providers = ActiveProviders()


def providers_changed() -> None:
    """Make every process reload the providers: now in this one, on its next request in others."""
    active_providers.clear()
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


@receiver(post_save, sender=Provider)
@receiver(post_delete, sender=Provider)
def _provider_changed(**kwargs) -> None:
    active_providers.clear()
    # The shared token after the commit: a process reloading before it would keep the old
    # rows under the new token.
    transaction.on_commit(providers_changed)


def provider_for_request(request, slug: str) -> Provider:
    provider = active_providers.get(slug)
    if provider is None:
        raise NotFound(f"Unsupported provider: {slug}", code="unsupported_provider")
    key = request.auth
    if key is not None and key.provider_id is not None and key.provider_id != provider.pk:
        raise Forbidden("This API key is bound to another provider", code="provider_mismatch")
    return provider


class ProviderMixin:
    """For views under ``/v2/integrations/<provider>/``: ``self.provider`` after ``initial``.

    Resolved after authentication and permissions, so a missing key is still 401 first.
    """

    provider: Provider
    # Documented once here for every integrations path (coliving/api/schema.py reads it).
    schema_parameters = [
        OpenApiParameter(
            "provider",
            {"type": "string", "pattern": "^[-a-zA-Z0-9_]+$"},
            OpenApiParameter.PATH,
            description="The integration provider's slug, e.g. mangobeds; an unknown one is 404 unsupported_provider.",
        )
    ]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.provider = provider_for_request(request, kwargs["provider"])
