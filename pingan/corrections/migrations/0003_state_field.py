"""Release and EvidenceFile keep their state machine's state in ``state``, like every other
machine (the column was ``status``).

The index on (state, release_date) is kept and only renamed; the one-open-release-per-person
constraint names the field in its condition, so it is dropped before the rename and added back
with the new condition after it (same name, same rows covered)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("corrections", "0002_release_key_person"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="release",
            name="release_one_open_per_person",
        ),
        # Renamed while the column is still called status (SQLite rebuilds a renamed index
        # from its fields); the column rename then carries the index along.
        migrations.RenameIndex(
            model_name="release",
            new_name="release_state_date_idx",
            old_name="release_status_date_idx",
        ),
        migrations.RenameField(
            model_name="release",
            old_name="status",
            new_name="state",
        ),
        # RenameField leaves the index's field list alone in the migration state; correct it
        # there only (the database index already follows the renamed column).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="release", name="release_state_date_idx"),
                migrations.AddIndex(
                    model_name="release",
                    index=models.Index(
                        fields=["state", "release_date"], name="release_state_date_idx"
                    ),
                ),
            ],
        ),
        migrations.RenameField(
            model_name="evidencefile",
            old_name="status",
            new_name="state",
        ),
        migrations.AddConstraint(
            model_name="release",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state__in", ("registered", "notified", "no_show"))),
                fields=("id_number_index",),
                name="release_one_open_per_person",
            ),
        ),
    ]
