"""Tenancy: whose rows a request may see and change, declared once per view.

A view declares ``tenancy`` (DESIGN.md, "Authentication, scopes, limits"):

- ``"owner"``: rows of the API key's owner — the host or partner account. What "of the
  owner" means is the model's business: its queryset's ``for_owner(owner)`` (a listing
  the owner hosts or was granted, a booking on such a listing, a user the owner created).
- ``"space"``: rows of a coworking space; a space-bound key reaches only its own space.
  On the Cobot-compatible family (``/spaces/<subdomain>/api/…`` or the space's own host)
  the space is the one the request names: the base view resolves it once (an unknown
  space is 404), refuses a key bound to another space (403) and a key whose owner has
  no active membership there (403: the spec's "user must be a space member or admin"),
  and binds the space and that membership to the request's ``Tenant``
  (``Tenant.in_space``). Rows are then narrowed to that space exactly as for a
  space-bound key; without a space, "space" rows are none at all.
- ``"public"``: rows anyone may read (the directory); a space-bound key still sees only
  its space's.

Sandbox: a request under a sandbox twin (``/v2/sandbox/…``, ``routing.is_sandbox_request``)
has a sandbox ``Tenant``, and ``for_tenant`` gives it the owner's sandbox rows only — a
live request the live rows only. A queryset names its flag in ``sandbox_lookup``
(``"is_sandbox"``, or through a parent: ``"listing__is_sandbox"``); one without a flag has
no sandbox rows, so a sandbox tenant reaches none of them.

The base view (``coliving/api/base.py``) applies it in ``get_queryset()`` through the
model queryset's ``for_tenant(tenant, tenancy)``, and every object lookup goes through
that queryset, so a view cannot forget it. A key bound to a space reaches only rows that
belong to that space: on a model without a space (listings, bookings, users) it reaches
nothing, and the view refuses it with 403 before any handler runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from django.apps import apps
from django.db import models

from coliving.api.errors import Forbidden, NotFound
from coliving.api.routing import is_sandbox_request

Tenancy = Literal["owner", "space", "public"]
TENANCIES: tuple[str, ...] = ("owner", "space", "public")

SPACE_NOT_FOUND = "Space not found"
FOREIGN_SPACE_KEY = "This API key is bound to another space"
NOT_A_MEMBER = "You must be a member or an admin of this space"
# For apps.get_model: the plumbing imports no app.
MEMBERSHIP_MODEL = "jobs.Membership"
SPACE_MODEL = "jobs.Space"


@dataclass(frozen=True)
class Tenant:
    """Who is asking: the key's owner, and the space the key is bound to (if any).

    On a request for one space (``"space"`` tenancy on the Cobot family) ``space_id`` is
    that space's, ``space`` the space itself and ``membership`` the owner's active
    membership there: who the key acts as, a member or an admin.
    """

    owner: Any
    space_id: int | None = None
    space: Any = None
    membership: Any = None
    sandbox: bool = False  # the owner's sandbox data, not the live data

    @classmethod
    def of(cls, request) -> Tenant | None:
        key = request.auth
        if key is None:
            return None
        return cls(owner=request.user, space_id=key.space_id, sandbox=is_sandbox_request(request))

    def in_space(self, space, membership) -> Tenant:
        """This tenant acting in ``space`` as ``membership``."""
        return replace(self, space_id=space.pk, space=space, membership=membership)


class TenantQuerySet(models.QuerySet):
    """A queryset that knows whose its rows are. Models reached through the API use one.

    Subclasses define ``for_owner(owner)`` and, for rows that belong to a coworking space,
    ``space_lookup`` (the lookup from the row to its space's id, e.g. ``"space_id"``); for
    rows that exist live and in sandboxes, ``sandbox_lookup`` (the lookup to the row's
    sandbox flag, e.g. ``"is_sandbox"``).
    """

    space_lookup: str | None = None
    sandbox_lookup: str | None = None

    def for_owner(self, owner) -> TenantQuerySet:
        raise NotImplementedError(f"{type(self).__name__} defines no owner")

    def for_tenant(self, tenant: Tenant | None, tenancy: Tenancy) -> TenantQuerySet:
        queryset = self.all()
        if self.sandbox_lookup is not None:
            queryset = queryset.filter(**{self.sandbox_lookup: tenant is not None and tenant.sandbox})
        elif tenant is not None and tenant.sandbox:
            return queryset.none()  # no sandbox rows of this kind exist
        if tenancy == "space" and (tenant is None or tenant.space_id is None):
            return queryset.none()  # a space's rows are reached through that space only
        if tenancy == "owner":
            if tenant is None:
                return queryset.none()
            queryset = queryset.for_owner(tenant.owner)
        if tenant is not None and tenant.space_id is not None:
            if self.space_lookup is None:
                return queryset.none()
            queryset = queryset.filter(**{self.space_lookup: tenant.space_id})
        return queryset


def space_tenant(tenant: Tenant | None, subdomain: str) -> Tenant:
    """``tenant`` acting in the space named ``subdomain``, as its owner's active membership there.

    Spaces and memberships are ``jobs.Space`` / ``jobs.Membership`` (looked up by name: the
    plumbing does not import an app). One query when all is well, the membership joined with
    its space; a refusal costs one more, to tell an unknown space (404) from a space the key
    may not act in (403).
    """
    membership = None
    if tenant is not None:
        membership = (
            apps.get_model(MEMBERSHIP_MODEL)
            .objects.select_related("space")
            .filter(space__subdomain=subdomain, user=tenant.owner, is_active=True)
            .first()
        )
    if membership is None:
        space_id = apps.get_model(SPACE_MODEL).objects.filter(subdomain=subdomain).values_list("pk", flat=True)
        space_id = space_id.first()
        if space_id is None or tenant is None:
            raise NotFound(SPACE_NOT_FOUND)
        if tenant.space_id is not None and tenant.space_id != space_id:
            raise Forbidden(FOREIGN_SPACE_KEY)
        raise Forbidden(NOT_A_MEMBER)
    if tenant.space_id is not None and tenant.space_id != membership.space_id:
        raise Forbidden(FOREIGN_SPACE_KEY)
    return tenant.in_space(membership.space, membership)
