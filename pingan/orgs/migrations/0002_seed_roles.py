from django.db import migrations

ROLE_CODES = [
    "receptionist",
    "mediator",
    "grid_worker",
    "dispatcher",
    "leader",
    "officer",
    "evaluator",
    "administrator",
]


def seed_roles(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    for code in ROLE_CODES:
        Role.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]

    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
