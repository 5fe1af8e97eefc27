from django.db import migrations

from pingan.persons.reference import ensure_reference_data


def seed(apps, schema_editor):
    ensure_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("persons", "0001_register_ratings_plans")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
