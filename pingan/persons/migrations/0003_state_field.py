"""Measure, scorecard and register keep their state in ``state``, like every other machine.

The indexes and constraints that name the field are dropped before the rename and made again
after it (two indexes also lose ``status`` from their names); the column's data is kept.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("persons", "0002_seed_types_and_default_scorecard")]

    operations = [
        migrations.RemoveIndex(model_name="keyperson", name="keyperson_status_area_idx"),
        migrations.RemoveIndex(model_name="keyperson", name="keyperson_resp_status_idx"),
        migrations.RemoveIndex(model_name="keyperson", name="keyperson_grid_level_idx"),
        migrations.RemoveConstraint(
            model_name="keyperson", name="keyperson_active_has_next_review"
        ),
        migrations.RemoveIndex(model_name="measure", name="measure_owner_idx"),
        migrations.RemoveConstraint(model_name="measure", name="measure_done_has_result"),
        migrations.RemoveConstraint(model_name="scorecard", name="scorecard_one_active"),
        migrations.RenameField(model_name="keyperson", old_name="status", new_name="state"),
        migrations.RenameField(model_name="measure", old_name="status", new_name="state"),
        migrations.RenameField(model_name="scorecard", old_name="status", new_name="state"),
        migrations.AddIndex(
            model_name="keyperson",
            index=models.Index(fields=["state", "area_path"], name="keyperson_state_area_idx"),
        ),
        migrations.AddIndex(
            model_name="keyperson",
            index=models.Index(fields=["responsible", "state"], name="keyperson_resp_state_idx"),
        ),
        migrations.AddIndex(
            model_name="keyperson",
            index=models.Index(fields=["grid", "state", "level"], name="keyperson_grid_level_idx"),
        ),
        migrations.AddConstraint(
            model_name="keyperson",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "active"), _negated=True),
                    ("next_review_on__isnull", False),
                    _connector="OR",
                ),
                name="keyperson_active_has_next_review",
            ),
        ),
        migrations.AddIndex(
            model_name="measure",
            index=models.Index(fields=["owner", "state", "due_on"], name="measure_owner_idx"),
        ),
        migrations.AddConstraint(
            model_name="measure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "done"), _negated=True),
                    models.Q(("result", ""), _negated=True),
                    _connector="OR",
                ),
                name="measure_done_has_result",
            ),
        ),
        migrations.AddConstraint(
            model_name="scorecard",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "active")),
                fields=("state",),
                name="scorecard_one_active",
            ),
        ),
    ]
