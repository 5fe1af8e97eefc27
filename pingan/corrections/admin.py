from django.contrib import admin

from pingan.core.admin import AuditedAdmin

from .models import Employer, EnforcementRecord, JobFair, Prison


@admin.register(Prison)
class PrisonAdmin(AuditedAdmin):
    list_display = ["code", "name", "phone"]
    filter_horizontal = ["officers"]


@admin.register(Employer)
class EmployerAdmin(AuditedAdmin):
    list_display = ["name", "jobs", "contact", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "jobs"]
    raw_id_fields = ["grid"]


@admin.register(JobFair)
class JobFairAdmin(AuditedAdmin):
    """春风行动 job fairs: attendance and offers as reported by the organisers."""

    list_display = ["held_on", "name", "prison", "attendance", "offers"]
    filter_horizontal = ["employers"]
    date_hierarchy = "held_on"


@admin.register(EnforcementRecord)
class EnforcementRecordAdmin(AuditedAdmin):
    """The record chain, read-only for everyone; `manage.py verify_evidence` checks it."""

    list_display = ["file", "sequence", "kind", "actor", "recorded_at", "algorithm", "entry_hash"]
    list_filter = ["kind", "algorithm"]
    list_select_related = ["file", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
