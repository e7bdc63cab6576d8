"""The Coworkies directory under ``/v2`` (mounted in ``coliving/urls.py`` as the COWORKIES family)."""

from django.urls import path

from jobs.api import views

urlpatterns = [
    path("jobs", views.JobListCreateView.as_view(), name="jobs-list"),
    path("jobs/<id:pk>", views.JobDetailView.as_view(), name="jobs-detail"),
    path("jobs/<id:pk>/unpublish", views.JobUnpublishView.as_view(), name="jobs-unpublish"),
    path("cities", views.CityListView.as_view(), name="cities-list"),
    path("spaces", views.SpaceListView.as_view(), name="spaces-list"),
    path("city_spaces", views.CitySpacesView.as_view(), name="city-spaces-list"),
    path("events", views.EventListView.as_view(), name="events-list"),
    path("blog", views.BlogView.as_view(), name="blog"),
    path("feedback", views.FeedbackView.as_view(), name="feedback"),
    path("newsletters/subscribe", views.NewsletterSubscribeView.as_view(), name="newsletter-subscribe"),
]
