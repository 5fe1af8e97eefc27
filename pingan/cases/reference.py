"""Reference data every database needs: categories (M1.2) and deadline policies (M2.3)."""

# The categories named in MISSION.md (M1.2), with the function area that usually takes them
# and keywords for the routing rules (M1.3).
CATEGORIES = [
    (
        "marriage_family",
        "婚姻家庭",
        "mediation",
        "离婚 婚姻 抚养 赡养 彩礼 家暴 家庭 夫妻 子女 老人 遗产 继承",
    ),
    (
        "neighbourhood",
        "邻里纠纷",
        "mediation",
        "邻居 噪音 漏水 楼上 楼下 占道 堆物 装修 养狗 宠物 采光 通道",
    ),
    (
        "property_management",
        "物业纠纷",
        "mediation",
        "物业 物业费 电梯 停车 小区 业委会 保洁 维修 供暖 水电",
    ),
    (
        "labour",
        "劳动争议",
        "legal_service",
        "工资 欠薪 拖欠 劳动 合同 辞退 社保 工伤 加班 农民工 欠款",
    ),
    (
        "housing_land",
        "房屋土地",
        "legal_service",
        "房屋 租房 房东 租客 押金 产权 宅基地 腾退 平房 院落",
    ),
    (
        "consumer",
        "消费纠纷",
        "mediation",
        "消费 退款 商家 预付卡 健身 培训 质量 退货 装修公司 网购",
    ),
    ("medical", "医疗纠纷", "legal_service", "医院 医疗 手术 医生 诊所 治疗 医药费 误诊 护理"),
    ("traffic", "交通事故", "legal_service", "交通事故 车祸 撞车 电动车 机动车 保险理赔 剐蹭 肇事"),
    ("demolition", "征地拆迁", "petition", "拆迁 征收 补偿 安置 腾退 棚改 违建 拆除"),
    ("law_litigation", "涉法涉诉", "legal_service", "法院 判决 执行 诉讼 案件 申诉 检察 公安 立案"),
    ("other", "其他", "registration", ""),
]
POLICIES = [("general", 7, "working"), ("complex", 30, "working")]


def ensure_reference_data(apps=None) -> None:
    """Create missing categories and policies; never overwrite what an administrator changed."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    category_model = apps.get_model("cases", "Category")
    policy_model = apps.get_model("cases", "DeadlinePolicy")
    for order, (code, name, area, keywords) in enumerate(CATEGORIES):
        category_model.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "function_area": area,
                "keywords": keywords,
                "sort_order": order,
            },
        )
    for complexity, days, day_type in POLICIES:
        policy_model.objects.get_or_create(
            complexity=complexity, defaults={"days": days, "day_type": day_type}
        )
