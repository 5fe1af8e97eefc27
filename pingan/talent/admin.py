"""The administrator configures the development model here: stages and their readiness
criteria, the nine transformations and their milestones, the study catalogue, point rules,
evaluation weights, departments and cohorts. Records about people change only through the
pages and the API (services), so they are not editable here."""

from django.contrib import admin

from pingan.core.admin import AuditedAdmin

from .models import (
    Cohort,
    Department,
    EvaluationWeight,
    Milestone,
    PointRule,
    Stage,
    StudyItem,
    Transformation,
)


@admin.register(Stage)
class StageAdmin(AuditedAdmin):
    list_display = [
        "name",
        "order",
        "theme",
        "min_months",
        "min_milestones",
        "min_points",
        "min_study_items",
    ]
    ordering = ["order"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Transformation)
class TransformationAdmin(AuditedAdmin):
    list_display = ["__str__", "stage", "order", "code"]
    list_filter = ["stage"]
    list_select_related = ["stage"]
    inlines = [MilestoneInline]


@admin.register(StudyItem)
class StudyItemAdmin(AuditedAdmin):
    list_display = ["code", "title", "track", "topic", "transformation", "order", "is_active"]
    list_filter = ["track", "topic", "is_active"]
    list_select_related = ["transformation"]
    search_fields = ["code", "title"]


@admin.register(PointRule)
class PointRuleAdmin(AuditedAdmin):
    list_display = ["name", "code", "category", "points", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["name", "code"]


@admin.register(EvaluationWeight)
class EvaluationWeightAdmin(AuditedAdmin):
    list_display = ["dimension", "weight"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["name", "unit", "head", "is_business"]
    list_select_related = ["unit", "head"]
    raw_id_fields = ["head"]


@admin.register(Cohort)
class CohortAdmin(AuditedAdmin):
    list_display = ["name", "year", "unit"]
    list_select_related = ["unit"]
