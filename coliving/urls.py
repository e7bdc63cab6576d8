"""The URL map: admin, OpenAPI documents, and each API family's routes.

Every API family is mounted through ``coliving.api.routing`` so that the family of any
path — routed or not — is known from this file alone (see that module).
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from coliving.api.discovery import ApiRootView
from coliving.api.exceptions import api_not_found
from coliving.api.families import Family
from coliving.api.routing import mount, registry, sandbox_mount, space_mount
from coliving.landing import landing

handler400 = "coliving.api.exceptions.handler400"
handler403 = "coliving.api.exceptions.handler403"
handler404 = "coliving.api.exceptions.handler404"
handler500 = "coliving.api.exceptions.handler500"

urlpatterns = [
    path("", landing, name="landing"),
    path("admin/2fa/", include("staff.urls")),  # second factor for staff (staff/urls.py)
    path("admin/", admin.site.urls),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    # Both load everything from this host (the sidecar's assets) under the CSP in settings:
    # Swagger UI's init script comes from its own URL (?script), Redoc's carries the nonce.
    path("schema/swagger-ui/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "schema/redoc/",
        SpectacularRedocView.as_view(url_name="schema", template_name="docs/redoc.html"),
        name="redoc",
    ),
    path("schema/", landing),  # the schema is /schema; with a slash, a person is looking for the docs
    # Coworkies directory (shared/spec/coworkies-api.txt): /v2 itself and /v2/health.
    *mount(Family.COWORKIES, "v2", "coliving.api.urls", root=ApiRootView.as_view()),
    *mount(Family.COWORKIES, "v2", "jobs.api.urls"),
    # Coliving partner and integrations APIs; unknown /v2 paths answer in this family's shape.
    *mount(Family.COLIVING, "v2", "apikeys.api.urls", default=True),
    *mount(Family.COLIVING, "v2", "accounts.api.urls"),
    *mount(Family.COLIVING, "v2", "listings.api.urls"),
    *mount(Family.COLIVING, "v2", "bookings.api.urls"),
    # Their sandbox twins, /v2/sandbox/…: the same views on the key owner's sandbox data.
    *sandbox_mount(
        Family.COLIVING, ["apikeys.api.urls", "accounts.api.urls", "listings.api.urls", "bookings.api.urls"]
    ),
    # The host JSON feed's helper endpoints live under /json (shared/spec/coliving-json-feed.txt).
    *mount(Family.COLIVING, "json", "listings.api.feed_urls"),
    # Cobot-compatible resource bookings (shared/spec/cobot-bookings-api.txt).
    *space_mount("bookings.api.resource_urls"),
    path("", include("jobs.urls")),  # /llms.txt, /llms-full.txt, the newsletter email pages
    *([path("bench/", include("bench.urls"))] if settings.BENCH_VIEWS else []),
    # Unknown paths under every mounted prefix get the family's JSON 404, never an HTML page.
    registry.catch_all(api_not_found),
]
