"""Endpoint contracts generated from the URLconf (NetBox-style): every API endpoint gets,
without a test written by hand,

- 401 without a key (unless public);
- 403 with a key that lacks the operation's scope (unless any key will do);
- 404 with the view's own message for a second tenant's object (detail routes), and
  that object unchanged;
- a query count that does not grow with the data (list routes, at two sizes).

``CONTRACT_FACTORIES`` says how to make a row of each model for a given owner; a view
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


def contract_factories() -> dict[type, Callable]:
    from accounts.models import User
    from bookings.models import Booking
    from listings.models import Listing, RoomType

    return {Listing: _make_listing, RoomType: _make_room_type, Booking: _make_booking, User: _make_user}


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
