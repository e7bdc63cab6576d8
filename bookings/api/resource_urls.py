"""The Cobot-compatible resource booking routes (``shared/spec/cobot-bookings-api.txt``),
served under ``/spaces/<subdomain>/api/`` and on ``<subdomain>.<SPACES_DOMAIN>/api/``
(``coliving.api.routing.space_mount``). Every route here takes the space from
``coliving.api.routing.space_subdomain``."""

from django.urls import path

from bookings.resources.api import views

urlpatterns: list = [
    path("resources", views.ResourceListView.as_view()),
    path("resources/<id:id>/bookings", views.ResourceBookingsView.as_view()),
    path("bookings", views.BookingListView.as_view()),
    path("bookings/<id:pk>", views.BookingDetailView.as_view()),
    path("membership/bookings", views.MembershipBookingsView.as_view()),
    path("membership/bookings/recent", views.RecentBookingsView.as_view()),
    path("membership/bookings/upcoming", views.UpcomingBookingsView.as_view()),
    path("memberships/bookings", views.MembershipsBookingsView.as_view()),
    path("memberships/<id:membership_id>/bookings", views.MemberBookingsView.as_view()),
]
