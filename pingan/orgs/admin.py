"""The administrator manages the org tree, units and staff here (Django admin, in Chinese)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from pingan.core.admin import AuditedAdmin
from pingan.core.masking import mask_phone

from .models import Division, FunctionArea, Staff, Unit


@admin.register(Division)
class DivisionAdmin(AuditedAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    list_select_related = ["parent"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "center_lng", "center_lat", "created_at", "updated_at"]
    list_per_page = 50


class FunctionAreaInline(admin.TabularInline):
    model = FunctionArea
    extra = 0


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "kind", "agency_type", "division", "stationing", "is_active"]
    list_filter = ["kind", "agency_type", "stationing", "is_active"]
    search_fields = ["name", "short_name"]
    list_select_related = ["division"]
    autocomplete_fields = ["division", "parent"]
    filter_horizontal = ["serves"]
    inlines = [FunctionAreaInline]
    list_per_page = 50


@admin.register(Staff)
class StaffAdmin(AuditedAdmin, UserAdmin):
    list_display = ["username", "name", "unit", "title", "masked_phone", "is_active"]
    list_filter = ["is_active", "is_staff", "roles", "unit__kind"]
    search_fields = ["username", "name", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]
    filter_horizontal = ["roles", "grids", "groups", "user_permissions"]
    ordering = ["username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("name", "title", "phone", "unit")}),
        (_("角色与范围"), {"fields": ("roles", "grids")}),
        (
            _("权限"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "name", "unit", "roles", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj: Staff) -> str:
        return mask_phone(obj.phone)
