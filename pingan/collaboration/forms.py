"""Forms of the collaboration pages; choices are limited to the user's scope (by ``access``),
services do the real checks."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.cases.choices import Complexity
from pingan.cases.forms import StyledForm
from pingan.cases.models import Category
from pingan.core.forms import DateInput, MonthInput
from pingan.orgs.choices import Level
from pingan.orgs.models import Division, Staff, Unit

from .access import agencies_for, officer_candidates, streets_for, task_owners
from .choices import OfficerKind, ResultRating, TalkMode
from .models import NamedOfficer
from .services import default_report_hours

DATE = DateInput()


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        return obj.name


class UnitsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        suffix = f"（{obj.get_stationing_display()}）" if obj.stationing else ""
        return f"{obj.name}{suffix}"


class OfficersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: NamedOfficer) -> str:
        unit = obj.staff.unit.short_name or obj.staff.unit.name if obj.staff.unit_id else ""
        return f"{obj.get_kind_display()} {obj.staff.name}（{unit}）"


def street_officers(street: Division, day):
    return (
        NamedOfficer.objects.filter(street=street)
        .active_on(day)
        .select_related("staff__unit")
        .order_by("kind", "staff__name")
    )


class VersionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class WhistleForm(StyledForm):
    """Blow the whistle from a case page (吹哨)."""

    units = UnitsField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("召集部门"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可勾选多个。常驻、轮驻部门今日值班的可就近报到。"),
    )
    officers = OfficersField(
        queryset=NamedOfficer.objects.none(),
        required=False,
        label=_("召集下沉干警"),
        widget=forms.CheckboxSelectMultiple,
    )
    report_hours = forms.IntegerField(
        label=_("报到时限（小时）"), min_value=1, max_value=168, initial=default_report_hours
    )
    reason = forms.CharField(
        label=_("需要协同的事项"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("说明难点和需要各方做什么。"),
    )

    def __init__(self, *args, user, street: Division, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = agencies_for(user)
        self.fields["officers"].queryset = street_officers(street, timezone.localdate())

    def clean(self):
        """A named officer reports for their unit (``services.whistle_blow`` summons the unit
        through them): a unit ticked beside one of its officers is marked, not dropped."""
        cleaned = super().clean()
        officers = {o.staff.unit_id: o for o in cleaned.get("officers") or ()}
        for unit in cleaned.get("units") or ():
            if unit.pk in officers:
                self.add_error(
                    "units",
                    _("%(unit)s 已由下沉干警%(officer)s代表报到，请不要再勾选该部门。")
                    % {"unit": unit.name, "officer": officers[unit.pk].staff.name},
                )
        return cleaned


class ReportForm(VersionForm):
    report = forms.CharField(label=_("处置情况"), widget=forms.Textarea(attrs={"rows": 3}))


class CloseForm(VersionForm):
    result = forms.CharField(label=_("协同结果"), widget=forms.Textarea(attrs={"rows": 3}))


class RosterPlanForm(StyledForm):
    month = forms.DateField(
        label=_("月份"),
        widget=MonthInput(),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )


class DutyShiftForm(StyledForm):
    agency = UnitChoiceField(queryset=Unit.objects.none(), label=_("入驻单位"))
    date = forms.DateField(label=_("值班日期"), widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies_for(user)


class StreetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Division) -> str:
        return obj.name


class OfficerForm(StyledForm):
    staff = forms.ModelChoiceField(queryset=Staff.objects.none(), label=_("干警"))
    kind = forms.ChoiceField(label=_("类别"), choices=OfficerKind.choices)
    street = StreetChoiceField(queryset=Division.objects.none(), label=_("对接街道"))
    starts_on = forms.DateField(label=_("下沉起始"), widget=DATE)
    ends_on = forms.DateField(label=_("下沉截止"), widget=DATE, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = officer_candidates(user)
        self.fields["staff"].label_from_instance = lambda s: f"{s.name}（{s.unit.name}）"
        self.fields["street"].queryset = streets_for(user)


class TalkForm(StyledForm):
    mode = forms.ChoiceField(
        label=_("恳谈方式"), choices=TalkMode.choices, widget=forms.RadioSelect
    )
    held_on = forms.DateField(label=_("恳谈日期"), widget=DATE)
    street = StreetChoiceField(queryset=Division.objects.none(), label=_("街道"))
    place = forms.CharField(label=_("地点"), max_length=100)
    topic = forms.CharField(label=_("主题"), max_length=100)
    district_leaders = forms.CharField(
        label=_("区级政法单位领导"),
        max_length=200,
        required=False,
        help_text=_("姓名和职务，以顿号分隔。"),
    )
    street_members = forms.CharField(label=_("街道政法委员"), max_length=200, required=False)
    officers = OfficersField(
        queryset=NamedOfficer.objects.none(),
        required=False,
        label=_("参加的三官一师"),
        widget=forms.CheckboxSelectMultiple,
    )
    resident_count = forms.IntegerField(label=_("居民人数"), min_value=0, initial=0)
    summary = forms.CharField(
        label=_("恳谈纪要"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        streets = streets_for(user)
        self.fields["street"].queryset = streets
        self.fields["officers"].queryset = (
            NamedOfficer.objects.filter(street__in=streets)
            .active_on(timezone.localdate())
            .select_related("staff__unit", "street")
            .order_by("street__code", "kind")
        )
        if len(streets) == 1:
            self.fields["street"].initial = streets[0]
        else:  # officers of several streets: say whose
            self.fields["officers"].label_from_instance = lambda o: (
                f"{o.street.name} · {o.get_kind_display()} {o.staff.name}"
            )


class ProblemForm(StyledForm):
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 2}))
    raised_by = forms.CharField(label=_("提出人"), max_length=60, required=False)


class TaskForm(StyledForm):
    description = forms.CharField(label=_("任务内容"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = UnitChoiceField(queryset=Unit.objects.none(), label=_("责任单位"), required=False)
    deadline = forms.DateField(label=_("完成时限"), widget=DATE, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = task_owners(user)


class ProgressForm(StyledForm):
    note = forms.CharField(label=_("落实情况"), widget=forms.Textarea(attrs={"rows": 2}))


class ResultForm(VersionForm):
    rating = forms.ChoiceField(label=_("成效"), choices=ResultRating.choices)
    summary = forms.CharField(label=_("成效说明"), widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(
        label=_("佐证材料"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("如回访记录、现场照片编号、协议文书编号。"),
    )


class GridChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Division) -> str:
        return obj.name


class ProblemCaseForm(StyledForm):
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True), label=_("事项类别")
    )
    grid = GridChoiceField(queryset=Division.objects.none(), label=_("所在网格"))
    complexity = forms.ChoiceField(label=_("复杂程度"), choices=Complexity.choices)
    applicant = forms.CharField(label=_("申请人"), max_length=60)

    def __init__(self, *args, street: Division, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Division.objects.filter(
            level=Level.GRID, path__startswith=street.path
        ).order_by("code")
