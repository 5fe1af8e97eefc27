from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The login form with messages a clerk understands."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续输错多次后账号将被临时锁定。"),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class DigestForm(forms.Form):
    """短信提醒方式: one text per routine notice, or one a day summing them up."""

    digest = forms.TypedChoiceField(
        label=_("短信提醒方式"),
        coerce=lambda value: value == "1",
        choices=[("0", _("逐条短信")), ("1", _("每日 8 点汇总一条"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        help_text=_("督办通知始终逐条发送。"),
    )


class DateInput(forms.DateInput):
    """The browser's date picker. It is given ISO dates whatever the language: a date in the
    locale's format ("2026/12/21" in zh-Hans) is a value a type=date input drops, leaving a
    required field empty."""

    input_type = "date"
    iso_format = "%Y-%m-%d"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or self.iso_format)


class MonthInput(DateInput):
    input_type = "month"
    iso_format = "%Y-%m"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("设备或用途"),
        max_length=60,
        help_text=_("例如“调度大屏”“12345 热线对接”，便于日后识别和撤销。"),
    )


class TokenRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("撤销原因"), max_length=500, required=False, help_text=_("撤销他人的令牌时必填。")
    )


class CodeForm(forms.Form):
    """The second factor: six digits from the authenticator app, or a recovery code."""

    code = forms.CharField(
        label=_("验证码"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(
        label=_("重置原因"),
        max_length=500,
        help_text=_("例如“手机遗失，本人当面申请”。本人将收到通知。"),
    )
