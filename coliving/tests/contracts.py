"""Endpoint contracts generated from the URLconf (NetBox-style): every API endpoint gets,
without a test written by hand,

- 401 without a key (unless public);
- 403 with a key that lacks the operation's scope (unless any key will do);
- 404 with the view's own message for a second tenant's object (detail routes), and
  that object unchanged;
- a query count that does not grow with the data (list routes, at two sizes);
- for rows that belong to a coworking space: a key bound to one space gets the view's
  403/404 for another space's object (unchanged), and lists that do not change when
  another space gains rows;
- on a sandbox twin (``/v2/sandbox/…``) all of the above against sandbox rows: the
  factories' rows are moved into the owner's sandbox (``to_sandbox``), so another
  tenant's object is another owner's sandbox row, and lists count sandbox rows;
- on the Cobot-compatible family (``/spaces/{subdomain}/api/…``, ``tenancy = "space"``):
  the caller is made an admin of a space of its own (``enter``), which its URLs name; an
  object of another space — the view's own or the one its path hangs from
  (``parent_url_kwarg``: ``/resources/{id}/bookings``) — is 404 and unchanged, and its
  reads are sent with the period every Cobot list requires (``COBOT_QUERY``).

``contract_factories()`` says how to make a row of each model for a given owner (and, for
rows of a space, in a given space); a view
whose model has no factory fails ``test_every_model_reached_has_a_contract_factory``, so
a new family cannot skip its contracts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import get_resolver
from rest_framework.permissions import SAFE_METHODS

from coliving.api.discovery import _readable, _walk
from coliving.api.families import Family
from coliving.api.permissions import required_scopes
from coliving.api.routing import registry

PROVIDER = "mangobeds"
_HTTP_METHODS = ("get", "post", "put", "patch", "delete")
# Every Cobot list takes a required period; other reads ignore it.
COBOT_QUERY = "?from=2000-01-01&to=2100-01-01"


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


# Rows of the Cobot-compatible family: a space's resources and memberships, and bookings by
# the owner's membership on the space's first resource (its rows' parent, see ``enter``),
# each a day later than the last, in the future, not free.


def _make_resource(owner, space=None):
    from bookings.tests.resources.factories import ResourceFactory

    return ResourceFactory(space=space or new_space())


def _make_membership(owner, space=None):
    from jobs.models import Membership

    space = space or new_space()
    return Membership.objects.get_or_create(space=space, user=owner, defaults={"name": f"Member {owner.pk}"})[0]


def _make_resource_booking(owner, space=None):
    from datetime import timedelta

    from bookings.models import ResourceBooking
    from bookings.tests.resources.factories import ResourceBookingFactory, next_hour
    from jobs.models import Resource

    space = space or new_space()
    resource = Resource.objects.filter(space=space).order_by("pk").first() or _make_resource(owner, space)
    later = ResourceBooking.objects.filter(resource=resource).count()
    return ResourceBookingFactory(
        resource=resource, membership=_make_membership(owner, space), start=next_hour(days=2) + timedelta(days=later)
    )


def contract_factories() -> dict[type, Callable]:
    from accounts.models import User
    from bookings.models import Booking, ResourceBooking
    from jobs.models import BlogPost, City, Event, Job, Membership, Resource, Space
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
        Resource: _make_resource,
        Membership: _make_membership,
        ResourceBooking: _make_resource_booking,
    }


def to_sandbox(obj):
    """Move a factory's row, and the rows it hangs from, into its owner's sandbox."""
    from accounts.models import User
    from bookings.models import Booking
    from listings.models import Listing, RoomType

    if isinstance(obj, Listing):
        Listing.objects.filter(pk=obj.pk).update(is_sandbox=True)
    elif isinstance(obj, RoomType):
        Listing.objects.filter(pk=obj.listing_id).update(is_sandbox=True)
    elif isinstance(obj, Booking):
        Booking.objects.filter(pk=obj.pk).update(is_sandbox=True)
        Listing.objects.filter(pk=obj.listing_id).update(is_sandbox=True)
        User.objects.filter(pk=obj.guest_id).update(is_sandbox=True)
    elif isinstance(obj, User):
        User.objects.filter(pk=obj.pk).update(is_sandbox=True)
    else:
        raise TypeError(f"{type(obj).__name__} has no sandbox rows")
    return obj


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
    def sandbox(self) -> bool:
        """A sandbox twin (``/v2/sandbox/…``): its rows are the owner's sandbox rows."""
        return registry.is_sandbox_path(example_path(self.path))

    @property
    def space_owned(self) -> bool:
        """Its rows belong to a coworking space: a space-bound key reaches only its own."""
        queryset = getattr(self.view, "queryset", None)
        return queryset is not None and getattr(queryset, "space_lookup", None) is not None

    @property
    def space_routed(self) -> bool:
        """Its path names the space (the Cobot family, ``/spaces/{subdomain}/api/…``)."""
        return "subdomain" in self.kwargs

    @property
    def parent(self) -> str | None:
        """The path parameter naming the object the view's rows hang from, if any."""
        name = getattr(self.view, "parent_url_kwarg", None)
        return name if name in self.kwargs else None

    @property
    def parent_model(self):
        return self.view.parent_queryset.model if self.parent else None

    def url(self, **values) -> str:
        url = self.path
        for name in self.kwargs:
            url = url.replace("{" + name + "}", str(values.get(name, PROVIDER if name == "provider" else 1)))
        if self.is_read and self.view.family is Family.COBOT:
            url += COBOT_QUERY
        return url


