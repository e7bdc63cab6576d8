"""The ``{provider}`` segment of Integrations API paths.

An unknown or disabled provider is 404 ``unsupported_provider``; a key bound to a
provider may only use that provider's paths (403).
"""

from __future__ import annotations

from apikeys.models import Provider
from coliving.api.errors import Forbidden, NotFound


def provider_for_request(request, slug: str) -> Provider:
    provider = Provider.objects.filter(slug=slug, is_active=True).first()
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

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.provider = provider_for_request(request, kwargs["provider"])
