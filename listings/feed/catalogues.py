"""The staff-managed catalogues the feed refers to by id: amenities (scope property or
room), community types and community events. ``data/catalogues.json`` is what a new
database is seeded with (migration ``0004``); staff edit the tables in the admin."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from listings.models import Amenity, CommunityEvent, CommunityType

DATA = Path(__file__).with_name("data") / "catalogues.json"
MODELS = {"amenities": Amenity, "community_types": CommunityType, "community_events": CommunityEvent}


@dataclass
class Catalogues:
    """The ids of each catalogue (and each amenity's scope), read once per import run."""

    ids: dict[str, dict[int, str | None]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Catalogues:
        """Three queries, one per catalogue."""
        return cls(
            ids={
                "amenities": dict(Amenity.objects.values_list("id", "scope")),
                "community_types": dict.fromkeys(CommunityType.objects.values_list("id", flat=True)),
                "community_events": dict.fromkeys(CommunityEvent.objects.values_list("id", flat=True)),
            }
        )


def entries(name: str) -> list[dict]:
    """What ``/json/import/<name>`` lists for a catalogue: ``id``, ``name`` (and ``scope``)."""
    model = MODELS[name]
    columns = ("id", "name", "scope") if model is Amenity else ("id", "name")
    return list(model.objects.order_by("id").values(*columns))


def seed() -> None:
    """Insert the rows of ``data/catalogues.json`` that are missing (tests that flush tables use it)."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for name, model in MODELS.items():
        model.objects.bulk_create([model(**row) for row in data[name]], ignore_conflicts=True)
