"""Seed the index settings, the case-based component weights and category severities."""

from django.db import migrations

WEIGHTS = {
    "new_cases": 3,
    "open_cases": 1,
    "overdue_cases": 2,
    "repeat_cases": 2,
    "district_escalations": 2,
}
# Matters that more often turn into group incidents or petitions count more (1 = ordinary).
SEVERITIES = {
    "marriage_family": 1.5,
    "neighbourhood": 1.0,
    "property_management": 1.0,
    "labour": 2.0,
    "housing_land": 2.0,
    "consumer": 0.5,
    "medical": 2.0,
    "traffic": 1.0,
    "demolition": 3.0,
    "law_litigation": 2.5,
    "other": 1.0,
}


def seed(apps, schema_editor):
    settings_model = apps.get_model("risk", "RiskSettings")
    weight_model = apps.get_model("risk", "ComponentWeight")
    severity_model = apps.get_model("risk", "CategorySeverity")
    category_model = apps.get_model("cases", "Category")
    settings_model.objects.get_or_create(pk=1)
    for code, weight in WEIGHTS.items():
        weight_model.objects.get_or_create(code=code, defaults={"weight": weight, "settings_id": 1})
    for category in category_model.objects.filter(code__in=SEVERITIES):
        severity_model.objects.get_or_create(
            category=category, defaults={"severity": SEVERITIES[category.code]}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("risk", "0001_risk_index_warnings_dispatch"),
        ("cases", "0002_seed_categories_and_policies"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
