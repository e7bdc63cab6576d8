"""Seed the staff-managed catalogues of the JSON feed (amenities, community types and
events) from ``listings/feed/data/catalogues.json``, with the ids feeds refer to (the
spec's example uses amenities 12 and 34, event 1061, type 8). Staff edit them afterwards
in the admin; rows that already exist are left alone."""

import json
from pathlib import Path

from django.core.management.color import no_style
from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "feed" / "data" / "catalogues.json"
MODELS = {"amenities": "Amenity", "community_types": "CommunityType", "community_events": "CommunityEvent"}


def seed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    models = []
    for key, name in MODELS.items():
        model = apps.get_model("listings", name)
        existing = set(model.objects.values_list("pk", flat=True))
        model.objects.bulk_create([model(**row) for row in data[key] if row["id"] not in existing])
        models.append(model)
    # Explicit ids leave PostgreSQL's sequences behind: the next staff-made row would collide.
    connection = schema_editor.connection
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("listings", "0003_feed_fields")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
