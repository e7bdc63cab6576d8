"""Endpoint contracts generated from the URLconf (NetBox-style): every API endpoint gets,
without a test written by hand,

- 401 without a key (unless public);
- 403 with a key that lacks the operation's scope (unless any key will do);
- 404 with the view's own message for a second tenant's object (detail routes), and
  that object unchanged;
- a query count that does not grow with the data (list routes, at two sizes);
- for rows that belong to a coworking space: a key bound to one space gets the view's
  403/404 for another space's object (unchanged), and lists that do not change when
  another space gains rows.

``contract_factories()`` says how to make a row of each model for a given owner (and, for
rows of a space, in a given space); a view
whose model has no factory fails ``test_every_model_reached_has_a_contract_factory``, so
a new family cannot skip its contracts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import get_resolver
from rest_framework.permissions import SAFE_METHODS

from coliving.api.discovery import _readable, _walk
from coliving.api.permissions import required_scopes
from coliving.api.routing import registry

PROVIDER = "mangobeds"
_HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def _make_listing(owner):
    from listings.tests.factories import ListingFactory, RoomTypeFactory

    listing = ListingFactory(host=owner)
    RoomTypeFactory(listing=listing)
    return listing


def _make_room_type(owner):
    from listings.tests.factories import RoomTypeFactory

    return RoomTypeFactory(listing__host=owner)


def _make_booking(owner):
    from bookings.tests.factories import make_booking
    from listings.tests.factories import RoomTypeFactory

    return make_booking(room_type=RoomTypeFactory(listing__host=owner, amount=50))


def _make_user(owner):
    from bookings.tests.factories import guest_of

    return guest_of(owner)


# Rows of the coworking directory. Those of a space take ``space`` (a new one when None), so
# the space-tenancy contract can put rows in the caller's space and in another.


def _make_job(owner, space=None):
    from jobs.tests.factories import JobFactory, SpaceFactory

    return JobFactory(owner=owner, space=space or SpaceFactory())


def _make_space(owner, space=None):
    from jobs.tests.factories import SpaceFactory

    return space or SpaceFactory()


def _make_event(owner, space=None):
    from jobs.tests.factories import EventFactory, SpaceFactory

    return EventFactory(space=space or SpaceFactory())


def _make_city(owner, space=None):
    from jobs.tests.factories import CityFactory

    return CityFactory()


def _make_blog_post(owner, space=None):
    from jobs.tests.factories import BlogPostFactory

    return BlogPostFactory()


def contract_factories() -> dict[type, Callable]:
    from accounts.models import User
    from bookings.models import Booking
    from jobs.models import BlogPost, City, Event, Job, Space
    from listings.models import Listing, RoomType

    return {
        Listing: _make_listing,
        RoomType: _make_room_type,
        Booking: _make_booking,
        User: _make_user,
        Job: _make_job,
        Space: _make_space,
        Event: _make_event,
        City: _make_city,
        BlogPost: _make_blog_post,
    }


def new_space():
    from jobs.tests.factories import SpaceFactory

    return SpaceFactory()


@dataclass(frozen=True)
class Endpoint:
    path: str  # /v2/bookings/{pk}
    method: str  # "get"
    view: type
    kwargs: tuple[str, ...]  # the path's parameters

    @property
    def id(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def lookup(self) -> str | None:
        """The path parameter that names an object of the view's model, if any."""
        name = getattr(self.view, "lookup_url_kwarg", None) or getattr(self.view, "lookup_field", "pk")
        return name if name in self.kwargs else None

    @property
    def model(self):
        queryset = getattr(self.view, "queryset", None)
        return None if queryset is None else queryset.model

    @property
    def scopes(self) -> tuple[str, ...]:
        return required_scopes(self.view, self.method.upper())

    @property
    def is_read(self) -> bool:
        return self.method.upper() in SAFE_METHODS

    @property
    def is_list(self) -> bool:
        return self.is_read and self.lookup is None and self.model is not None

    @property
    def space_owned(self) -> bool:
        """Its rows belong to a coworking space: a space-bound key reaches only its own."""
        queryset = getattr(self.view, "queryset", None)
        return queryset is not None and getattr(queryset, "space_lookup", None) is not None

    def url(self, **values) -> str:
        url = self.path
        for name in self.kwargs:
            url = url.replace("{" + name + "}", str(values.get(name, PROVIDER if name == "provider" else 1)))
        return url


def endpoints() -> list[Endpoint]:
    found: dict[tuple[str, str], Endpoint] = {}
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        path = _readable(route)
        if view is None or registry.family_of_path(path) is None:
            continue
        actions = getattr(callback, "actions", None)
        methods = actions.keys() if actions else [m for m in _HTTP_METHODS if hasattr(view, m)]
        kwargs = tuple(part[1:-1] for part in path.split("/") if part.startswith("{"))
        for method in methods:
            found.setdefault((path, method), Endpoint(path, method, view, kwargs))
    return sorted(found.values(), key=lambda e: (e.path, e.method))
