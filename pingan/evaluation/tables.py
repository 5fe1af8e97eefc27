"""Tables of the evaluation pages."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from pingan.core.tables import DateTimeColumn, TemplateColumn

from .models import CorrectionItem, Review, Scheme, SubjectScore

NUM = {"td": {"class": "num"}, "th": {"class": "num"}}


class SchemeTable(tables.Table):
    name = tables.LinkColumn(
        "evaluation:scheme-detail", args=[tables.A("pk")], verbose_name=_("方案")
    )
    period = tables.Column(accessor="period_label", verbose_name=_("期间"), orderable=False)
    subject_kind = tables.Column(verbose_name=_("考评对象"))
    role = tables.Column(verbose_name=_("角色"))
    version = tables.Column(verbose_name=_("版本"), attrs=NUM)
    state = tables.Column(verbose_name=_("状态"))
    published_at = DateTimeColumn(format="Y-m-d H:i", verbose_name=_("发布时间"))

    class Meta:
        model = Scheme
        fields = ["name", "period", "subject_kind", "role", "version", "state", "published_at"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("还没有考评方案。点击右上角“新建方案”，先定义期间和考评对象。")


class RankingTable(tables.Table):
    rank = tables.Column(verbose_name=_("名次"), attrs=NUM)
    subject_name = tables.LinkColumn(
        "evaluation:subject-score", args=[tables.A("pk")], verbose_name=_("考评对象")
    )
    function_points = tables.Column(verbose_name=_("职能发挥"), attrs=NUM)
    efficacy_points = tables.Column(verbose_name=_("履职效能"), attrs=NUM)
    building_points = tables.Column(verbose_name=_("自身建设"), attrs=NUM)
    overall_points = tables.Column(verbose_name=_("综合评价"), attrs=NUM)
    total = tables.Column(verbose_name=_("总分"), attrs=NUM)

    class Meta:
        model = SubjectScore
        fields = [
            "rank",
            "subject_name",
            "function_points",
            "efficacy_points",
            "building_points",
            "overall_points",
            "total",
        ]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("您的辖区内没有该方案的考评对象。")


class CorrectionTable(tables.Table):
    case = TemplateColumn(
        "<a href=\"{% url 'cases:case-detail' record.case.number %}\">{{ record.case.number }}</a>",
        verbose_name=_("事项编号"),
        order_by="case__number",
    )
    rule = tables.Column(verbose_name=_("问题"), accessor="rule_label", order_by="rule")
    unit = tables.Column(verbose_name=_("责任单位"), accessor="unit__name")
    opened_at = DateTimeColumn(format="Y-m-d H:i", verbose_name=_("发现时间"))
    resolved_at = DateTimeColumn(
        format="Y-m-d H:i", verbose_name=_("整改时间"), default=_("未整改")
    )

    class Meta:
        model = CorrectionItem
        fields = ["case", "rule", "unit", "opened_at", "resolved_at"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("没有符合条件的整改事项。每日巡检发现问题后会列在这里。")


class ReviewTable(tables.Table):
    case = TemplateColumn(
        "<a href=\"{% url 'evaluation:review' record.pk %}\">{{ record.case.number }}</a>",
        verbose_name=_("事项"),
        order_by="case__number",
    )
    title = tables.Column(accessor="case__title", verbose_name=_("标题"))
    unit = tables.Column(accessor="case__handling_unit__short_name", verbose_name=_("承办单位"))
    reviewer = tables.Column(verbose_name=_("评查人"))
    state = tables.Column(verbose_name=_("状态"))
    grade = tables.Column(verbose_name=_("等次"))

    class Meta:
        model = Review
        fields = ["case", "title", "unit", "reviewer", "state", "grade"]
        attrs = {"class": "table table-sm table-hover align-middle mb-0"}
        empty_text = _("没有待办的评查。")
