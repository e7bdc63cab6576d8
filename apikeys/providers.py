"""The ``{provider}`` segment of Integrations API paths.

An unknown or disabled provider is 404 ``unsupported_provider``; a key bound to a
provider may only use that provider's paths (403).
"""

from __future__ import annotations

import threading
import time

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from drf_spectacular.utils import OpenApiParameter

from apikeys.models import Provider
from coliving.api.errors import Forbidden, NotFound

CACHE_SECONDS = 60


class ActiveProviders:
    """The active providers by slug, read once a minute per process instead of per request.

    The table holds a handful of rows that staff change rarely; a change made in this
    process clears the copy at once, other processes see it within ``CACHE_SECONDS``.
    It saves a query on every Integrations API call (the bookings feed is polled often).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_slug: dict[str, Provider] | None = None
        self._loaded_at = 0.0

    def get(self, slug: str) -> Provider | None:
        with self._lock:
            if self._by_slug is None or time.monotonic() - self._loaded_at > CACHE_SECONDS:
                self._by_slug = {p.slug: p for p in Provider.objects.filter(is_active=True)}
                self._loaded_at = time.monotonic()
            return self._by_slug.get(slug)

    def clear(self) -> None:
        with self._lock:
            self._by_slug = None


active_providers = ActiveProviders()


@receiver(post_save, sender=Provider)
@receiver(post_delete, sender=Provider)
def _provider_changed(**kwargs) -> None:
    active_providers.clear()


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
