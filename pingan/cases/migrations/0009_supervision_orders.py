"""Supervision becomes an order people work with (督办单): the unit supervised, who issued it
and why, an answer and a close; deadline rules get hours for each of the four tiers."""

import django.db.models.deletion
from django.db import migrations, models


def supervised_is_the_handling_unit(apps, schema_editor):
    Supervision = apps.get_model("cases", "Supervision")
    Case = apps.get_model("cases", "Case")
    units = dict(
        Case.objects.filter(supervisions__isnull=False).values_list("pk", "handling_unit_id")
    )
    rows = list(Supervision.objects.all())
    for row in rows:
        row.supervised_unit_id = units.get(row.case_id) or row.unit_id
    Supervision.objects.bulk_update(rows, ["supervised_unit"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_configuration_version"),
        ("orgs", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("deadlinepolicy", "escalate_after_hours", "tier2_after_hours"),
        migrations.AlterField(
            model_name="deadlinepolicy",
            name="tier2_after_hours",
            field=models.PositiveSmallIntegerField(
                default=48,
                help_text="一级督办发出后仍未办结的，再过多少小时向上一级单位督办。",
                verbose_name="二级督办间隔（小时）",
            ),
        ),
        migrations.AddField(
            model_name="deadlinepolicy",
            name="tier3_after_hours",
            field=models.PositiveSmallIntegerField(
                default=48,
                help_text="二级督办发出后仍未办结的，再过多少小时由区综治中心指挥调度督办。",
                verbose_name="三级督办间隔（小时）",
            ),
        ),
        migrations.AddField(
            model_name="deadlinepolicy",
            name="tier4_after_hours",
            field=models.PositiveSmallIntegerField(
                default=72,
                help_text="三级督办发出后仍未办结的，再过多少小时提请区领导督办。",
                verbose_name="四级督办间隔（小时）",
            ),
        ),
        migrations.AddField(
            model_name="supervision",
            name="supervised_unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="supervisions_received",
                to="orgs.unit",
                verbose_name="被督办单位",
            ),
        ),
        migrations.RunPython(supervised_is_the_handling_unit, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="supervision",
            name="supervised_unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="supervisions_received",
                to="orgs.unit",
                verbose_name="被督办单位",
            ),
        ),
    ]
