"""Forms of the corrections pages; the services do the real checks."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.cases.forms import StyledForm
from pingan.core.forms import DateInput
from pingan.core.validators import validate_id_number, validate_phone
from pingan.orgs.models import Division, Staff

from .choices import FundEntryKind, OffenceCategory, PlacementOutcome, ReviewKind
from .models import Employer, Prison


class ReleaseForm(StyledForm):
    prison = forms.ModelChoiceField(label=_("监狱"), queryset=Prison.objects.none())
    name = forms.CharField(label=_("姓名"), max_length=32)
    id_number = forms.CharField(label=_("身份证号"), max_length=18, validators=[validate_id_number])
    offence = forms.ChoiceField(label=_("罪名类别"), choices=OffenceCategory.choices)
    sentence_months = forms.IntegerField(label=_("刑期（月）"), min_value=1, max_value=600)
    release_date = forms.DateField(label=_("释放日期"), widget=DateInput)
    address = forms.CharField(label=_("落户地址"), max_length=200)
    grid = forms.ModelChoiceField(
        label=_("落户网格"),
        queryset=Division.objects.filter(level="grid"),
        to_field_name="code",
        error_messages={"invalid_choice": _("落户地址不在本区任何网格内，请重新选择网格。")},
    )
    health = forms.CharField(label=_("健康状况"), max_length=200, required=False)
    family_contact = forms.CharField(label=_("家属联系人"), max_length=32, required=False)
    family_phone = forms.CharField(
        label=_("家属电话"), max_length=20, required=False, validators=[validate_phone]
    )
    skills = forms.CharField(
        label=_("技能特长"),
        max_length=200,
        required=False,
        help_text=_("用顿号分隔，如：电工、厨师"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        prisons = Prison.objects.all() if user.is_superuser else user.prisons.all()
        self.fields["prison"].queryset = prisons.order_by("code")
        if len(self.fields["prison"].queryset) == 1:
            self.fields["prison"].initial = self.fields["prison"].queryset[0]


class ArrivalForm(StyledForm):
    responsible = forms.ModelChoiceField(label=_("帮教责任人"), queryset=Staff.objects.none())
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = candidates


class FollowupForm(StyledForm):
    insurance_enrolled_on = forms.DateField(label=_("参保日期"), required=False, widget=DateInput)
    insurance_kind = forms.CharField(label=_("参保险种"), max_length=60, required=False)
    reoffended_on = forms.DateField(label=_("重新犯罪日期"), required=False, widget=DateInput)
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlacementForm(StyledForm):
    employer = forms.ModelChoiceField(
        label=_("企业"), queryset=Employer.objects.filter(is_active=True)
    )
    job = forms.CharField(label=_("岗位"), max_length=40)
    outcome = forms.ChoiceField(label=_("结果"), choices=PlacementOutcome.choices)
    started_on = forms.DateField(label=_("入职日期"), required=False, widget=DateInput)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


class FundForm(StyledForm):
    kind = forms.ChoiceField(label=_("类型"), choices=FundEntryKind.choices)
    amount = forms.DecimalField(label=_("金额（元）"), max_digits=10, decimal_places=2)
    purpose = forms.CharField(label=_("来源/用途"), max_length=100)


class EmployerForm(StyledForm):
    name = forms.CharField(label=_("企业名称"), max_length=100)
    # chosen with the street -> community -> grid pickers of the page, within the user's scope
    grid = forms.ModelChoiceField(
        label=_("所在网格"),
        queryset=Division.objects.none(),
        to_field_name="code",
        error_messages={
            "required": _("请选择企业所在网格。"),
            "invalid_choice": _("所选网格不在您的辖区内，请重新选择。"),
        },
    )
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    contact = forms.CharField(label=_("联系人"), max_length=32, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=32, required=False)
    jobs = forms.CharField(label=_("岗位"), max_length=200, help_text=_("用顿号分隔"))
    conditions = forms.CharField(label=_("条件"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Division.objects.visible_to(user).filter(level="grid")


class EvidenceFileForm(StyledForm):
    prison = forms.ModelChoiceField(label=_("监狱"), queryset=Prison.objects.none())
    subject = forms.CharField(label=_("罪犯姓名"), max_length=32)
    kind = forms.ChoiceField(label=_("类型"), choices=ReviewKind.choices)
    items = forms.CharField(
        label=_("证据清单"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("每行一项：证据名称｜来源｜必审或选审，如：计分考核材料｜狱政科｜必审"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        prisons = Prison.objects.all() if user.is_superuser else user.prisons.all()
        self.fields["prison"].queryset = prisons.order_by("code")

    def clean_items(self) -> list[tuple[str, str, bool]]:
        items = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            parts = [part.strip() for part in line.replace("|", "｜").split("｜")]
            if not parts[0]:
                continue
            if len(parts) > 3 or (len(parts) == 3 and parts[2] not in ("必审", "选审", "")):
                raise forms.ValidationError(
                    _("第 %(n)s 行格式不对：应为“证据名称｜来源｜必审或选审”。"),
                    params={"n": number},
                )
            source = parts[1] if len(parts) > 1 else ""
            required = len(parts) < 3 or parts[2] != "选审"
            items.append((parts[0][:100], source[:100], required))
        if not items:
            raise forms.ValidationError(_("案卷至少要有一项证据。"))
        return items


CHECK_CHOICES = [("pass", _("符合")), ("fail", _("不符合"))]


class ReviewForm(StyledForm):
    authenticity = forms.ChoiceField(
        label=_("真实性"), choices=CHECK_CHOICES, widget=forms.RadioSelect
    )
    completeness = forms.ChoiceField(
        label=_("完整性"), choices=CHECK_CHOICES, widget=forms.RadioSelect
    )
    relevance = forms.ChoiceField(
        label=_("关联性"), choices=CHECK_CHOICES, widget=forms.RadioSelect
    )
    findings = forms.CharField(label=_("审核意见"), max_length=500, required=False)
    exclude = forms.BooleanField(label=_("作为非法证据排除"), required=False)
    exclusion_reason = forms.CharField(label=_("排除理由"), max_length=300, required=False)


class ConcludeForm(StyledForm):
    conclusion = forms.CharField(
        label=_("审核结论"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
