from django.contrib import admin

from .models import AuditEvent, CalendarSource, CalendarYear, Job, WorkCalendarDay
from .services import audit_record


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail is read-only, even for administrators."""

    list_display = ["created_at", "actor", "action", "target_repr", "reason"]
    list_filter = ["action"]
    search_fields = ["target_repr", "reason", "actor__username", "actor__name"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CalendarEntryAdmin(admin.ModelAdmin):
    """Calendar entries changed here are marked as entered by an administrator and audited,
    since they move every working-day deadline."""

    readonly_fields = ["source", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.source = CalendarSource.ADMIN
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.{'change' if change else 'add'}",
            target=obj,
            data={"changed": form.changed_data},
        )

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action=f"{obj._meta.model_name}.delete", target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(actor=request.user, action=f"{obj._meta.model_name}.delete", target=obj)
        super().delete_queryset(request, queryset)


@admin.register(WorkCalendarDay)
class WorkCalendarDayAdmin(CalendarEntryAdmin):
    """Holidays and make-up working days; for a new year only the days that differ from
    Monday-to-Friday need entering."""

    list_display = ["date", "is_workday", "note", "source"]
    list_filter = ["is_workday", "source"]
    search_fields = ["note"]
    date_hierarchy = "date"


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarEntryAdmin):
    """How an administrator adds a year the State Council has published before the
    chinese-calendar package has it: enter its days, then tick complete."""

    list_display = ["year", "complete", "source", "updated_at"]
    list_filter = ["complete", "source"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs, for finding out why one failed; read-only."""

    list_display = ["created_at", "kind", "owner", "status", "message", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["owner__username", "owner__name", "input_name", "message"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
