"""``/json/…``: the JSON feed's example, field guide and helper endpoints (public)."""

from django.urls import path

from listings.api.feed_views import HELPER_VIEWS, FeedExampleView, FieldGuideView

urlpatterns = [
    path("import", FeedExampleView.as_view(), name="json-import-example"),
    path("docs", FieldGuideView.as_view(), name="json-docs"),
    *(path(f"import/{name}", view.as_view(), name=f"json-import-{name}") for name, view in HELPER_VIEWS.items()),
]
