"""Choices of the case lifecycle (M1, M2), with the colours the UI shows."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """Intake channels (M1.1)."""

    WALK_IN = "walk_in", _("来访")
    LETTER = "letter", _("来信")
    PHONE = "phone", _("电话/12345转办")
    ONLINE = "online", _("网上/移动端")
    GRID_REPORT = "grid_report", _("网格上报")
    AGENCY_TRANSFER = "agency_transfer", _("部门移交")


class Complexity(models.TextChoices):
    GENERAL = "general", _("一般")
    COMPLEX = "complex", _("复杂")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class State(models.TextChoices):
    """Lifecycle states (M2.2)."""

    REGISTERED = "registered", _("已登记")
    ACCEPTED = "accepted", _("已受理")
    REJECTED = "rejected", _("不予受理")
    ASSIGNED = "assigned", _("已交办")
    MEDIATING = "mediating", _("调处中")
    CONCLUDED = "concluded", _("已办结")
    FOLLOWED_UP = "followed_up", _("已回访")
    ARCHIVED = "archived", _("已归档")


OPEN_STATES = (State.REGISTERED, State.ACCEPTED, State.ASSIGNED, State.MEDIATING)
# States in which the deadline clock runs.
CLOCK_STATES = (State.ACCEPTED, State.ASSIGNED, State.MEDIATING)


class Outcome(models.TextChoices):
    AGREEMENT = "agreement", _("达成协议")
    NO_AGREEMENT = "no_agreement", _("未达成协议")


class LegalRoute(models.TextChoices):
    """Judicial backstop (司法兜底, M2.4) for a matter mediation could not settle."""

    LITIGATION = "litigation", _("诉调对接（转法院）")
    ARBITRATION = "arbitration", _("仲裁")
    ADMINISTRATIVE_REVIEW = "administrative_review", _("行政复议")


class ReferralRoute(models.TextChoices):
    """Where a matter is handed outside the center (转出): the legal routes, or another
    channel (信访、仲裁委以外的专业调解组织 …)."""

    LITIGATION = "litigation", _("诉调对接（转法院）")
    ARBITRATION = "arbitration", _("仲裁")
    ADMINISTRATIVE_REVIEW = "administrative_review", _("行政复议")
    OTHER = "other", _("其他渠道")


class ReferralState(models.TextChoices):
    REFERRED = "referred", _("跟进中")
    RESOLVED = "resolved", _("已有结果")


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD_PARTY = "third_party", _("第三人")


class DayType(models.TextChoices):
    NATURAL = "natural", _("自然日")
    WORKING = "working", _("工作日")


class Colour(models.TextChoices):
    """Deadline colours (M2.3); the UI shows the word with the colour, never colour alone."""

    GREEN = "green", _("正常")
    YELLOW = "yellow", _("临期")
    RED = "red", _("超期")
    GREY = "grey", _("已结")


class EventKind(models.TextChoices):
    REGISTER = "register", _("登记")
    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予受理")
    ASSIGN = "assign", _("交办")
    START_MEDIATION = "start_mediation", _("开始调处")
    CONCLUDE = "conclude", _("办结")
    FOLLOW_UP = "follow_up", _("回访")
    REOPEN = "reopen", _("重新办理")
    ARCHIVE = "archive", _("归档")
    ESCALATE = "escalate", _("上提")
    ASSIGN_DOWN = "assign_down", _("下交")
    JOINT = "joint", _("联动调处")
    EXTENSION_REQUEST = "extension_request", _("申请延期")
    EXTENSION_APPROVE = "extension_approve", _("批准延期")
    EXTENSION_REJECT = "extension_reject", _("驳回延期")
    JUDICIAL_CONFIRMATION = "judicial_confirmation", _("司法确认")
    MERGE = "merge", _("合并重复事项")
    SUPERVISE = "supervise", _("督办")
    REFER = "refer", _("转出")
    REFERRAL_RESULT = "referral_result", _("转出结果")
    SUPERVISION_ANSWER = "supervision_answer", _("督办反馈")
    SUPERVISION_CLOSE = "supervision_close", _("督办办结")
    # whistle-and-report (吹哨报到, M4.2), written by pingan.collaboration
    WHISTLE = "whistle", _("吹哨")
    WHISTLE_ACK = "whistle_ack", _("报到")
    WHISTLE_REPORT = "whistle_report", _("报到反馈")
    WHISTLE_LATE = "whistle_late", _("报到超时督办")
    WHISTLE_CLOSE = "whistle_close", _("吹哨办结")


class SupervisionState(models.TextChoices):
    """A supervision order (督办单): issued, answered by the supervised unit (反馈), closed by
    whoever supervises."""

    OPEN = "open", _("待反馈")
    ANSWERED = "answered", _("已反馈")
    CLOSED = "closed", _("已办结")


class Audience(models.TextChoices):
    """Who of the supervising unit a supervision tier tells."""

    LEADERS = "leaders", _("领导")
    DISPATCHERS = "dispatchers", _("指挥调度员")


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
