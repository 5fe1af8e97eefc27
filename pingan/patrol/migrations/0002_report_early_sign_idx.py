"""The early signs by time and grid, read by the safety index's early-sign component."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patrol", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(
                condition=models.Q(is_early_sign=True),
                fields=["reported_at", "grid"],
                name="report_early_sign_idx",
            ),
        ),
    ]
