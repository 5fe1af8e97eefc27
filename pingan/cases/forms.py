"""Forms of the intake page and the case actions; services do the real checks."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.core import uploads
from pingan.core.errors import ApplicationError
from pingan.core.forms import DateInput
from pingan.core.validators import validate_id_number, validate_phone
from pingan.orgs.choices import FunctionAreaKind, Level
from pingan.orgs.models import Division, Staff, Unit

from .choices import Channel, Complexity, LegalRoute, Outcome, PartyRole, ReferralRoute, Urgency
from .models import Category
from .rules import levels_below

MAX_ATTACHMENTS = 10


class StyledForm(forms.Form):
    """Adds Bootstrap classes to every widget, so templates stay plain."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select form-select-sm")
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", "form-control form-control-sm")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, each checked for size and type."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ",".join(uploads.DOCUMENT_TYPES)})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(_("一次最多上传 %(n)s 个附件。") % {"n": MAX_ATTACHMENTS})
        cleaned = [super(MultipleFileField, self).clean(item, initial) for item in files]
        for item in cleaned:
            # typed by content: the type kept (and served back) is the one detected
            try:
                item.content_type = uploads.checked_type(item, what=_("附件"))
            except ApplicationError as refused:
                raise ValidationError(refused.message) from None
        return cleaned


