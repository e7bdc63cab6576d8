from django.urls import path

from listings.api import views

urlpatterns = [
    path("listings", views.ListingListView.as_view(), name="listings-list"),
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
