"""Indexes the safety-index recompute reads through (pingan.risk.components): new cases and
the weekly counts of the early warning by registration time with grid and category (covering
the grouped reads), repeat matters, the cases open at a moment (not concluded or archived by
then: both branches of the condition are ranges of the first column, and the index covers the
rest), and timeline events by kind and time (escalations)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_running_due_idx"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["registered_at", "grid", "category"], name="case_risk_time_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["registered_at", "grid"],
                condition=models.Q(repeat_of__isnull=False),
                name="case_risk_repeat_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["concluded_at", "archived_at", "state", "registered_at", "due_at", "grid"],
                name="case_risk_open_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="caseevent",
            index=models.Index(fields=["kind", "created_at"], name="caseevent_kind_time_idx"),
        ),
    ]
