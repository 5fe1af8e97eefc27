"""The administrator configures case categories and deadline rules here (M1.2, M2.3); every
change asks for a reason, kept in the audit log (core.admin.AuditedAdmin)."""

from django.contrib import admin

from pingan.core.admin import AuditedAdmin

from .models import Category, DeadlinePolicy


class _VersionedAdmin(AuditedAdmin):
    """A change made here moves the version on, so that an API client holding the version it
    read before gets a conflict instead of overwriting this change (and the reverse)."""

    def save_model(self, request, obj, form, change):
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Category)
class CategoryAdmin(_VersionedAdmin):
    """Categories are switched off rather than deleted once cases use them (the cases keep
    theirs; intake offers only active ones)."""

    list_display = ["name", "code", "function_area", "sort_order", "is_active"]
    list_filter = ["function_area", "is_active"]
    search_fields = ["name", "code", "keywords"]
    readonly_fields = ["version", "created_at", "updated_at"]
    list_per_page = 50


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(_VersionedAdmin):
    """One rule per complexity (general 7 days, complex 30): changed, never added or removed,
    so that every case has its rule. A change applies to cases registered after it; cases
    already registered keep the deadline they were given."""

    list_display = [
        "complexity",
        "days",
        "day_type",
        "warn_ratio",
        "tier2_after_hours",
        "tier3_after_hours",
        "tier4_after_hours",
    ]
    readonly_fields = ["complexity", "version", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
