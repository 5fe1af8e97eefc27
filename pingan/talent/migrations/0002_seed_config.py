from django.db import migrations

from pingan.talent.reference import ensure_config


def seed(apps, schema_editor):
    ensure_config(apps)


class Migration(migrations.Migration):
    dependencies = [("talent", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