class CaseIntakeForm(StyledForm):
    """The one-window intake form (一窗受理, M1.1/M1.2)."""

    channel = forms.ChoiceField(
        label=_("来源渠道"), choices=Channel.choices, initial=Channel.WALK_IN
    )
    category = forms.ModelChoiceField(
        label=_("事项类别"),
        queryset=Category.objects.filter(is_active=True),
        empty_label=_("请选择"),
    )
    complexity = forms.ChoiceField(
        label=_("复杂程度"),
        choices=Complexity.choices,
        initial=Complexity.GENERAL,
        widget=forms.RadioSelect,
    )
    urgency = forms.ChoiceField(
        label=_("紧急程度"), choices=Urgency.choices, initial=Urgency.NORMAL
    )
    function_area = forms.ChoiceField(
        label=_("功能区"),
        choices=[("", _("按分流推荐")), *FunctionAreaKind.choices],
        required=False,
        help_text=_("留空时按右侧推荐的功能区办理。"),
    )
    title = forms.CharField(label=_("事项标题"), max_length=80)
    narrative = forms.CharField(
        label=_("事项描述"),
        min_length=10,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("写明事由、经过和诉求。系统会据此推荐功能区和承办单位。"),
    )
    grid = forms.ModelChoiceField(
        label=_("所在网格"),
        queryset=Division.objects.none(),
        to_field_name="code",
        error_messages={"invalid_choice": _("请选择您工作范围内的网格。")},
    )
    address = forms.CharField(label=_("详细地址"), max_length=200, required=False)
    attachments = MultipleFileField(
        label=_("附件"), help_text=_("PDF、图片、Word、Excel，每个不超过 10 MB。")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Division.objects.visible_to(user).filter(level=Level.GRID)


class PartyForm(StyledForm):
    role = forms.ChoiceField(
        label=_("身份"), choices=PartyRole.choices, initial=PartyRole.APPLICANT
    )
    name = forms.CharField(label=_("姓名/名称"), max_length=60)
    id_number = forms.CharField(
        label=_("身份证号"),
        max_length=18,
        required=False,
        validators=[validate_id_number],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    phone = forms.CharField(
        label=_("联系电话"),
        max_length=20,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )

    def clean_id_number(self) -> str:
        return "".join(self.cleaned_data["id_number"].split()).upper()

    def clean_phone(self) -> str:
        return "".join(self.cleaned_data["phone"].split())


class BasePartyFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        roles = [form.cleaned_data.get("role") for form in self.forms if form.cleaned_data]
        if not roles:
            raise ValidationError(_("请至少填写一名当事人。"))
        if PartyRole.APPLICANT not in roles:
            raise ValidationError(_("请至少填写一名申请人。"))


PartyFormSet = forms.formset_factory(
    PartyForm,
    formset=BasePartyFormSet,
    extra=0,
    min_num=1,
    max_num=20,
    validate_min=True,
    validate_max=True,
)


# --- actions on the case page ----------------------------------------------------------------


class ActionForm(StyledForm):
    """Every action carries the version the user saw, so a stale page cannot overwrite. Each
    action's form is built the same way, for the case and the user in front of it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("说明"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case, user, **kwargs):
        kwargs.setdefault("initial", {"version": case.version})
        super().__init__(*args, **kwargs)
        self.case, self.user = case, user


class RejectForm(ActionForm):
    reason = forms.CharField(
        label=_("不予受理理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class HandlerField(forms.ModelChoiceField):
    """A handler named with their roles (刘桂英（调解员）), so a dispatcher picks the mediator,
    not a namesake clerk."""

    def label_from_instance(self, obj: Staff) -> str:
        roles = "、".join(str(role) for role in obj.roles.all())
        return f"{obj.name}（{roles}）" if roles else obj.name


class AssignForm(ActionForm):
    unit = forms.ModelChoiceField(
        label=_("承办单位"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("保持当前承办单位"),
    )
    handler = HandlerField(
        label=_("承办人"), queryset=Staff.objects.none(), required=False, empty_label=_("暂不指定")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.visible_to(self.user).filter(is_active=True).order_by("kind", "name")
        )
        self.fields["handler"].queryset = (
            Staff.objects.filter(unit=self.case.handling_unit, is_active=True)
            .prefetch_related("roles")
            .order_by("name")
        )


class ConcludeForm(ActionForm):
    outcome = forms.ChoiceField(label=_("办理结果"), choices=Outcome.choices)
    legal_route = forms.ChoiceField(
        label=_("法律途径（未达成协议时必选）"),
        required=False,
        choices=[("", _("——")), *LegalRoute.choices],
    )
    reason = forms.CharField(
        label=_("办结情况说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class FollowUpForm(ActionForm):
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[
            (5, _("5 非常满意")),
            (4, _("4 满意")),
            (3, _("3 基本满意")),
            (2, _("2 不满意")),
            (1, _("1 非常不满意")),
        ],
    )
    reason = forms.CharField(
        label=_("回访记录（不满意时必填）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonRequiredForm(ActionForm):
    reason = forms.CharField(
        label=_("理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignDownForm(ReasonRequiredForm):
    level = forms.ChoiceField(label=_("交办至"), choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            (level, Level(level).label) for level in levels_below(self.case.level)
        ]


class JointForm(ReasonRequiredForm):
    units = forms.ModelMultipleChoiceField(label=_("联动单位"), queryset=Unit.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = (
            Unit.objects.visible_to(self.user).filter(is_active=True).order_by("kind", "name")
        )


class ExtensionRequestForm(ReasonRequiredForm):
    days = forms.IntegerField(label=_("延长天数"), min_value=1, max_value=60)


class ExtensionDecideForm(ActionForm):
    approve = forms.TypedChoiceField(
        label=_("审批意见"),
        coerce=lambda value: value == "1",
        choices=[("1", _("批准")), ("0", _("驳回"))],
        widget=forms.RadioSelect,
    )


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


class JudicialConfirmationForm(ActionForm):
    court = forms.CharField(label=_("确认法院"), max_length=100)
    confirmed_on = _date(_("确认日期"))
    ruling_number = forms.CharField(
        label=_("裁定书文号"), max_length=60, help_text=_("如（2026）京0101民特123号")
    )
    reason = forms.CharField(
        label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReferForm(ActionForm):
    """转出: where the matter goes, when, and when to follow it up."""

    route = forms.ChoiceField(label=_("转出途径"), choices=ReferralRoute.choices)
    body = forms.CharField(
        label=_("接收机关"), max_length=100, help_text=_("如：东城区人民法院、北京仲裁委员会")
    )
    referred_on = _date(_("转出日期"))
    reference_number = forms.CharField(label=_("对方受理编号"), max_length=60, required=False)
    follow_up_on = _date(_("跟进日期"))
    reason = None

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, case=case, user=user, **kwargs)
        today = timezone.localdate()
        self.fields["route"].initial = case.legal_route or None
        self.fields["referred_on"].initial = today
        self.fields["follow_up_on"].initial = today + timedelta(days=14)


class ReferralResultForm(ActionForm):
    result = forms.CharField(
        label=_("处理结果"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    result_on = _date(_("结果日期"))
    reference_number = forms.CharField(
        label=_("对方受理编号（如刚取得）"), max_length=60, required=False
    )
    reason = None


class SuperviseForm(ActionForm):
    reason = forms.CharField(
        label=_("督办事由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("被督办单位将收到督办单，须反馈原因与措施。"),
    )


class SupervisionAnswerForm(StyledForm):
    """反馈: the supervised unit's answer to a supervision order."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    answer = forms.CharField(
        label=_("反馈（原因与措施）"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class SupervisionCloseForm(StyledForm):
    """办结: the supervisor closes the order."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    note = forms.CharField(
        label=_("办结意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PartyRevealForm(forms.Form):
    """查看完整号码: which number, and why (the reason is logged)."""

    field = forms.ChoiceField(
        choices=[("id_number", _("身份证号")), ("phone", _("联系电话"))],
        error_messages={"invalid_choice": _("只能查看身份证号或联系电话。")},
    )
    reason = forms.CharField(
        label=_("查看原因"),
        max_length=200,
        error_messages={
            "required": _("请填写查看原因。"),
            "max_length": _("查看原因不能超过 200 个字。"),
        },
    )
