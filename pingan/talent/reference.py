"""The model's configuration, seeded from the Xiangtan article (seed/000_…txt, "三阶九转").

The stages, their three transformations each and the descriptions are the article's words.
The article names the dual-study system (政治必研清单 + 业务必学条目, 21 items across 思想政治理论,
党内法规 and 检察实务) without listing the items; the 21 below are a plausible catalogue in those
three areas for administrators to edit. Milestones, point rules, weights and the readiness
thresholds are likewise starting values, configurable in the admin.
"""

from decimal import Decimal

# code, name, order, theme, description, min_months, min_milestones, min_points, min_study
STAGES = [
    (
        "junior",
        "初阶",
        1,
        "从“理论”到“实践”的转化",
        "针对检察工作年限较短的检察官助理，聚焦基础性、程序性辅助事务能力训练。",
        12,
        5,
        Decimal("40"),
        14,
    ),
    (
        "intermediate",
        "中阶",
        2,
        "从“基础”到“专业”的深化",
        "聚焦实质性辅助行使检察职权能力提升，培养周期一般为三年至五年。",
        36,
        5,
        Decimal("100"),
        21,
    ),
    (
        "senior",
        "高阶",
        3,
        "从“骨干”到“引领”的跨越",
        "聚焦独立行使检察权相关能力训练，为遴选检察官、独立办案奠定基础。",
        0,
        0,
        Decimal("0"),
        0,
    ),
]

# stage, order, code, from, to, description, milestones
TRANSFORMATIONS = [
    (
        "junior",
        1,
        "legal_reasoning",
        "学理思维",
        "法理思维",
        "从抽象法律概念理解，转向案件事实与法律规范的精准对接。",
        ["独立完成案件事实与法律适用分析报告", "在检察官联席会议上发表法律适用意见"],
    ),
    (
        "junior",
        2,
        "work_standards",
        "法律知识",
        "工作规范",
        "通过系统化岗前及业务培训，掌握基础业务知识、法律文书制作、统计分析等技能。",
        ["完成岗前及业务培训并考核合格", "独立制作常用法律文书并通过审核"],
    ),
    (
        "junior",
        3,
        "field_practice",
        "理论积淀",
        "实战淬炼",
        "在各业务及综合管理部门轮岗，明确协助办案数量要求，提升释法说理、办案技巧、群众接待等能力。",
        ["完成业务部门与综合管理部门轮岗", "完成群众接待与释法说理任务"],
    ),
    (
        "intermediate",
        1,
        "substantive_cases",
        "程序事务",
        "实质办案",
        "检察官“手把手”跟班带教，深度参与证据审查、事实认定、法律适用等核心环节。",
        ["参与证据审查、事实认定、法律适用全过程", "在检察官指导下相对独立办理简单案件"],
    ),
    (
        "intermediate",
        2,
        "compound_skills",
        "单一技能",
        "复合能力",
        "参与重大案件办理、课题研究、专项报告及检察建议撰写，提升调研写作、临场应变、口头表达能力。",
        ["参与重大案件办理或课题研究", "撰写专项报告或检察建议并被采纳"],
    ),
    (
        "intermediate",
        3,
        "self_planning",
        "被动执行",
        "主动规划",
        "通过积分制考核、多维度评价明晰自身优劣，变被动接受任务为主动规划职业发展。",
        ["制定个人职业发展规划", "多维度评价结果达良好以上"],
    ),
    (
        "senior",
        1,
        "independence",
        "辅助协助",
        "相对独立",
        "比照员额检察官标准，提升独立处理普通案件、参与重大疑难复杂案件的能力。",
        ["比照员额检察官标准独立处理普通案件", "参与重大疑难复杂案件办理"],
    ),
    (
        "senior",
        2,
        "case_patterns",
        "个案办理",
        "类案总结",
        "培养类案审查、引导侦查、出庭技巧等能力，从宏观视角解决业务领域共性问题。",
        ["形成类案审查分析报告", "出庭支持公诉或引导侦查获评优秀"],
    ),
    (
        "senior",
        3,
        "leadership",
        "合格履职",
        "创新引领",
        "履行“传帮带”职责，从培训参与者转变为课程讲授者、经验传播者。",
        ["担任课程讲授人或带教新任助理", "工作经验或创新做法被推广"],
    ),
]

