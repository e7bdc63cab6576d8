"""Reads of listings: which listings a user (an API key's owner) may use."""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q


class ListingQuerySet(models.QuerySet):
    def for_owner(self, user) -> ListingQuerySet:
        """Listings hosted by ``user`` plus those staff granted to ``user`` (no duplicates)."""
        from listings.models import ListingGrant

        granted = ListingGrant.objects.filter(listing=OuterRef("pk"), grantee=user)
        return self.filter(Q(host=user) | Exists(granted))


class RoomTypeQuerySet(models.QuerySet):
    def for_owner(self, user) -> RoomTypeQuerySet:
        from listings.models import Listing

        return self.filter(listing__in=Listing.objects.for_owner(user))
