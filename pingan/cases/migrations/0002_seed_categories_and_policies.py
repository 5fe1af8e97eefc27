from django.db import migrations

from pingan.cases.reference import ensure_reference_data


def seed(apps, schema_editor):
    ensure_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
