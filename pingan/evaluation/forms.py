"""Forms of the evaluation pages; the services do the domain checks."""

import json
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.core.forms import DateInput
from pingan.orgs.choices import RoleCode
from pingan.orgs.models import Division, Staff, Unit

from . import sources
from .choices import CHECKLIST, Dimension, Direction, Grade, ListKind, PlanKind, Rule, SubjectKind
from .services import EVALUATED_UNIT_KINDS

QUARTERS = [
    (0, _("全年")),
    (1, _("第一季度")),
    (2, _("第二季度")),
    (3, _("第三季度")),
    (4, _("第四季度")),
]


class Styled(forms.Form):
    """Bootstrap classes on every widget, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control form-control-sm")


class SchemeForm(Styled):
    name = forms.CharField(label=_("方案名称"), max_length=80)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), choices=QUARTERS, coerce=int)
    subject_kind = forms.ChoiceField(label=_("考评对象"), choices=SubjectKind.choices)
    role = forms.ChoiceField(
        label=_("人员角色"),
        choices=[("", _("（按街道或部门单位考评时不选）")), *RoleCode.choices],
        required=False,
    )


class WeightsForm(Styled):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, scheme=None, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Dimension.choices:
            self.fields[code] = forms.DecimalField(
                label=label,
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=scheme.weight_of(code) if scheme else None,
            )
        self.style()


class IndicatorForm(Styled):
    version = forms.IntegerField(widget=forms.HiddenInput)
    dimension = forms.ChoiceField(label=_("维度"), choices=Dimension.choices)
    code = forms.SlugField(
        label=_("代码"), max_length=40, help_text=_("英文字母、数字或下划线，方案内唯一。")
    )
    name = forms.CharField(label=_("指标名称"), max_length=60)
    source = forms.ChoiceField(label=_("数据来源"), choices=())
    weight = forms.DecimalField(label=_("分值"), min_value=0, max_digits=6, decimal_places=2)
    direction = forms.ChoiceField(label=_("方向"), choices=Direction.choices)
    rule = forms.ChoiceField(label=_("计分规则"), choices=Rule.choices)
    target = forms.DecimalField(
        label=_("目标值"),
        required=False,
        max_digits=12,
        decimal_places=4,
        help_text=_("比率填小数，如 0.95 表示 95%；用时填天数。"),
    )
    bands = forms.CharField(
        label=_("分档"),
        required=False,
        help_text=_("分档计分用：[[门槛值, 得分比例], …]，如 [[0.95, 1], [0.9, 0.8], [0.8, 0.5]]"),
    )
    points_per_event = forms.DecimalField(
        label=_("每次分值"),
        required=False,
        max_digits=8,
        decimal_places=2,
        help_text=_("按次扣分或按次加分用。"),
    )
    sort_order = forms.IntegerField(label=_("排序"), min_value=0, initial=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = sources.source_choices()

    def clean_bands(self):
        text = (self.cleaned_data.get("bands") or "").strip()
        if not text:
            return []
        try:
            bands = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("分档格式不对，应如 [[0.95, 1], [0.9, 0.8]]。")) from None
        if not isinstance(bands, list):
            raise forms.ValidationError(_("分档格式不对，应如 [[0.95, 1], [0.9, 0.8]]。"))
        return bands


class ReasonForm(Styled):
    reason = forms.CharField(
        label=_("修订理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SubjectFields(Styled):
    """A subject: a street or an agency in scope, or a member of staff by username."""

    street = forms.ModelChoiceField(
        label=_("街道"), queryset=Division.objects.none(), required=False, to_field_name="code"
    )
    unit = forms.ModelChoiceField(label=_("部门单位"), queryset=Unit.objects.none(), required=False)
    username = forms.CharField(
        label=_("人员用户名"), required=False, help_text=_("考评人员时填写其登录用户名。")
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = Division.objects.visible_to(user).streets()
        self.fields["unit"].queryset = Unit.objects.visible_to(user).filter(
            kind__in=EVALUATED_UNIT_KINDS, is_active=True
        )

    def clean(self):
        data = super().clean()
        username = (data.get("username") or "").strip()
        data["staff"] = None
        if username:
            staff = Staff.objects.filter(username=username).select_related("unit__division")
            data["staff"] = staff.first()
            if data["staff"] is None:
                self.add_error("username", _("没有这个用户名。"))
        return data


class ManualEntryForm(SubjectFields):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), choices=QUARTERS, coerce=int)
    indicator_code = forms.SlugField(label=_("指标代码"))
    value = forms.DecimalField(label=_("数值"), max_digits=10, decimal_places=2)
    evidence = forms.CharField(label=_("佐证说明"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(label=_("佐证材料"), required=False)


class ListEntryForm(SubjectFields):
    kind = forms.ChoiceField(label=_("类别"), choices=ListKind.choices)
    title = forms.CharField(label=_("事由"), max_length=120)
    points = forms.DecimalField(
        label=_("分值"), max_digits=6, decimal_places=2, min_value=Decimal("0.01")
    )
    occurred_on = forms.DateField(label=_("发生日期"), widget=DateInput())
    evidence = forms.CharField(label=_("佐证说明"), widget=forms.Textarea(attrs={"rows": 3}))
    evidence_file = forms.FileField(label=_("佐证材料"), required=False)


class DecideForm(Styled):
    approve = forms.TypedChoiceField(
        choices=[("1", _("通过")), ("0", _("退回"))], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label=_("审核意见"), required=False)


class ReviewPlanForm(Styled):
    name = forms.CharField(label=_("计划名称"), max_length=80)
    kind = forms.ChoiceField(label=_("评查方式"), choices=PlanKind.choices)
    start = forms.DateField(label=_("办结日期起"), widget=DateInput())
    end = forms.DateField(label=_("办结日期止"), widget=DateInput())
    sample_rate = forms.FloatField(
        label=_("抽查比例"),
        required=False,
        min_value=0.001,
        max_value=1,
        help_text=_("分层随机抽查用，如 0.1 表示每个承办单位、每个类别抽一成（至少一件）。"),
    )
    seed = forms.IntegerField(label=_("随机种子"), min_value=0, initial=0, required=False)


class ReviewForm(Styled):
    version = forms.IntegerField(widget=forms.HiddenInput)
    grade = forms.ChoiceField(label=_("评定等次"), choices=Grade.choices)
    note = forms.CharField(
        label=_("评查意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in CHECKLIST:
            self.fields[f"check_{code}"] = forms.BooleanField(label=label, required=False)
        self.style()


class ReportForm(Styled):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    quarter = forms.TypedChoiceField(label=_("季度"), choices=QUARTERS[1:], coerce=int)
    area = forms.ModelChoiceField(
        label=_("范围"), queryset=Division.objects.none(), to_field_name="code"
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        areas = Division.objects.visible_to(user).filter(level__in=["district", "street"])
        self.fields["area"].queryset = areas
        # the widest area in scope comes first and is the default
        self.fields["area"].initial = areas.order_by("path").values_list("code", flat=True).first()
