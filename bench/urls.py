"""Routes for ``make bench``, mounted at ``/bench/`` only when ``settings.BENCH_VIEWS`` is on."""

from django.urls import path

from bench import views
from bookings.resources import bench as cobot_bench
from jobs import bench as jobs_bench

urlpatterns = [
    path("bare/me", views.bare_me),
    path("plain/me", views.plain_me),
    path("unguarded/me", views.UnguardedMeView.as_view()),
    path("unguarded-mem/me", views.UnguardedInMemoryMeView.as_view()),
    path("guard/auth/me", views.GuardAuthMeView.as_view()),
    path("guard/auth-scope/me", views.GuardAuthScopeMeView.as_view()),
    path("guard/auth-scope-ratelimit/me", views.GuardAuthScopeRateMeView.as_view()),
    path("bare/listings", views.bare_listings),
    path("plain/listings", views.plain_listings),
    path("bare/integrations/<slug:provider>/bookings", views.bare_feed),
    path("plain/integrations/<slug:provider>/bookings", views.plain_feed),
    path("bare/jobs", jobs_bench.bare_jobs),
    path("plain/jobs", jobs_bench.plain_jobs),
    path("bare/spaces/<slug:subdomain>/bookings", cobot_bench.bare_bookings),
    path("plain/spaces/<slug:subdomain>/bookings", cobot_bench.plain_bookings),
]
