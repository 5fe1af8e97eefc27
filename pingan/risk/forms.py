"""Forms of dispatch; the services check the rules, the forms only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pingan.cases.forms import StyledForm
from pingan.orgs.models import Unit

from .models import Instruction


class InstructionForm(StyledForm):
    unit = forms.ModelChoiceField(
        label=_("承办单位"), queryset=Unit.objects.none(), empty_label=_("请选择承办单位")
    )
    title = forms.CharField(
        label=_("指令标题"), max_length=Instruction._meta.get_field("title").max_length
    )
    content = forms.CharField(
        label=_("指令内容"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("写明要做什么、做到什么程度、向谁反馈。"),
    )
    due_at = forms.DateTimeField(
        label=_("完成期限"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = (
            Unit.objects.visible_to(user).filter(is_active=True).order_by("division__path", "name")
        )


class VersionForm(StyledForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class CloseForm(VersionForm):
    result = forms.CharField(
        label=_("办理结果"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明做了什么、结果如何，下达人会看到。"),
    )
