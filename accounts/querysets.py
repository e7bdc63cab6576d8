"""Reads of users: what a partner may see through the API."""

from __future__ import annotations

from coliving.api.tenancy import TenantQuerySet


class UserQuerySet(TenantQuerySet):
    sandbox_lookup = "is_sandbox"

    def for_owner(self, owner) -> UserQuerySet:
        """Users created through the API by ``owner``'s keys (any of them)."""
        return self.filter(created_by=owner)