@dataclass
class Seat:
    """Where a contract's caller stands: the URL values that put it in its tenancy, and a
    maker of rows there (its own rows; in its space on the Cobot family)."""

    owner: object
    space: object = None
    values: dict = field(default_factory=dict)
    sandbox: bool = False

    def make(self, model):
        make = contract_factories()[model]
        obj = make(self.owner, self.space) if self.space is not None else make(self.owner)
        return to_sandbox(obj) if self.sandbox else obj


def enter(endpoint: Endpoint, client, space=None) -> Seat:
    """Seat ``client`` for ``endpoint``. On a path that names a space, its owner becomes an
    admin of ``space`` (a new one when None; admins reach every operation), and the path's
    parent is the space's first row of that model, made when there is none."""
    if not endpoint.space_routed:
        return Seat(client.owner, sandbox=endpoint.sandbox)
    from jobs.models import Membership

    space = space or new_space()
    Membership.objects.update_or_create(
        space=space, user=client.owner, defaults={"name": "Contract Admin", "role": Membership.Role.ADMIN}
    )
    seat = Seat(client.owner, space, {"subdomain": space.subdomain})
    if endpoint.parent:
        model = endpoint.parent_model
        parent = model.objects.filter(space=space).order_by("pk").first() or seat.make(model)
        seat.values[endpoint.parent] = parent.pk
    return seat


def example_path(path: str) -> str:
    """``/spaces/{subdomain}/api/bookings/{pk}`` with a value in each parameter (for the registry)."""
    return re.sub(r"\{\w+\}", "1", path)


def endpoints() -> list[Endpoint]:
    found: dict[tuple[str, str], Endpoint] = {}
    for route, callback in _walk(get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        path = _readable(route)
        if view is None or registry.family_of_path(example_path(path)) is None:
            continue
        actions = getattr(callback, "actions", None)
        methods = actions.keys() if actions else [m for m in _HTTP_METHODS if hasattr(view, m)]
        kwargs = tuple(part[1:-1] for part in path.split("/") if part.startswith("{"))
        for method in methods:
            found.setdefault((path, method), Endpoint(path, method, view, kwargs))
    return sorted(found.values(), key=lambda e: (e.path, e.method))
