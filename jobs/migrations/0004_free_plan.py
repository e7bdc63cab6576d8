"""The free plan, id 5: the spec's default ``id_plan`` (a job on it is published at once)."""

from django.db import migrations

FREE_PLAN = {"id": 5, "name": "Free", "price": 0, "currency": "EUR", "expiration_days": 30, "is_active": True}


def create_free_plan(apps, schema_editor):
    Plan = apps.get_model("jobs", "Plan")
    Plan.objects.get_or_create(id=FREE_PLAN["id"], defaults=FREE_PLAN)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_directory_plans_jobs_events_blog_feedback_newsletter")]

    operations = [migrations.RunPython(create_free_plan, migrations.RunPython.noop)]
