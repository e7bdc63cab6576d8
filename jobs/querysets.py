"""Reads of the directory with tenancy (``coliving/api/tenancy.py``) built in.

Cities and blog posts are reference data every key may read, whatever space it is bound
to (a space-bound key posts jobs in any city). Spaces, jobs and events belong to a space:
a space-bound key reaches only its own. Jobs also belong to the account that posted them,
which is what "owner" tenancy means for them.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from coliving.api.tenancy import Tenancy, Tenant, TenantQuerySet


class SharedQuerySet(TenantQuerySet):
    """Rows shared by every tenant: no owner, and a space-bound key is not narrowed."""

    def for_tenant(self, tenant: Tenant | None, tenancy: Tenancy) -> TenantQuerySet:
        if tenancy != "public":
            raise ValueError(f"{self.model.__name__} rows are public reference data, not {tenancy!r} rows")
        return self.all()


class CityQuerySet(SharedQuerySet):
    def confirmed(self) -> CityQuerySet:
        return self.filter(is_confirmed=True)


class SpaceQuerySet(TenantQuerySet):
    space_lookup = "id"

    def confirmed(self) -> SpaceQuerySet:
        return self.filter(is_confirmed=True, city__is_confirmed=True)


class JobQuerySet(TenantQuerySet):
    space_lookup = "space_id"

    def for_owner(self, owner) -> JobQuerySet:
        """Jobs posted by ``owner``'s keys."""
        return self.filter(owner=owner)

    def managed_by(self, *, owner, space_id: int | None) -> JobQuerySet:
        """The jobs a key manages: a key bound to a space, every job of that space (whoever
        posted it: staff in the admin, another key of the space); an unbound key, the jobs
        its owner's keys posted."""
        return self.filter(space_id=space_id) if space_id is not None else self.for_owner(owner)

    def for_tenant(self, tenant: Tenant | None, tenancy: Tenancy) -> TenantQuerySet:
        if tenancy == "owner":
            return self.none() if tenant is None else self.managed_by(owner=tenant.owner, space_id=tenant.space_id)
        return super().for_tenant(tenant, tenancy)

    def listed(self, now=None) -> JobQuerySet:
        """What the board shows: active and not past ``expiration_date``."""
        return self.filter(status="active", expiration_date__gt=now or timezone.now())

    def due_to_expire(self, now=None) -> JobQuerySet:
        return self.filter(status="active", expiration_date__lte=now or timezone.now())


class EventQuerySet(TenantQuerySet):
    space_lookup = "space_id"

    def published(self) -> EventQuerySet:
        return self.filter(is_published=True)

    def upcoming(self, now=None) -> EventQuerySet:
        """Events that have not ended yet (one under way is still listed)."""
        return self.filter(end_at__gte=now or timezone.now())

    def in_city(self, slug: str) -> EventQuerySet:
        return self.filter(Q(city__slug=slug) | Q(city__isnull=True, space__city__slug=slug))


class BlogPostQuerySet(SharedQuerySet):
    def published(self, now=None) -> BlogPostQuerySet:
        return self.filter(is_published=True, date__lte=now or timezone.now())
