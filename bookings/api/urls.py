"""``/v2/bookings…`` (partner API) and ``/v2/integrations/<provider>/bookings…`` (integrations API)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from bookings.api.views import BookingViewSet, IntegrationBookingDetailView, IntegrationBookingFeedView

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("bookings", BookingViewSet, basename="booking")

urlpatterns = [
    *router.urls,
    path(
        "integrations/<slug:provider>/bookings",
        IntegrationBookingFeedView.as_view(),
        name="integrations-bookings-feed",
    ),
    path(
        "integrations/<slug:provider>/bookings/<id:id>",
        IntegrationBookingDetailView.as_view(),
        name="integrations-bookings-detail",
    ),
]
