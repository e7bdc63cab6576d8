"""The coworkies family's meta endpoints under ``/v2`` (``/v2`` itself, API information, is
mounted as the prefix's root view in ``coliving/urls.py``)."""

from django.urls import path

from coliving.api.health import HealthView

urlpatterns = [
    path("health", HealthView.as_view(), name="health"),
]
