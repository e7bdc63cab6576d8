"""The URL map: admin, OpenAPI documents, and each API family's routes."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from coliving.api.discovery import ApiRootView
from coliving.api.exceptions import api_not_found
from coliving.api.health import HealthView

handler400 = "coliving.api.exceptions.handler400"
handler403 = "coliving.api.exceptions.handler403"
handler404 = "coliving.api.exceptions.handler404"
handler500 = "coliving.api.exceptions.handler500"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("schema/swagger-ui/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("schema/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("v2", ApiRootView.as_view(), name="api-root"),
    path("v2/health", HealthView.as_view(), name="health"),
    path("v2/", include("apikeys.api.urls")),
    path("v2/", include("accounts.api.urls")),
    path("v2/", include("listings.api.urls")),
    path("v2/", include("bookings.api.urls")),
    *([path("bench/", include("bench.urls"))] if settings.BENCH_VIEWS else []),
    # Unknown paths under the API prefixes get the family's JSON 404, never an HTML page.
    re_path(r"^(?:v2|json|api|spaces/[^/]+/api)(?:/[\s\S]*)?\Z", api_not_found),
]
