"""Subscribers and their deliveries in the admin: who hears what, and every attempt."""

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core.actions import DECLARED
from pingan.core.admin import AuditedAdmin

from .models import Delivery, Subscriber
from .services import redeliver


def event_choices() -> list[tuple[str, str]]:
    """Every declared action, by the API operation that serves it (the event's type)."""
    labels = {}
    for action in DECLARED:
        labels.setdefault(action.operation, f"{action.operation}（{action.label}）")
    return sorted(labels.items())


class SubscriberForm(forms.ModelForm):
    url = forms.URLField(label=gettext_lazy("接收地址"), max_length=300, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=gettext_lazy("事件类型"),
        choices=event_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("只推送所选的操作；不选表示推送全部。"),
    )

    class Meta:
        model = Subscriber
        fields = ["name", "url", "unit", "events", "personal_data", "is_active", "secret"]
        widgets = {"secret": forms.TextInput(attrs={"size": 50, "autocomplete": "off"})}


@admin.register(Subscriber)
class SubscriberAdmin(AuditedAdmin):
    form = SubscriberForm
    list_display = ["name", "url", "unit", "personal_data", "is_active", "failures", "disabled_at"]
    list_filter = ["is_active"]
    list_select_related = ["unit"]
    search_fields = ["name", "url"]
    autocomplete_fields = ["unit"]
    readonly_fields = ["failures", "disabled_at"]

    def save_model(self, request, obj, form, change):
        if "is_active" in form.changed_data and obj.is_active:
            obj.failures, obj.disabled_at = 0, None  # switched on again: a fresh count
        super().save_model(request, obj, form, change)


@admin.register(Delivery)
class DeliveryAdmin(AuditedAdmin):
    list_display = [
        "created_at",
        "subscriber",
        "kind",
        "status",
        "attempts",
        "last_status_code",
        "next_attempt_at",
    ]
    list_filter = ["status", "subscriber", "kind"]
    list_select_related = ["subscriber"]
    search_fields = ["event_id", "kind"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["redeliver_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_redeliver_permission(self, request):
        return request.user.has_perm("webhooks.view_delivery")

    @admin.action(description=gettext_lazy("重新推送所选记录"), permissions=["redeliver"])
    def redeliver_selected(self, request, queryset):
        count = redeliver(actor=request.user, deliveries=list(queryset), now=timezone.now())
        self.message_user(request, _("已安排重新推送 %(count)s 条记录。") % {"count": count})
