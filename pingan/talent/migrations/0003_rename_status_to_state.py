"""Records, points entries and transfers keep their state in ``state``, like every other
state machine; the points index follows its column (dropped and rebuilt under its new name:
an index naming a renamed field cannot be carried over by RenameField)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('talent', '0002_seed_config'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='pointentry',
            name='point_profile_status_idx',
        ),
        migrations.RenameField(
            model_name='studyrecord',
            old_name='status',
            new_name='state',
        ),
        migrations.RenameField(
            model_name='milestonerecord',
            old_name='status',
            new_name='state',
        ),
        migrations.RenameField(
            model_name='pointentry',
            old_name='status',
            new_name='state',
        ),
        migrations.RenameField(
            model_name='transfer',
            old_name='status',
            new_name='state',
        ),
        migrations.AddIndex(
            model_name='pointentry',
            index=models.Index(fields=['profile', 'state'], name='point_profile_state_idx'),
        ),
    ]
