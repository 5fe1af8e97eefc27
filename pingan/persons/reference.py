"""Reference data every database needs: the kinds of key person (M8.1) and the default
scorecard an administrator configured (M8.2), usable from day one and editable in the admin
(a changed copy goes through the same review as a fitted one)."""

from django.apps import apps as global_apps

PERSON_TYPES = [
    (
        "released",
        "刑满释放人员",
        "《刑满释放人员安置帮教工作的意见》：刑满释放之日起五年内列为安置帮教对象。",
        60,
    ),
    (
        "corrections",
        "社区矫正对象",
        "《中华人民共和国社区矫正法》：矫正期间纳入社区矫正管理，期满解除。",
        24,
    ),
    (
        "petitioner",
        "重复信访人员",
        "《信访工作条例》：同一事项反复信访的，纳入重点关注，落实包案化解。",
        12,
    ),
    (
        "dispute_party",
        "矛盾激化风险当事人",
        "《北京市矛盾纠纷多元调解条例》：有激化风险的矛盾纠纷当事人，纳入重点跟踪。",
        12,
    ),
    ("other", "其他重点人员", "经街道综治中心研判确定，须写明具体依据。", 12),
]

DEFAULT_NAME = "默认评分卡（管理员配置）"
# (fact key, label, [(kind, lower, upper, category, band label, points)])
DEFAULT_FACTORS = [
    (
        "petitions_90d",
        "近 90 天信访次数",
        [
            ("range", None, 1, "", "0 次", 0),
            ("range", 1, 3, "", "1–2 次", 1),
            ("range", 3, None, "", "3 次及以上", 2),
        ],
    ),
    (
        "cases_365d",
        "近一年涉及矛盾纠纷",
        [
            ("range", None, 2, "", "0–1 件", 0),
            ("range", 2, 4, "", "2–3 件", 1),
            ("range", 4, None, "", "4 件及以上", 2),
        ],
    ),
    (
        "open_cases",
        "在办未结事项",
        [("range", None, 1, "", "无", 0), ("range", 1, None, "", "1 件及以上", 1)],
    ),
    (
        "employment",
        "就业状况",
        [
            ("category", None, None, "employed", "稳定就业", 0),
            ("category", None, None, "unstable", "灵活/不稳定就业", 1),
            ("category", None, None, "unemployed", "无业", 2),
        ],
    ),
    (
        "housing",
        "居住状况",
        [
            ("category", None, None, "stable", "固定住所", 0),
            ("category", None, None, "unstable", "无固定住所", 2),
        ],
    ),
    (
        "months_since_release",
        "刑满释放月数",
        [
            ("range", None, 12, "", "不满 1 年", 2),
            ("range", 12, 36, "", "1–3 年", 1),
            ("range", 36, None, "", "3 年以上", 0),
            ("missing", None, None, "", "非刑满释放人员", 0),
        ],
    ),
    (
        "violations",
        "违规记录",
        [
            ("range", None, 1, "", "无", 0),
            ("range", 1, 2, "", "1 次", 1),
            ("range", 2, None, "", "2 次及以上", 3),
        ],
    ),
    (
        "lost_contact_180d",
        "近半年复核失联",
        [("range", None, 1, "", "无", 0), ("range", 1, None, "", "1 次及以上", 2)],
    ),
]
DEFAULT_MEDIUM_FROM, DEFAULT_HIGH_FROM = 3, 6


def ensure_reference_data(apps=global_apps) -> None:
    """Create what is missing; change nothing that is there (safe to run any time)."""
    PersonType = apps.get_model("persons", "PersonType")
    Scorecard = apps.get_model("persons", "Scorecard")
    Factor = apps.get_model("persons", "ScorecardFactor")
    Band = apps.get_model("persons", "ScorecardBand")
    for order, (code, name, basis, months) in enumerate(PERSON_TYPES):
        PersonType.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "legal_basis": basis,
                "default_months": months,
                "sort_order": order,
            },
        )
    if Scorecard.objects.exists():
        return
    # The seed migration (0002) runs on the historical model, whose state field was still
    # called ``status`` until 0003 renamed it.
    field = "state" if any(f.name == "state" for f in Scorecard._meta.fields) else "status"
    scorecard = Scorecard.objects.create(
        name=DEFAULT_NAME,
        source="configured",
        **{field: "active"},
        medium_from=DEFAULT_MEDIUM_FROM,
        high_from=DEFAULT_HIGH_FROM,
    )
    for position, (key, label, bands) in enumerate(DEFAULT_FACTORS):
        factor = Factor.objects.create(scorecard=scorecard, key=key, label=label, position=position)
        Band.objects.bulk_create(
            [
                Band(
                    factor=factor,
                    kind=kind,
                    lower=lower,
                    upper=upper,
                    category=category,
                    label=band_label,
                    points=points,
                    position=index,
                )
                for index, (kind, lower, upper, category, band_label, points) in enumerate(bands)
            ]
        )
