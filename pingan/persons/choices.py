"""Choices of the key-person register, ratings, plans and reviews (M8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    """Risk levels (风险等级) with their status colour (UI.md: green / yellow / red)."""

    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")

    @property
    def colour(self) -> str:
        return {"low": "success", "medium": "warning", "high": "danger"}[self.value]

    @classmethod
    def rank(cls, value: str) -> int:
        return list(cls.values).index(value)


class RegisterState(models.TextChoices):
    """Where an entry stands: on the register, left it at its end date, or erased."""

    ACTIVE = "active", _("在册")
    EXPIRED = "expired", _("已出册")
    PURGED = "purged", _("已销毁个人信息")


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Employment(models.TextChoices):
    EMPLOYED = "employed", _("稳定就业")
    UNSTABLE = "unstable", _("灵活/不稳定就业")
    UNEMPLOYED = "unemployed", _("无业")


class Housing(models.TextChoices):
    STABLE = "stable", _("固定住所")
    UNSTABLE = "unstable", _("无固定住所")


class ProposalState(models.TextChoices):
    """A model's proposed rating waits for the responsible officer (human in the loop)."""

    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    OVERRIDDEN = "overridden", _("已改定")
    SUPERSEDED = "superseded", _("已被新提议取代")


class ScorecardState(models.TextChoices):
    """A scorecard version's life: written, reviewed by someone other than its author."""

    PENDING = "pending", _("待审核")
    ACTIVE = "active", _("启用中")
    APPROVED = "approved", _("已审核（仅报告）")
    REJECTED = "rejected", _("已退回")
    RETIRED = "retired", _("已停用")


class ScorecardSource(models.TextChoices):
    CONFIGURED = "configured", _("管理员配置")
    FITTED = "fitted", _("历史数据拟合")


class BandKind(models.TextChoices):
    RANGE = "range", _("数值区间")
    CATEGORY = "category", _("类别")
    MISSING = "missing", _("缺失")
    OTHER = "other", _("其他类别")


class MeasureKind(models.TextChoices):
    MANAGEMENT = "management", _("管控措施")
    SUPPORT = "support", _("帮扶措施")


class MeasureCategory(models.TextChoices):
    """What a measure does; support measures draw on partner lists (M8.3)."""

    VISIT = "visit", _("走访谈话")
    REPORTING = "reporting", _("定期报到")
    EDUCATION = "education", _("法治教育")
    MEDIATION = "mediation", _("矛盾化解")
    JOBS = "jobs", _("就业帮扶")
    HOUSING = "housing", _("住房保障")
    WELFARE = "welfare", _("社会救助")
    COUNSELLING = "counselling", _("心理疏导")
    FAMILY = "family", _("亲情帮扶")


class MeasureState(models.TextChoices):
    OPEN = "open", _("进行中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class PartnerKind(models.TextChoices):
    EMPLOYER = "employer", _("愿意接收的用工企业")
    HOUSING = "housing", _("住房保障")
    WELFARE = "welfare", _("救助机构")
    COUNSELLING = "counselling", _("心理服务机构")
    TRAINING = "training", _("技能培训")


class ContactResult(models.TextChoices):
    MET = "met", _("见面")
    PHONE = "phone", _("电话联系")
    LOST = "lost", _("失联")


class EventKind(models.TextChoices):
    """Kinds of entry on a person's history (记录)."""

    REGISTER = "register", _("登记入册")
    EDIT = "edit", _("修改信息")
    LINK_CASE = "link_case", _("关联事项")
    PROPOSE = "propose", _("模型提议评级")
    CONFIRM = "confirm", _("确认评级")
    OVERRIDE = "override", _("改定评级")
    REVIEW = "review", _("定期复核")
    MEASURE_ADD = "measure_add", _("新增措施")
    MEASURE_DONE = "measure_done", _("措施完成")
    MEASURE_CANCEL = "measure_cancel", _("措施取消")
    MEASURE_OVERDUE = "measure_overdue", _("措施超期提醒")
    EXPIRE = "expire", _("到期出册")
    PURGE = "purge", _("销毁个人信息")
