"""The URLconf of a space's own host, ``<subdomain>.<SPACES_DOMAIN>``: the Cobot-compatible
family at ``/api/…`` (the same views as ``/spaces/<subdomain>/api/…``), selected per request
by ``coliving.api.routing.SpaceHostMiddleware``. Anything else on such a host is not found.

``urlpatterns`` is built on first use, after the root URLconf (``settings.ROOT_URLCONF``,
whichever it is) has filled the registry with its mounts.
"""

from importlib import import_module

from django.conf import settings

from coliving.api.exceptions import api_not_found
from coliving.api.routing import registry
from coliving.urls import handler400, handler403, handler404, handler500

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]  # noqa: F822 — urlpatterns comes from __getattr__


def __getattr__(name: str):
    if name == "urlpatterns":
        import_module(settings.ROOT_URLCONF)
        return registry.space_host_urlpatterns(api_not_found)
    raise AttributeError(name)
