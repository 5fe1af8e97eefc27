from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import AuditEvent, CalendarSource, CalendarYear, Job, WorkCalendarDay
from .services import audit_record

REASON_FIELD = "audit_reason"


class _ReasonForm(forms.Form):
    audit_reason = forms.CharField(
        label=_("修改原因"),
        max_length=200,
        help_text=_("记入审计日志：谁、何时、为何修改。"),
        error_messages={"required": _("请填写修改原因。")},
    )


class AuditedAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the admin is recorded with who, when and why: the
    form asks for a reason, which goes into the audit trail with the fields changed. Deleting
    asks for a reason too; bulk deletion and list_editable (which cannot ask) are not used."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        # the form this admin would use (UserAdmin adds with its own add_form), plus the reason
        base = (
            kwargs.get("form")
            or (getattr(self, "add_form", None) if obj is None else None)
            or self.form
        )
        kwargs["form"] = type(base.__name__, (base, _ReasonForm), {})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if not any(REASON_FIELD in options.get("fields", ()) for _name, options in fieldsets):
            fieldsets.append((_("审计"), {"fields": [REASON_FIELD]}))
        return fieldsets

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_related(self, request, form, formsets, change):
        # here rather than in save_model, which some admins replace without calling super()
        super().save_related(request, form, formsets, change)
        obj = form.instance
        inlines = {
            formset.prefix: [
                str(inline.instance) for inline in formset.forms if inline.has_changed()
            ]
            for formset in formsets
        }
        audit_record(
            actor=request.user,
            action=f"admin.{obj._meta.label_lower}.{'change' if change else 'add'}",
            target=obj,
            reason=form.cleaned_data[REASON_FIELD],
            data={
                "changed": [name for name in form.changed_data if name != REASON_FIELD],
                "inlines": {prefix: rows for prefix, rows in inlines.items() if rows},
            },
        )

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST" and request.POST.get("post"):
            reason = request.POST.get(REASON_FIELD, "").strip()[:200]
            if not reason:
                messages.error(request, gettext("请填写删除原因，删除未执行。"))
                return redirect(request.get_full_path())
            request.audit_reason = reason
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        audit_record(
            actor=request.user,
            action=f"admin.{obj._meta.label_lower}.delete",
            target=obj,
            reason=request.audit_reason,
        )
        super().delete_model(request, obj)


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


class CalendarEntryAdmin(AuditedAdmin):
    """Calendar entries changed here are marked as entered by an administrator (and audited,
    as every admin change is), since they move every working-day deadline."""

    readonly_fields = ["source", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        obj.source = CalendarSource.ADMIN
        super().save_model(request, obj, form, change)


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
class JobAdmin(AuditedAdmin):
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


# The second factor is set up by its holder and reset by an administrator on the site's own
# audited pages (core.twofactor, with a reason the person is told); django-otp's admin would
# delete a device without either.
for _otp_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_otp_model):
        admin.site.unregister(_otp_model)
