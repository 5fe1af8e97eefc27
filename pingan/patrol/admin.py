"""Admin: Open311 API keys (created through the service, the key shown once), and read-only
lists of patrols and reports for the administrator."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from pingan.core.admin import AuditedAdmin

from .models import ApiKey, Patrol, Report
from .services import api_key_create


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "unit", "is_active"]


@admin.register(ApiKey)
class ApiKeyAdmin(AuditedAdmin):
    form = ApiKeyForm
    list_display = ["name", "unit", "prefix", "is_active", "last_used_at", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "prefix", "unit__name"]
    readonly_fields = ["prefix", "created_by", "last_used_at", "created_at"]
    autocomplete_fields = ["unit"]

    def get_fields(self, request, obj=None):
        return ["name", "unit", "is_active"] + (self.readonly_fields if obj else [])

    def save_model(self, request, obj, form, change):
        if change:
            # Only the name, unit and active flag change; the key itself never does.
            obj.save(update_fields=["name", "unit", "is_active", "updated_at"])
            return
        key, raw = api_key_create(actor=request.user, name=obj.name, unit=obj.unit)
        if not obj.is_active:
            ApiKey.objects.filter(pk=key.pk).update(is_active=False)
        obj.pk, obj.prefix = key.pk, key.prefix
        obj._state.adding = False
        messages.warning(
            request,
            _("接口密钥已创建，请立即复制并妥善保存（只显示这一次）：%(key)s") % {"key": raw},
        )


@admin.register(Patrol)
class PatrolAdmin(AuditedAdmin):
    list_display = ["grid", "staff", "day", "started_at", "ended_at"]
    list_filter = ["day"]
    search_fields = ["grid__name", "grid__code", "staff__username", "staff__name"]
    list_select_related = ["grid", "staff"]
    date_hierarchy = "day"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Report)
class ReportAdmin(AuditedAdmin):
    list_display = ["pk", "kind", "is_early_sign", "grid", "reporter", "source", "reported_at"]
    list_filter = ["kind", "is_early_sign", "source"]
    search_fields = ["grid__name", "grid__code", "text"]
    list_select_related = ["grid", "reporter"]
    exclude = ["contact_phone"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
