"""Choices of the evaluation (考评, M9), with the colours the UI shows."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    """The four dimensions of every scheme (M9.1)."""

    FUNCTION = "function", _("职能发挥")
    EFFICACY = "efficacy", _("履职效能")
    BUILDING = "building", _("自身建设")
    OVERALL = "overall", _("综合评价")


DEFAULT_DIMENSION_WEIGHTS = {
    Dimension.FUNCTION.value: 40,
    Dimension.EFFICACY.value: 30,
    Dimension.BUILDING.value: 20,
    Dimension.OVERALL.value: 10,
}


class SubjectKind(models.TextChoices):
    """What a scheme evaluates: streets (by area), units (by the cases they handle) or staff
    of one role (by the cases they handle); ``pingan.evaluation.services.scheme_subjects``
    says which units."""

    STREET = "street", _("街道")
    UNIT = "unit", _("部门单位")
    PERSON = "person", _("工作人员（按角色）")


class SchemeState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")
    SUPERSEDED = "superseded", _("已被修订")


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


class Rule(models.TextChoices):
    """Scoring rules (计分规则); ``pingan.evaluation.scoring`` says how each one scores."""

    LINEAR = "linear", _("按目标线性计分")
    BANDED = "banded", _("分档计分")
    PASS_FAIL = "pass_fail", _("达标得分")
    DEDUCTION = "deduction", _("按次扣分")
    CAPPED = "capped", _("按次加分（封顶）")


class EntryState(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已审核")
    REJECTED = "rejected", _("已退回")


class ListKind(models.TextChoices):
    POSITIVE = "positive", _("正面清单（加分）")
    NEGATIVE = "negative", _("负面清单（扣分）")


class PlanKind(models.TextChoices):
    """Case-quality review plans (案件质量评查, M9.3)."""

    EVERY = "every", _("每案必检")
    SAMPLE = "sample", _("分层随机抽查")
    CROSS = "cross", _("街道交叉评查")
    FOCUSED = "focused", _("重点评查")


class ReviewState(models.TextChoices):
    PENDING = "pending", _("待评查")
    DONE = "done", _("已评查")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")


PASSING_GRADES = (Grade.EXCELLENT, Grade.GOOD, Grade.PASS)

# The review form's checklist (评查要点): each item is ticked when the case meets it.
CHECKLIST = [
    ("facts", _("基本事实清楚，当事人信息完整")),
    ("procedure", _("受理、交办、调处程序符合规定")),
    ("deadline", _("在办结时限内办结或依规延期")),
    ("result", _("办理结果明确，协议或法律途径有据")),
    ("follow_up", _("按规定回访，群众意见有记录")),
    ("file", _("材料齐全，归档规范")),
]
