"""Forms of the register pages; services do the real checks."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pingan.cases.forms import StyledForm
from pingan.core.forms import DateInput
from pingan.orgs.models import Division, Staff

from . import access
from .choices import (
    ContactResult,
    Employment,
    Gender,
    Housing,
    MeasureCategory,
    MeasureKind,
    RiskLevel,
)
from .models import Partner, PersonType

MAX_CSV_BYTES = 50 * 1024 * 1024
CSV_TOO_LARGE = _("文件超过 50 MB。")  # the fitting page's and the API's answer


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        unit = (obj.unit.short_name or obj.unit.name) if obj.unit else ""
        return f"{obj.name or obj.username}（{unit}）"


class PersonForm(StyledForm):
    name = forms.CharField(label=_("姓名"), max_length=32)
    id_number = forms.CharField(label=_("身份证号"), max_length=18)
    gender = forms.ChoiceField(label=_("性别"), choices=Gender.choices, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("居住地址"), max_length=200, required=False)
    person_type = forms.ModelChoiceField(
        label=_("人员类别"), queryset=PersonType.objects.filter(is_active=True)
    )
    grid = forms.ModelChoiceField(label=_("所在网格"), queryset=Division.objects.none())
    responsible = StaffChoiceField(label=_("责任人"), queryset=Staff.objects.none())
    legal_basis = forms.CharField(
        label=_("登记依据"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写明法律法规或文件依据；留空则不能登记。"),
    )
    ends_on = forms.DateField(
        label=_("在册截止日期"),
        required=False,
        widget=DateInput(),
        help_text=_("留空按人员类别的默认期限计算。"),
    )
    employment = forms.ChoiceField(label=_("就业状况"), choices=Employment.choices)
    housing = forms.ChoiceField(label=_("居住状况"), choices=Housing.choices)
    released_on = forms.DateField(label=_("刑满释放日期"), required=False, widget=DateInput())
    violations = forms.IntegerField(label=_("违规记录次数"), min_value=0, initial=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = access.register_grids(user)
        self.fields["responsible"].queryset = access.responsible_candidates(user)
        self.fields["responsible"].initial = user.pk


class ConfirmForm(StyledForm):
    proposal = forms.IntegerField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)


class OverrideForm(ConfirmForm):
    level = forms.ChoiceField(label=_("改定为"), choices=RiskLevel.choices)
    reason = forms.CharField(
        label=_("改定理由"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    disputed_factors = forms.MultipleChoiceField(
        label=_("有异议的因子"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("勾选您认为评分不准的因子，用于改进评分卡。"),
    )

    def __init__(self, *args, factors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disputed_factors"].choices = list(factors)


class ReviewForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    contact = forms.ChoiceField(label=_("联系情况"), choices=ContactResult.choices)
    note = forms.CharField(
        label=_("复核情况"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class SituationForm(StyledForm):
    """The facts an officer keeps up to date; each change may lead to a new proposal."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    employment = forms.ChoiceField(label=_("就业状况"), choices=Employment.choices)
    housing = forms.ChoiceField(label=_("居住状况"), choices=Housing.choices)
    violations = forms.IntegerField(label=_("违规记录次数"), min_value=0, max_value=99)
    phone = forms.CharField(
        label=_("新联系电话"), max_length=20, required=False, help_text=_("留空表示不变。")
    )
    address = forms.CharField(
        label=_("新居住地址"), max_length=200, required=False, help_text=_("留空表示不变。")
    )


class MeasureForm(StyledForm):
    kind = forms.ChoiceField(label=_("类型"), choices=MeasureKind.choices)
    category = forms.ChoiceField(label=_("内容类别"), choices=MeasureCategory.choices)
    description = forms.CharField(
        label=_("措施内容"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    owner = StaffChoiceField(label=_("负责人"), queryset=Staff.objects.none(), required=False)
    due_on = forms.DateField(label=_("完成期限"), required=False, widget=DateInput())
    partner = forms.ModelChoiceField(
        label=_("帮扶资源"),
        queryset=Partner.objects.none(),
        required=False,
        help_text=_("帮扶措施可选用愿意接收的企业等资源。"),
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = access.staff_in_area(person.area_path).select_related(
            "unit"
        )
        street = person.area_path.strip("/").split("/")[1]
        self.fields["partner"].queryset = Partner.objects.filter(is_active=True).filter(
            Q(street__isnull=True) | Q(street__code=street)
        )


class MeasureDoneForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.CharField(
        label=_("落实结果"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ScorecardFitForm(StyledForm):
    csv = forms.FileField(label=_("历史数据（CSV）"), help_text=_("第一行为列名，UTF-8 编码。"))
    outcome = forms.CharField(label=_("结果列（0/1）"), max_length=80)
    group = forms.CharField(label=_("审计分组列"), max_length=80, required=False)
    exclude = forms.CharField(
        label=_("排除的列"), required=False, help_text=_("多个列用逗号分隔。")
    )

    def clean_csv(self):
        upload = self.cleaned_data["csv"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(CSV_TOO_LARGE)
        return upload

    def exclude_list(self) -> tuple[str, ...]:
        raw = self.cleaned_data.get("exclude") or ""
        return tuple(part.strip() for part in raw.replace("，", ",").split(",") if part.strip())


class ScorecardReviewForm(StyledForm):
    approve = forms.TypedChoiceField(
        label=_("审核结论"),
        choices=[("true", _("通过")), ("false", _("退回"))],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
