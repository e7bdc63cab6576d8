"""The URLconf of a space's own host, ``<subdomain>.<SPACES_DOMAIN>``: the Cobot-compatible
family at ``/api/…`` (the same views as ``/spaces/<subdomain>/api/…``), selected per request
by ``coliving.api.routing.SpaceHostMiddleware``. Anything else on such a host is not found."""

from coliving.api.exceptions import api_not_found
from coliving.api.routing import registry

# Importing the root URLconf also fills the registry with its mounts.
from coliving.urls import handler400, handler403, handler404, handler500

urlpatterns = registry.space_host_urlpatterns(api_not_found)

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]
