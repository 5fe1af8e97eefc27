"""The index's settings in the admin: weights, thresholds and category severities, validated
(no negative weight, not all zero, thresholds in order) and audited."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pingan.core import jobs
from pingan.core.admin import REASON_FIELD, AuditedAdmin
from pingan.core.services import audit_record

from .components import REGISTRY
from .jobs import WARNING_MEASURE
from .models import CategorySeverity, ComponentWeight, Instruction, RiskSettings, RiskWarning


class WeightFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        weights = [
            form.cleaned_data.get("weight")
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if weights and not any((w or 0) > 0 for w in weights):
            raise ValidationError(_("权重不能全部为 0，至少要有一项构成计入指数。"))


class ComponentWeightInline(admin.TabularInline):
    model = ComponentWeight
    formset = WeightFormSet
    fields = ["code", "label", "weight"]
    readonly_fields = ["code", "label"]
    extra = 0
    can_delete = False

    @admin.display(description=gettext_lazy("构成项"))
    def label(self, obj: ComponentWeight) -> str:
        registered = REGISTRY.get(obj.code)
        return f"{registered.label}：{registered.explanation}" if registered else _("（未注册）")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RiskSettings)
class RiskSettingsAdmin(AuditedAdmin):
    inlines = [ComponentWeightInline]
    fieldsets = [
        (
            gettext_lazy("指数"),
            {"fields": ["window_days", "baseline_days", "yellow_threshold", "red_threshold"]},
        ),
        (
            gettext_lazy("预警"),
            {
                "fields": [
                    "warning_alpha",
                    "warning_min_count",
                    "warning_baseline_days",
                    "warning_dispersion",
                    "hotspot_fdr",
                    "quiet_days",
                ]
            },
        ),
    ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.warning_measurement() is None:
            job = jobs.job_submit(kind=WARNING_MEASURE, owner=request.user)
            self.message_user(
                request,
                _("预警参数已改动，正在后台按新参数测算预警效果，完成后通知您（任务 %(id)s）。")
                % {"id": job.pk},
            )

    def has_add_permission(self, request):
        return not RiskSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        audit_record(
            actor=request.user,
            action="risk_weights.change",
            target=form.instance,
            reason=form.cleaned_data[REASON_FIELD],
            data={
                "weights": {
                    f.instance.code: f.instance.weight for f in formset.forms if f.has_changed()
                }
            },
        )


@admin.register(CategorySeverity)
class CategorySeverityAdmin(AuditedAdmin):
    list_display = ["category", "severity"]
    list_select_related = ["category"]


@admin.register(RiskWarning)
class RiskWarningAdmin(AuditedAdmin):
    list_display = ["grid", "kind", "opened_at", "last_flagged_at", "closed_at"]
    list_filter = ["kind"]
    list_select_related = ["grid"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Instruction)
class InstructionAdmin(AuditedAdmin):
    """Read-only: instructions change only through their services (trail and notices)."""

    list_display = ["number", "title", "grid", "unit", "state", "due_at"]
    list_filter = ["state"]
    list_select_related = ["grid", "unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
