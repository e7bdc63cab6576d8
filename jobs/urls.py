"""Routes of the directory outside the API: ``/llms.txt``, ``/llms-full.txt`` and the pages
the newsletter emails link to. Included at the site root in ``coliving/urls.py``."""

from django.urls import path

from jobs import llms, pages

urlpatterns = [
    path("llms.txt", llms.llms_txt, name="llms-txt"),
    path("llms-full.txt", llms.llms_full_txt, name="llms-full-txt"),
    path("newsletters/confirm/<str:token>", pages.newsletter_confirm, name="newsletter-confirm"),
    path("newsletters/unsubscribe/<str:token>", pages.newsletter_unsubscribe, name="newsletter-unsubscribe"),
]
