"""The administrator configures key-person types, partners and scorecards here.

A scorecard version can be edited only while it waits for review; an active one is changed by
copying it (action "复制为新版本"), editing the copy and having someone else approve it on the
scorecard's report page. Personal data of the register is not shown in the admin.
"""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from pingan.core.admin import AuditedAdmin

from .choices import ScorecardState
from .models import Partner, PersonType, Scorecard, ScorecardBand, ScorecardFactor
from .services import scorecard_copy


@admin.register(PersonType)
class PersonTypeAdmin(AuditedAdmin):
    list_display = ["name", "code", "default_months", "sort_order", "is_active"]


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    list_display = ["name", "kind", "street", "offer", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "offer"]
    autocomplete_fields = ["street"]


class EditableWhilePending:
    """Only versions waiting for review can change; the others are the record of what rated."""

    def _pending(self, obj) -> bool:
        scorecard = obj if isinstance(obj, Scorecard) else getattr(obj, "scorecard", None)
        return scorecard is None or scorecard.state == ScorecardState.PENDING

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._pending(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._pending(obj)


class FactorInline(admin.TabularInline):
    model = ScorecardFactor
    extra = 0
    fields = ["position", "key", "label"]
    show_change_link = True

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.state == ScorecardState.PENDING

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(Scorecard)
class ScorecardAdmin(EditableWhilePending, AuditedAdmin):
    list_display = ["name", "source", "state", "medium_from", "high_from", "auc", "created_by"]
    list_filter = ["state", "source"]
    fields = ["name", "medium_from", "high_from", "state", "source", "created_by", "reviewed_by"]
    readonly_fields = ["state", "source", "created_by", "reviewed_by"]
    inlines = [FactorInline]
    actions = ["copy_as_new_version"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.source, obj.state, obj.created_by = "configured", "pending", request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("复制为新版本（待审核）"))
    def copy_as_new_version(self, request, queryset):
        for scorecard in queryset:
            copy = scorecard_copy(scorecard=scorecard, actor=request.user)
            self.message_user(
                request,
                _("已复制为 #%(pk)s，修改后请另一位审核人审核。") % {"pk": copy.pk},
                messages.SUCCESS,
            )


class BandInline(admin.TabularInline):
    model = ScorecardBand
    extra = 1
    fields = ["position", "kind", "lower", "upper", "category", "label", "points"]

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.scorecard.state == ScorecardState.PENDING

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(ScorecardFactor)
class ScorecardFactorAdmin(EditableWhilePending, AuditedAdmin):
    list_display = ["label", "key", "scorecard"]
    list_filter = ["scorecard"]
    fields = ["scorecard", "key", "label", "position"]
    inlines = [BandInline]

    def get_readonly_fields(self, request, obj=None):
        return ["scorecard"] if obj else []
