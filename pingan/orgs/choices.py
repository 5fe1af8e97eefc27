"""Choices of the org tree, units and roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """Levels of the org tree, top down; the order is the funnel's order (M2.1)."""

    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")

    @classmethod
    def child_of(cls, level: str) -> str | None:
        order = list(cls.values)
        index = order.index(level)
        return order[index + 1] if index + 1 < len(order) else None

    @classmethod
    def parent_of(cls, level: str) -> str | None:
        order = list(cls.values)
        index = order.index(level)
        return order[index - 1] if index > 0 else None


class UnitKind(models.TextChoices):
    DISTRICT_CENTER = "district_center", _("区综治中心")
    STREET_CENTER = "street_center", _("街道综治中心")
    COMMUNITY = "community", _("社区居委会")
    AGENCY = "agency", _("部门单位")


class AgencyType(models.TextChoices):
    COURT = "court", _("法院")
    PROCURATORATE = "procuratorate", _("检察院")
    PUBLIC_SECURITY = "public_security", _("公安分局")
    POLICE_STATION = "police_station", _("派出所")
    JUSTICE_BUREAU = "justice_bureau", _("司法局")
    JUSTICE_OFFICE = "justice_office", _("司法所")
    PETITION_OFFICE = "petition_office", _("信访办")
    HUMAN_RESOURCES = "human_resources", _("人力社保")
    HOUSING = "housing", _("住房建设")
    HEALTH = "health", _("卫生健康")
    CIVIL_AFFAIRS = "civil_affairs", _("民政")
    MARKET_REGULATION = "market_regulation", _("市场监管")
    URBAN_MANAGEMENT = "urban_management", _("城市管理")
    EDUCATION = "education", _("教育")
    PLANNING = "planning", _("规划自然资源")
    TRAFFIC = "traffic", _("交通管理")
    WOMEN_FEDERATION = "women_federation", _("妇联")
    TRADE_UNION = "trade_union", _("工会")
    LEGAL_SERVICE = "legal_service", _("法律服务")
    OTHER = "other", _("其他")


class Stationing(models.TextChoices):
    """How an agency is stationed at a center (弹性入驻, M3.2); blank for units that are not."""

    PERMANENT = "permanent", _("常驻")
    ROTATING = "rotating", _("轮驻")
    ON_CALL = "on_call", _("随驻")


class FunctionAreaKind(models.TextChoices):
    """Function areas (功能区) of district and street centers (M3.1)."""

    RECEPTION = "reception", _("群众接待")
    REGISTRATION = "registration", _("登记受理")
    PETITION = "petition", _("信访接待")
    LEGAL_SERVICE = "legal_service", _("法律服务")
    MEDIATION = "mediation", _("调解工作")
    COMMAND = "command", _("指挥调度")
    PSYCHOLOGICAL = "psychological", _("心理服务")
    FEATURE = "feature", _("特色单元")


class RoleCode(models.TextChoices):
    """Roles of staff (MISSION.md, "Who uses it")."""

    RECEPTIONIST = "receptionist", _("受理员")
    MEDIATOR = "mediator", _("调解员")
    GRID_WORKER = "grid_worker", _("网格员")
    DISPATCHER = "dispatcher", _("指挥调度员")
    LEADER = "leader", _("领导")
    OFFICER = "officer", _("驻点干警")
    EVALUATOR = "evaluator", _("考评员")
    ADMINISTRATOR = "administrator", _("系统管理员")
    PRISON_OFFICER = "prison_officer", _("监狱民警")
    AUDITOR = "auditor", _("执法监督员")
    # Talent development of prosecutor assistants (M10): the procuratorate's own roles.
    ASSISTANT = "assistant", _("检察官助理")
    MENTOR = "mentor", _("带教导师")
    DEPARTMENT_HEAD = "department_head", _("部门负责人")
    TALENT_COMMITTEE = "talent_committee", _("人才评审委员会")
    # 等保 2.0's separation of duties (三员分立): the security auditor reads the audit trail,
    # which the administrator, whose work it records, does not review.
    SECURITY_AUDITOR = "security_auditor", _("安全审计员")


# The governance center's own staff, who work the cases of their area (a unit's, or a grid
# worker's grids). The prisons' officers, the procuratorate's auditors and its talent
# programme also sign in, but only to their own pages and to the cases linked to them.
CENTER_ROLES = frozenset(
    {
        RoleCode.RECEPTIONIST,
        RoleCode.MEDIATOR,
        RoleCode.GRID_WORKER,
        RoleCode.DISPATCHER,
        RoleCode.LEADER,
        RoleCode.OFFICER,
        RoleCode.EVALUATOR,
        RoleCode.ADMINISTRATOR,
    }
)
