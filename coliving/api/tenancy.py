"""Tenancy: whose rows a request may see and change, declared once per view.

A view declares ``tenancy`` (DESIGN.md, "Authentication, scopes, limits"):

- ``"owner"``: rows of the API key's owner — the host or partner account. What "of the
  owner" means is the model's business: its queryset's ``for_owner(owner)`` (a listing
  the owner hosts or was granted, a booking on such a listing, a user the owner created).
- ``"space"``: rows of a coworking space; a space-bound key reaches only its own space.
- ``"public"``: rows anyone may read (the directory); a space-bound key still sees only
  its space's.

The base view (``coliving/api/base.py``) applies it in ``get_queryset()`` through the
model queryset's ``for_tenant(tenant, tenancy)``, and every object lookup goes through
that queryset, so a view cannot forget it. A key bound to a space reaches only rows that
belong to that space: on a model without a space (listings, bookings, users) it reaches
nothing, and the view refuses it with 403 before any handler runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from django.db import models

if TYPE_CHECKING:
    from apikeys.models import ApiKey

Tenancy = Literal["owner", "space", "public"]
TENANCIES: tuple[str, ...] = ("owner", "space", "public")


@dataclass(frozen=True)
class Tenant:
    """Who is asking: the key's owner, and the space the key is bound to (if any)."""

    owner: Any
    key: ApiKey | None = None
    space_id: int | None = None

    @classmethod
    def of(cls, request) -> Tenant | None:
        key = request.auth
        if key is None:
            return None
        return cls(owner=request.user, key=key, space_id=key.space_id)


class TenantQuerySet(models.QuerySet):
    """A queryset that knows whose its rows are. Models reached through the API use one.

    Subclasses define ``for_owner(owner)`` and, for rows that belong to a coworking space,
    ``space_lookup`` (the lookup from the row to its space's id, e.g. ``"space_id"``).
    """

    space_lookup: str | None = None

    def for_owner(self, owner) -> TenantQuerySet:
        raise NotImplementedError(f"{type(self).__name__} defines no owner")

    def for_tenant(self, tenant: Tenant | None, tenancy: Tenancy) -> TenantQuerySet:
        queryset = self.all()
        if tenancy == "owner":
            if tenant is None:
                return queryset.none()
            queryset = queryset.for_owner(tenant.owner)
        if tenant is not None and tenant.space_id is not None:
            if self.space_lookup is None:
                return queryset.none()
            queryset = queryset.filter(**{self.space_lookup: tenant.space_id})
        return queryset
