"""The Cobot-compatible resource booking routes (``shared/spec/cobot-bookings-api.txt``),
served under ``/spaces/<subdomain>/api/`` and on ``<subdomain>.<SPACES_DOMAIN>/api/``
(``coliving.api.routing.space_mount``). Every route here takes the space from
``coliving.api.routing.space_subdomain``."""

urlpatterns: list = []
