from django.db import migrations


def create_documented_provider(apps, schema_editor):
    Provider = apps.get_model("apikeys", "Provider")
    Provider.objects.get_or_create(slug="mangobeds", defaults={"name": "Mango Beds"})


class Migration(migrations.Migration):
    dependencies = [("apikeys", "0001_initial")]

    operations = [migrations.RunPython(create_documented_provider, migrations.RunPython.noop)]
