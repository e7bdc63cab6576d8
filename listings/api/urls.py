from django.urls import path
from rest_framework.routers import SimpleRouter

from listings.api import views
from listings.api.calendar_views import RoomTypeCalendarView

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("listings", views.ListingViewSet, basename="listing")

urlpatterns = [
    *router.urls,
    path(
        "listings/<id:listing_id>/room-types/<id:room_type_id>/calendar.ics",
        RoomTypeCalendarView.as_view(),
        name="room-type-calendar",
    ),
    path(
        "integrations/<slug:provider>/listings/<id:listing_id>/room-types",
        views.RoomTypeListView.as_view(),
        name="integrations-room-types",
    ),
    path(
        "integrations/<slug:provider>/availability",
        views.AvailabilityUpdateView.as_view(),
        name="integrations-availability",
    ),
    path("integrations/<slug:provider>/rates", views.RatesUpdateView.as_view(), name="integrations-rates"),
    path(
        "integrations/<slug:provider>/provider-key",
        views.ProviderKeyView.as_view(),
        name="integrations-provider-key",
    ),
]