# code, track, topic, title, transformation
STUDY_ITEMS = [
    ("Z01", "political", "思想政治理论", "习近平新时代中国特色社会主义思想", "legal_reasoning"),
    ("Z02", "political", "思想政治理论", "习近平法治思想", "legal_reasoning"),
    ("Z03", "political", "思想政治理论", "党的二十大报告与检察工作", "legal_reasoning"),
    (
        "Z04",
        "political",
        "思想政治理论",
        "中共中央关于加强新时代检察机关法律监督工作的意见",
        "legal_reasoning",
    ),
    ("Z05", "political", "党内法规", "中国共产党章程", "work_standards"),
    ("Z06", "political", "党内法规", "中国共产党纪律处分条例", "work_standards"),
    ("Z07", "political", "党内法规", "中国共产党政法工作条例", "work_standards"),
    ("Z08", "political", "党内法规", "检察官职业道德基本准则", "work_standards"),
    ("Y01", "business", "检察实务", "刑法及相关司法解释重点条文", "legal_reasoning"),
    ("Y02", "business", "检察实务", "刑事诉讼法与人民检察院刑事诉讼规则", "work_standards"),
    ("Y03", "business", "检察实务", "检察法律文书制作规范", "work_standards"),
    ("Y04", "business", "检察实务", "检察业务应用系统与案卡填录", "work_standards"),
    ("Y05", "business", "检察实务", "检察业务数据统计分析", "work_standards"),
    ("Y06", "business", "检察实务", "群众来访接待与释法说理", "field_practice"),
    ("Y07", "business", "检察实务", "证据审查与非法证据排除", "substantive_cases"),
    ("Y08", "business", "检察实务", "认罪认罚从宽制度适用", "substantive_cases"),
    ("Y09", "business", "检察实务", "民事诉讼监督", "compound_skills"),
    ("Y10", "business", "检察实务", "行政检察与行政争议实质性化解", "compound_skills"),
    ("Y11", "business", "检察实务", "公益诉讼检察办案指引", "compound_skills"),
    ("Y12", "business", "检察实务", "人民检察院检察建议工作规定", "compound_skills"),
    ("Y13", "business", "检察实务", "出庭支持公诉与引导侦查", "independence"),
]

# code, name, category, points, description
POINT_RULES = [
    ("study_item", "完成必研必学项目", "学习", Decimal("2"), "每完成一项并经导师确认"),
    ("team_debate_join", "参加团队对垒", "竞赛", Decimal("2"), "每参加一场团队论辩赛"),
    ("team_debate_win", "团队对垒获胜", "竞赛", Decimal("5"), "所在团队获胜或获评最佳辩手"),
    ("competition_institution", "院级业务竞赛获奖", "竞赛", Decimal("8"), "院级竞赛获奖"),
    ("competition_municipal", "市级以上业务竞赛获奖", "竞赛", Decimal("15"), "市级以上竞赛获奖"),
    (
        "excellent_selection",
        "入选优秀案例、文书或检察建议",
        "竞赛",
        Decimal("12"),
        "市级以上“优秀案例、优秀法律文书、优秀检察建议”评选入选",
    ),
    ("analysis_report", "撰写专项分析报告", "调研", Decimal("6"), "报告经部门负责人审核"),
    ("suggestion_adopted", "检察建议被采纳", "调研", Decimal("8"), "社会治理检察建议被采纳"),
    ("research_project", "参与课题研究", "调研", Decimal("10"), "承担重大课题或专题调研"),
    ("assisted_cases", "协助办案（每10件）", "办案", Decimal("5"), "轮岗期间协助办理案件"),
    ("hearing", "参加听证评议或社区矫正巡回", "办案", Decimal("2"), "每次"),
    ("lecture", "授课或带教新任助理", "引领", Decimal("6"), "传帮带：每讲授一课或带教一人"),
    ("document_defect", "法律文书质量问题", "扣分", Decimal("-3"), "案件质量评查发现的文书问题"),
    ("training_absence", "无故缺席培训", "扣分", Decimal("-2"), "每次"),
]

WEIGHTS = [
    ("mentor", Decimal("0.40")),
    ("department", Decimal("0.30")),
    ("peer", Decimal("0.20")),
    ("self", Decimal("0.10")),
]


def ensure_config(apps=None) -> None:
    """Create the missing configuration; never overwrite what an administrator changed."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry

    def model(name):
        return apps.get_model("talent", name)

    stages = {}
    for code, name, order, theme, description, months, milestones, points, study in STAGES:
        stages[code], _ = model("Stage").objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "order": order,
                "theme": theme,
                "description": description,
                "min_months": months,
                "min_milestones": milestones,
                "min_points": points,
                "min_study_items": study,
            },
        )
    transformations = {}
    for stage, order, code, source, target, description, milestones in TRANSFORMATIONS:
        found, created = model("Transformation").objects.get_or_create(
            code=code,
            defaults={
                "stage": stages[stage],
                "order": order,
                "source": source,
                "target": target,
                "description": description,
            },
        )
        transformations[code] = found
        if created:
            model("Milestone").objects.bulk_create(
                [
                    model("Milestone")(transformation=found, order=number, name=name)
                    for number, name in enumerate(milestones, start=1)
                ]
            )
    for order, (code, track, topic, title, transformation) in enumerate(STUDY_ITEMS, start=1):
        model("StudyItem").objects.get_or_create(
            code=code,
            defaults={
                "track": track,
                "topic": topic,
                "title": title,
                "transformation": transformations[transformation],
                "order": order,
            },
        )
    for code, name, category, points, description in POINT_RULES:
        model("PointRule").objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "points": points,
                "description": description,
            },
        )
    for dimension, weight in WEIGHTS:
        model("EvaluationWeight").objects.get_or_create(
            dimension=dimension, defaults={"weight": weight}
        )
