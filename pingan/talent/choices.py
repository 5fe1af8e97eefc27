"""Choices of talent development (M10); the UI shows each with its word and a colour."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StudyTrack(models.TextChoices):
    """The two lists of the dual-study system (双学制)."""

    POLITICAL = "political", _("政治必研清单")
    BUSINESS = "business", _("业务必学条目")


class RecordState(models.TextChoices):
    """A study or milestone record: entered, then confirmed by the mentor."""

    SUBMITTED = "submitted", _("待导师确认")
    CONFIRMED = "confirmed", _("已确认")


class CellState(models.TextChoices):
    """The state of one transformation in a person's matrix."""

    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    ACHIEVED = "achieved", _("已达成")


CELL_COLOURS = {
    CellState.NOT_STARTED: "grey",
    CellState.IN_PROGRESS: "yellow",
    CellState.ACHIEVED: "green",
}


class ActivityKind(models.TextChoices):
    """Practice, competitions and written work that evidence growth (赛训结合)."""

    TEAM_DEBATE = "team_debate", _("团队对垒")
    COMPETITION = "competition", _("业务竞赛")
    EXCELLENT_CASE = "excellent_case", _("优秀案例评选")
    EXCELLENT_DOCUMENT = "excellent_document", _("优秀法律文书评选")
    RESEARCH = "research", _("课题研究")
    ANALYSIS_REPORT = "analysis_report", _("专项分析报告")
    SUGGESTION = "suggestion", _("检察建议")
    HEARING = "hearing", _("听证评议观摩")
    CORRECTIONS_PATROL = "corrections_patrol", _("社区矫正巡回")
    LECTURE = "lecture", _("授课与传帮带")


class HonourLevel(models.TextChoices):
    INSTITUTION = "institution", _("院级")
    MUNICIPAL = "municipal", _("市级")
    PROVINCIAL = "provincial", _("省级")
    NATIONAL = "national", _("全国")


class PointState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已审批")
    REJECTED = "rejected", _("未通过")


class Dimension(models.TextChoices):
    """The four viewpoints of the multi-dimensional evaluation (多维度评价)."""

    MENTOR = "mentor", _("导师评价")
    DEPARTMENT = "department", _("部门评价")
    SELF = "self", _("自我评价")
    PEER = "peer", _("同事互评")


class TransferTrack(models.TextChoices):
    """The transfer tracks (多轨转任) an assistant may take."""

    PROSECUTOR = "prosecutor", _("员额检察官遴选")
    JUDICIAL_ADMIN = "judicial_admin", _("转任司法行政人员")


class TransferState(models.TextChoices):
    APPLIED = "applied", _("已申请")
    APPROVED = "approved", _("已批准")
    COMPLETED = "completed", _("已转任")
    WITHDRAWN = "withdrawn", _("已撤回")


class OutcomeKind(models.TextChoices):
    """Recognition the seed counts: 标兵能手 and entries to talent pools."""

    MODEL_EXPERT = "model_expert", _("检察标兵能手")
    TALENT_POOL = "talent_pool", _("入选专业人才库")
    HONOUR = "honour", _("其他表彰")


class EventKind(models.TextChoices):
    """What a profile's timeline records."""

    ENROLLED = "enrolled", _("建立档案")
    STAGE = "stage", _("阶段变更")
    MENTOR = "mentor", _("更换导师")
    STUDY = "study", _("必研必学")
    STUDY_CONFIRM = "study_confirm", _("导师确认学习")
    MILESTONE = "milestone", _("转化节点")
    MILESTONE_CONFIRM = "milestone_confirm", _("导师确认节点")
    ROTATION = "rotation", _("轮岗")
    ACTIVITY = "activity", _("实践与竞赛")
    POINTS = "points", _("积分申报")
    POINTS_DECIDE = "points_decide", _("积分审批")
    EVALUATION = "evaluation", _("多维评价")
    TRANSFER = "transfer", _("转任通道")
    OUTCOME = "outcome", _("成果")
