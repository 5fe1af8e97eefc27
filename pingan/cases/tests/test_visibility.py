"""``Case.objects.visible_to``: the area, the handling unit and joint units each open a case."""

from pingan.cases.models import Case
from pingan.orgs.models import Division, Unit


def test_a_case_outside_the_area_is_visible_only_to_its_handling_and_joint_units(register, staff):
    officer = staff("officer")  # 东华门派出所: the 东华门 street is the area
    street = Division.objects.get(code="110101001")
    elsewhere = Division.objects.filter(level="grid").exclude(path__startswith=street.path).first()
    case, _ = register("district_dispatcher", grid=elsewhere)
    police = Unit.objects.get(pk=officer.unit_id)

    assert not Case.objects.visible_to(officer).filter(pk=case.pk).exists()

    Case.objects.filter(pk=case.pk).update(handling_unit=police)
    assert Case.objects.visible_to(officer).filter(pk=case.pk).exists()

    Case.objects.filter(pk=case.pk).update(handling_unit=case.handling_unit)
    assert not Case.objects.visible_to(officer).filter(pk=case.pk).exists()
    case.joint_units.add(police)
    assert list(Case.objects.visible_to(officer).filter(pk=case.pk)) == [case]
    # one row per case even when the unit both handles and joins it
    Case.objects.filter(pk=case.pk).update(handling_unit=police)
    assert Case.objects.visible_to(officer).filter(pk=case.pk).count() == 1


def test_the_scope_reads_joint_units_from_the_link_table_not_a_second_pass_over_cases(staff):
    sql = str(Case.objects.visible_to(staff("officer")).query)
    assert sql.count('FROM "cases_case"') == 1
    assert '"cases_case_joint_units"."unit_id" =' in sql or 'U0."unit_id" =' in sql
