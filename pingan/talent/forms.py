"""Forms of the profile page: each one is the page's input of one declared action
(``talent.actions``) and takes the same fields as the API's serializer."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core.forms import DateInput
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Staff

from .choices import ActivityKind, HonourLevel, OutcomeKind, TransferState, TransferTrack
from .models import Department, Milestone, PointRule, Profile, Stage, StudyItem, Transformation
from .selectors import evaluation_period

DATE = DateInput()
TEXT = forms.Textarea(attrs={"rows": 2})


class _Form(forms.Form):
    """Bootstrap classes on every widget; ``profile`` is the record the action applies to."""

    def __init__(self, *args, profile: Profile | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile = profile
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs.setdefault("class", f"{css} form-control-sm")


class StudyForm(_Form):
    item = forms.ChoiceField(label=_("学习项目"))
    completed_on = forms.DateField(label=_("完成日期"), widget=DATE)
    evidence = forms.CharField(
        label=_("佐证材料"),
        widget=TEXT,
        help_text=_("如学习笔记、心得体会、考试成绩、授课记录"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [
            (code, f"{code} {title}")
            for code, title in StudyItem.objects.filter(is_active=True).values_list("code", "title")
        ]


class StudyConfirmForm(_Form):
    item = forms.CharField(max_length=16, widget=forms.HiddenInput)


class MilestoneForm(_Form):
    milestone = forms.ModelChoiceField(label=_("转化节点"), queryset=Milestone.objects.none())
    completed_on = forms.DateField(label=_("完成日期"), widget=DATE)
    evidence = forms.CharField(label=_("佐证材料"), widget=TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        milestones = Milestone.objects.select_related("transformation")
        if self.profile is not None:
            milestones = milestones.filter(
                transformation__stage__order__lte=self.profile.stage.order
            )
        self.fields["milestone"].queryset = milestones
        self.fields["milestone"].label_from_instance = lambda m: f"{m.transformation}：{m.name}"


class MilestoneConfirmForm(_Form):
    milestone = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class PointsForm(_Form):
    rule = forms.ChoiceField(label=_("积分规则"))
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=50, initial=1)
    occurred_on = forms.DateField(label=_("发生日期"), widget=DATE)
    evidence = forms.CharField(label=_("佐证材料"), widget=TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [("", _("请选择"))] + [
            (rule.code, f"{rule.category} · {rule}")
            for rule in PointRule.objects.filter(is_active=True)
        ]
        self.fields["rule"].required = False  # the service explains a missing rule


class DecideForm(_Form):
    entry = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    approve = forms.TypedChoiceField(
        label=_("审批结果"),
        choices=[("1", _("通过")), ("0", _("不予通过"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=_("审批意见"), required=False, max_length=200)


class ActivityForm(_Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ActivityKind.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    occurred_on = forms.DateField(label=_("日期"), widget=DATE)
    level = forms.ChoiceField(label=_("级别"), choices=HonourLevel.choices)
    result = forms.CharField(label=_("结果"), max_length=40, required=False)
    transformation = forms.ModelChoiceField(
        label=_("佐证的能力转化"),
        queryset=Transformation.objects.select_related("stage"),
        required=False,
    )
    evidence = forms.CharField(label=_("佐证材料"), widget=TEXT)


class RotationForm(_Form):
    department = forms.ModelChoiceField(label=_("轮岗部门"), queryset=Department.objects.none())
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    required_cases = forms.IntegerField(label=_("要求协助办案数"), min_value=0, max_value=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.profile is not None:
            self.fields["department"].queryset = Department.objects.filter(
                unit=self.profile.unit_id
            )


class LinkCaseForm(_Form):
    rotation = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    case_number = forms.CharField(label=_("事项编号"), max_length=20)


class EnteredCasesForm(_Form):
    rotation = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    count = forms.IntegerField(label=_("系统外协助办案数"), min_value=0, max_value=500)
    reason = forms.CharField(label=_("说明"), max_length=200)


class EvaluationForm(_Form):
    period = forms.CharField(label=_("考评周期"), max_length=16, initial="")
    score = forms.DecimalField(
        label=_("分数"), min_value=0, max_value=100, decimal_places=1, max_digits=4
    )
    comment = forms.CharField(label=_("评语"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].initial = evaluation_period()


class StageForm(_Form):
    to_stage = forms.ModelChoiceField(
        label=_("晋升到"), queryset=Stage.objects.none(), to_field_name="code"
    )
    changed_on = forms.DateField(label=_("变更日期"), widget=DATE)
    reason = forms.CharField(label=_("评议意见"), widget=TEXT)
    override_reason = forms.CharField(
        label=_("破格理由"),
        widget=TEXT,
        required=False,
        help_text=_("未达到晋阶条件或跨阶段晋升时必填"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.profile is not None:
            self.fields["to_stage"].queryset = Stage.objects.filter(
                order__gt=self.profile.stage.order
            )
            self.initial.setdefault("version", self.profile.version)
        self.initial.setdefault("changed_on", timezone.localdate())


class TransferForm(_Form):
    track = forms.ChoiceField(label=_("转任通道"), choices=TransferTrack.choices)
    state = forms.ChoiceField(label=_("状态"), choices=TransferState.choices)
    decided_on = forms.DateField(label=_("日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200)


class OutcomeForm(_Form):
    kind = forms.ChoiceField(label=_("类型"), choices=OutcomeKind.choices)
    level = forms.ChoiceField(label=_("级别"), choices=HonourLevel.choices)
    title = forms.CharField(label=_("名称"), max_length=100)
    awarded_on = forms.DateField(label=_("日期"), widget=DATE)
    evidence = forms.CharField(label=_("佐证材料"), widget=TEXT)


class MentorForm(_Form):
    mentor = forms.ModelChoiceField(label=_("带教导师"), queryset=Staff.objects.none())
    reason = forms.CharField(label=_("更换理由"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.profile is not None:
            self.fields["mentor"].queryset = Staff.objects.filter(
                unit=self.profile.unit_id, roles__code=RoleCode.MENTOR, is_active=True
            ).order_by("name")
            self.initial.setdefault("version", self.profile.version)
