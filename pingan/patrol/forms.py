"""Forms of the phone pages and the report-to-case page; services do the real checks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.cases.choices import Complexity, Urgency
from pingan.cases.forms import StyledForm
from pingan.cases.models import Category
from pingan.core.uploads import IMAGE_TYPES
from pingan.core.validators import validate_phone
from pingan.orgs.models import Division

from .choices import CheckItem, ReportKind


class PatrolEndForm(StyledForm):
    checked = forms.MultipleChoiceField(
        label=_("本次检查事项"),
        choices=CheckItem.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少勾选一项本次巡查的检查事项。")},
    )
    note = forms.CharField(
        label=_("巡查记录"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("一切正常可不填；发现问题请另行上报。"),
    )


class ReportForm(StyledForm):
    """A report from the phone: type, early sign, text, photo, grid and position."""

    kind = forms.ChoiceField(
        label=_("上报类型"), choices=ReportKind.choices, widget=forms.RadioSelect
    )
    is_early_sign = forms.BooleanField(
        label=_("苗头隐患"),
        required=False,
        help_text=_("可能引发矛盾激化或安全事故的苗头，勾选后优先处理。"),
    )
    text = forms.CharField(
        label=_("情况描述"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"min_length": _("情况描述过短，请写明看到了什么、在哪里（至少5个字）。")},
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        widget=forms.FileInput(
            attrs={"accept": ",".join(sorted(set(IMAGE_TYPES.values()))), "capture": "environment"}
        ),
        help_text=_("JPG 或 PNG，不超过 10 MB。"),
    )
    grid = forms.ModelChoiceField(
        label=_("所在网格"),
        queryset=Division.objects.none(),
        to_field_name="code",
        empty_label=None,
        error_messages={"invalid_choice": _("请选择您负责的网格。")},
    )
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids
        self.fields["kind"].widget.attrs["class"] = "btn-check"
        self.fields["is_early_sign"].widget.attrs["class"] = "form-check-input"


class ReportToCaseForm(StyledForm):
    """The case intake, pre-filled from a report."""

    category = forms.ModelChoiceField(
        label=_("事项类别"),
        queryset=Category.objects.filter(is_active=True),
        empty_label=_("请选择"),
    )
    complexity = forms.ChoiceField(
        label=_("复杂程度"), choices=Complexity.choices, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(label=_("紧急程度"), choices=Urgency.choices)
    title = forms.CharField(label=_("事项标题"), max_length=80)
    narrative = forms.CharField(
        label=_("事项描述"), min_length=10, widget=forms.Textarea(attrs={"rows": 4})
    )
    applicant_name = forms.CharField(
        label=_("申请人/反映人"),
        max_length=60,
        help_text=_("群众反映的填写群众姓名；网格员自行发现的可填写网格员本人。"),
    )
    applicant_phone = forms.CharField(
        label=_("联系电话"), max_length=20, required=False, validators=[validate_phone]
    )


class CoverageForm(forms.Form):
    division = forms.ModelChoiceField(
        label=_("社区/街道"), queryset=Division.objects.none(), to_field_name="code", required=False
    )
    end = forms.DateField(label=_("截至日期"), required=False)

    def __init__(self, *args, divisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions
