"""Routing suggestions (M1.3): rules on keywords and responsibility lists, and a trained model."""

import os
import random
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pingan.cases import routing
from pingan.cases.models import Case, Category
from pingan.orgs.models import Division, Unit

from .conftest import MONDAY_MORNING

pytestmark = pytest.mark.django_db

LEAK = "楼上住户卫生间漏水，渗到楼下厨房，多次协商未果，请求调解赔偿。"


@pytest.fixture(autouse=True)
def router_path(settings, tmp_path):
    """Every test reads and writes its own model file, never the deployment's."""
    path = tmp_path / "models" / "router.npz"
    settings.PINGAN_ROUTER_PATH = str(path)
    routing._cache.clear()
    yield path
    routing._cache.clear()


# --- rules ---------------------------------------------------------------------------------


def test_a_neighbour_leak_goes_to_community_mediation_with_the_words_that_matched(grid):
    # when the clerk types a leak between neighbours, without choosing a category
    suggestions = routing.suggest(narrative=LEAK, category=None, grid=grid)

    # then the community committee's mediation comes first, the street center behind it
    first = suggestions[0]
    assert first.function_area == "mediation"
    assert first.unit.name == "多福巷社区居委会"
    assert first.category.code == "neighbourhood"
    assert "关键词：" in first.reason and "漏水" in first.reason and "邻里纠纷" in first.reason
    assert "东华门街道综治中心" in [s.unit.name for s in suggestions]
    assert all(0 <= s.score <= 1 for s in suggestions)
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)


@pytest.mark.parametrize(
    "narrative", ["拖欠工资三个月", "公司拖欠工资三个月，老板一直推脱，农民工要求结清。"]
)
def test_wage_arrears_go_to_the_human_resources_agency(grid, narrative):
    first = routing.suggest(narrative=narrative, category=None, grid=grid)[0]

    assert first.category.code == "labour"
    assert first.unit.agency_type == "human_resources"
    assert first.unit.name == "东城区人力资源和社会保障局"
    assert first.function_area == "legal_service"
    assert "工资" in first.reason


def test_a_unit_whose_responsibility_list_names_the_matter_is_suggested_quoting_the_duty(grid):
    # given the police station lists campus surroundings among its duties
    Unit.objects.filter(name="东华门派出所").update(
        responsibilities="1. 治安纠纷调处\n2. 校园周边纠纷\n（三）出租房屋治安管理"
    )

    # when a matter around a school comes in
    suggestions = routing.suggest(
        narrative="放学时段有商贩在校园周边摆摊，与接孩子的家长发生争执推搡。",
        category=None,
        grid=grid,
    )

    # then the police station is suggested, with the duty quoted
    police = next(s for s in suggestions if s.unit.name == "东华门派出所")
    assert "命中东华门派出所权责清单“校园周边纠纷”" in police.reason
    assert police.function_area == "legal_service"
    assert suggestions[0] == police


def test_a_responsibility_line_is_not_matched_by_one_common_word(grid):
    Unit.objects.filter(name="东华门派出所").update(responsibilities="校园周边纠纷")

    suggestions = routing.suggest(
        narrative="小区周边道路停车混乱，物业不管，业主要求解决。", category=None, grid=grid
    )

    assert all("权责清单" not in s.reason for s in suggestions)


def test_the_category_the_clerk_chose_weighs_even_without_keywords(grid):
    labour = Category.objects.get(code="labour")

    first = routing.suggest(
        narrative="申请人称在餐馆打工半年，老板拒绝结算，现已离职。", category=labour, grid=grid
    )[0]

    assert (first.category, first.unit.agency_type) == (labour, "human_resources")
    assert "登记类别：劳动争议" in first.reason


def test_a_narrative_nothing_matches_falls_back_to_registration_at_the_street(grid):
    suggestions = routing.suggest(
        narrative="来人反映情况，具体内容待补充。", category=None, grid=grid
    )

    assert [(s.unit.name, s.function_area, s.score) for s in suggestions] == [
        ("东华门街道综治中心", "registration", 0.0)
    ]
    assert "人工分流" in suggestions[0].reason


def test_candidates_are_the_grid_s_community_street_and_the_agencies_serving_it(grid):
    names = {unit.name for unit in routing.candidate_units(grid)}

    assert {"多福巷社区居委会", "东华门街道综治中心", "东华门派出所", "东华门司法所"} <= names
    assert {"东城区人民法院", "东城区人力资源和社会保障局"} <= names
    assert not names & {"景山派出所", "景山街道综治中心", "东城区综治中心"}


def test_suggestions_take_a_constant_number_of_queries(grid, django_assert_max_num_queries):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            routing.suggest(narrative=LEAK, category=None, grid=grid)
        return len(captured)

    before = queries()
    # given many more categories and candidate units, each with a responsibility list
    district = Division.objects.get(level="district")
    Unit.objects.bulk_create(
        Unit(
            name=f"测试部门{i}",
            kind="agency",
            agency_type="other",
            division=district,
            responsibilities=f"测试职责{i}\n漏水维修{i}",
        )
        for i in range(30)
    )
    Category.objects.bulk_create(
        Category(code=f"extra{i}", name=f"附加类别{i}", keywords=f"测试{i} 漏水") for i in range(10)
    )

    routing.units_changed()  # as saving a unit does (bulk_create sends no signal)

    # then the count is the same, and small: the units, today's duty, the categories
    assert queries() == before
    with django_assert_max_num_queries(3):
        routing.suggest(narrative=LEAK, category=None, grid=grid)
    # and once the units are known in this process, only today's duty and the categories
    with django_assert_max_num_queries(2):
        routing.suggest(narrative=LEAK, category=None, grid=grid)


def test_candidate_units_follow_edits_to_units_and_their_streets_at_once(grid):
    from django.utils import timezone

    from pingan.collaboration.models import DutyShift

    def names() -> set[str]:
        return {unit.name for unit in routing.candidate_units(grid)}

    police = Unit.objects.get(name="东华门派出所")
    assert police.name in names()
    # a unit deactivated by an administrator is no longer offered
    police.is_active = False
    police.save()
    assert police.name not in names()
    police.is_active = True
    police.save()
    # a district agency put to serve this street is offered; once it serves only another
    # street, it is not
    agency = Unit.objects.create(
        name="测试区级部门", kind="agency", agency_type="other", division=grid.parent.parent.parent
    )
    assert agency.name in names()
    other_street = Division.objects.get(code="110101002")
    agency.serves.add(other_street)
    assert agency.name not in names()
    agency.serves.add(grid.parent.parent)
    assert agency.name in names()
    # who is on duty shows the moment the roster changes
    assert not next(u for u in routing.candidate_units(grid) if u.pk == police.pk).on_duty
    center = Unit.objects.get(kind="street_center", division=grid.parent.parent)
    DutyShift.objects.create(center=center, agency=police, date=timezone.localdate())
    assert next(u for u in routing.candidate_units(grid) if u.pk == police.pk).on_duty


# --- the trained model ---------------------------------------------------------------------

# Narratives from templates, five categories, with words shared across categories (协商未果,
# 赔偿, 调解 …) and background sentences that borrow other categories' words, so that single
# words do not give the answer away; a few are filed under the wrong category, as in real life.
TEMPLATES = {
    "neighbourhood": [
        "{who}反映楼上邻居{noise}，{when}影响休息，{ask}",
        "{who}称邻居在楼道堆放杂物占用通道，{ask}",
        "{who}家卫生间漏水渗到楼下，{when}墙面发霉，{ask}",
        "{who}反映邻居养狗不拴绳，{when}吠叫扰民，{ask}",
    ],
    "property_management": [
        "{who}反映小区物业{service}，{when}无人处理，{ask}",
        "{who}因物业费上涨与物业公司争执，认为{service}，{ask}",
        "{who}称小区电梯{when}停运，物业推诿，{ask}",
        "{who}反映业委会与物业在停车收费上有分歧，{ask}",
    ],
    "labour": [
        "{who}在{employer}工作，单位{when}拖欠工资，{ask}",
        "{who}被{employer}无故辞退，未签劳动合同，{ask}",
        "{who}在{employer}工作时受伤，单位不认工伤，{ask}",
        "{who}反映{employer}长期加班不付加班费，也不缴社保，{ask}",
    ],
    "consumer": [
        "{who}在{shop}办理预付卡后商家关门跑路，{ask}",
        "{who}在{shop}购买的商品有质量问题，商家拒绝退货退款，{ask}",
        "{who}报名{shop}课程后要求退费被拒，{ask}",
        "{who}网购商品与描述不符，商家{when}不回应，{ask}",
    ],
    "traffic": [
        "{who}骑电动车与{vehicle}发生剐蹭，双方对责任有分歧，{ask}",
        "{who}在路口被{vehicle}撞伤，就医后对方保险拒赔，{ask}",
        "{who}停放的车辆被{vehicle}撞坏，肇事方{when}不露面，{ask}",
        "{who}过马路时与{vehicle}发生交通事故，{ask}",
    ],
}
SLOTS = {
    "who": ["申请人王某", "居民李女士", "张先生", "赵某某", "一位老人", "孙女士一家"],
    "noise": ["深夜装修", "夜间噪音大", "经常跺脚", "半夜搬动家具"],
    "when": ["近一个月", "多次", "长期", "自去年起", "最近一周"],
    "ask": [
        "多次协商未果，请求调解。",
        "要求对方赔偿损失。",
        "希望街道出面协调。",
        "情绪激动，要求尽快解决。",
        "请求依法处理并赔偿。",
    ],
    "service": ["保洁不到位", "维修不及时", "安保缺失", "供暖不热"],
    "employer": ["一家餐馆", "某装修公司", "一家快递站", "某物流公司"],
    "shop": ["健身房", "培训机构", "美容店", "一家网店"],
    "vehicle": ["出租车", "外卖骑手", "一辆私家车", "快递三轮车"],
}


BACKGROUND = [
    "双方此前因装修噪音有过口角。",
    "对方是小区物业的保安。",
    "申请人是外地来京务工人员，工资不高。",
    "曾拨打12345反映，也报过警。",
    "对方称已咨询律师，要走法律途径。",
    "事发时申请人刚下班骑电动车回家。",
    "申请人在附近健身房办过卡。",
    "申请人家住老旧小区顶楼，楼上是平台。",
]


def synthetic_corpus(size: int = 200, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    codes = list(TEMPLATES)
    corpus = []
    for index in range(size):
        code = codes[index % len(codes)]
        narrative = rng.choice(TEMPLATES[code]).format(
            **{slot: rng.choice(values) for slot, values in SLOTS.items()}
        )
        narrative += "".join(rng.sample(BACKGROUND, rng.randint(0, 2)))
        if rng.random() < 0.05:
            code = rng.choice(codes)
        corpus.append((narrative, code))
    return corpus


def bulk_cases(corpus: list[tuple[str, str]], *, grid, staff) -> None:
    """Past cases with only what training reads filled in meaningfully."""
    categories = {c.code: c for c in Category.objects.all()}
    street_center = Unit.objects.get(name="东华门街道综治中心")
    clerk = staff("street_clerk")
    Case.objects.bulk_create(
        Case(
            number=f"T2025-{index:06d}",
            query_code_hash="-",
            channel="walk_in",
            category=categories[code],
            complexity="general",
            title=narrative[:20],
            narrative=narrative,
            grid=grid,
            area_path=grid.path,
            level="street",
            state="archived",
            handling_unit=street_center,
            registered_by=clerk,
            registered_at=MONDAY_MORNING,
        )
        for index, (narrative, code) in enumerate(corpus)
    )


def test_a_model_trained_on_past_cases_predicts_held_out_ones_well_above_chance():
    narratives, labels = zip(*synthetic_corpus(), strict=True)

    evaluation = routing.evaluate(list(narratives), list(labels), holdout=0.2, seed=0)

    # chance is 20% with five balanced categories; about 5% of the labels are wrong on purpose
    assert evaluation.stratified and (evaluation.train_size, evaluation.test_size) == (160, 40)
    assert evaluation.accuracy >= 0.8
    assert evaluation.top3_accuracy >= max(0.85, evaluation.accuracy)


@pytest.mark.parametrize("classes", [5, 2])
def test_the_served_model_gives_the_fitted_pipelines_probabilities(classes, tmp_path):
    # given a pipeline fitted by scikit-learn, on five categories or on two
    corpus = [
        (text, code) for text, code in synthetic_corpus(300) if code in list(TEMPLATES)[:classes]
    ]
    train, held_out = corpus[:-40], [text for text, _code in corpus[-40:]]
    narratives, labels = zip(*train, strict=True)
    pipeline = routing.fitted_pipeline(list(narratives), list(labels))
    vectorizer = pipeline.named_steps["tfidf"]

    # when its weights are kept, saved and read back as the web process serves them
    router = routing.fit(list(narratives), list(labels))
    served = routing.TrainedRouter.read(router.save(tmp_path / "router.npz"))

    # then every held-out narrative gets the same features and the same probabilities
    assert served.classes == [str(code) for code in pipeline.classes_]
    expected = pipeline.predict_proba(held_out)
    for text, probabilities in zip(held_out, expected, strict=True):
        columns, values = served.features(text)
        row = vectorizer.transform([text])
        assert columns.tolist() == row.indices.tolist()
        assert values == pytest.approx(row.data, abs=1e-12)
        assert served.probabilities(columns, values) == pytest.approx(probabilities, abs=1e-12)
        assert list(served.predict(text)[0].values()) == pytest.approx(probabilities, abs=1e-12)
    assert served.case_count == len(train) and served.class_counts == router.class_counts


def test_a_web_worker_starts_warm_without_scikit_learn_scipy_or_pandas(router_path):
    # given a trained model
    routing.fit(*zip(*synthetic_corpus(60), strict=True)).save(router_path)
    # when a worker loads the application as gunicorn does, and every URL's views
    code = (
        "import gc, sys, jieba, config.wsgi;"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "from pingan.cases import routing;"
        "print(jieba.dt.initialized, routing._cache != {}, gc.get_freeze_count() > 0);"
        "print(','.join(m for m in ('sklearn', 'scipy', 'pandas', 'joblib') if m in sys.modules))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "PINGAN_ROUTER_PATH": str(router_path),
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env=env,
    )
    warm, heavy = done.stdout.splitlines()
    # then jieba and the model are loaded and frozen out of the collector's scans
    assert warm == "True True True"
    # and it carries no scikit-learn, SciPy or pandas (about 150 MB against a 300 MB budget)
    assert heavy == ""


def test_train_router_saves_a_model_that_suggest_then_explains(grid, staff, router_path):
    # given 200 past cases
    bulk_cases(synthetic_corpus(), grid=grid, staff=staff)

    # when the model is trained
    out = StringIO()
    call_command("train_router", "--holdout", "0.2", "--seed", "0", stdout=out)

    # then it reports its accuracy and is saved where suggest looks
    assert "准确率 accuracy" in out.getvalue() and "top-3" in out.getvalue()
    assert router_path.exists()
    assert routing.load().case_count == 200

    # and a suggestion names the words the model weighed
    suggestions = routing.suggest(
        narrative="申请人在一家快递站干了半年，被辞退后工资一直没结。", category=None, grid=grid
    )
    first = suggestions[0]
    assert first.category.code == "labour"
    assert "模型：" in first.reason
    assert "劳动争议" in first.reason
    # and words the model never saw add nothing it cannot explain
    unknown = routing.suggest(narrative="具体内容待补充。", category=None, grid=grid)
    assert all(s.reason for s in unknown) and all("模型：" not in s.reason for s in unknown)


def test_train_router_refuses_with_fewer_than_fifty_cases(grid, staff, router_path):
    bulk_cases(synthetic_corpus(49), grid=grid, staff=staff)

    with pytest.raises(CommandError, match=r"少于 50 件.*fewer than 50"):
        call_command("train_router", stdout=StringIO())

    assert not router_path.exists()


def test_without_a_model_file_suggestions_use_rules_only(grid, router_path):
    assert not router_path.exists()

    suggestions = routing.suggest(narrative=LEAK, category=None, grid=grid)

    assert suggestions and all("模型：" not in s.reason for s in suggestions)


def test_an_unreadable_model_file_falls_back_to_rules(grid, router_path):
    router_path.parent.mkdir(parents=True)
    router_path.write_bytes(b"not a model")

    suggestions = routing.suggest(narrative=LEAK, category=None, grid=grid)

    assert suggestions[0].unit.name == "多福巷社区居委会"
    assert all("模型：" not in s.reason for s in suggestions)


def test_candidate_units_are_read_every_time_when_the_cache_is_unreachable(grid, monkeypatch):
    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    police = Unit.objects.get(name="东华门派出所")
    monkeypatch.setattr(routing, "cache", Down())
    with CaptureQueriesContext(connection) as captured:
        assert police.name in {unit.name for unit in routing.candidate_units(grid)}
    # the units, their centers' function areas and today's duty: nothing was kept
    assert len(captured) == 3
    police.is_active = False
    police.save()  # the signal cannot reach the cache either; the save still succeeds
    assert police.name not in {unit.name for unit in routing.candidate_units(grid)}


# --- function areas ------------------------------------------------------------------------


def test_the_area_follows_the_narrative_s_words_to_whichever_center_has_it(grid):
    # given a narrative in distress, one naming a petition, and one that names neither
    distress = "夫妻长期争吵，妻子情绪低落、失眠，家人担心其想不开，请求心理疏导。"
    petition = "居民联名信访，反映小区拆除违建后的补偿标准不一致。"
    wages = "某餐馆拖欠三名服务员两个月工资共计两万元，请求协调支付。"
    # when routing suggests where each is served
    areas = {
        text: routing.suggest_area(
            narrative=text,
            grid=grid,
            suggestions=routing.suggest(narrative=text, category=None, grid=grid),
        )
        for text in (distress, petition, wages)
    }
    # then 心理服务 comes from the district center (the street center has none), 信访接待
    # from the street center, and the plain matter takes its best unit's area
    assert areas[distress].kind == "psychological"
    assert areas[distress].center == "东城区综治中心"
    assert "情绪" in areas[distress].reason and "心理服务" in areas[distress].reason
    assert areas[petition].kind == "petition"
    assert areas[petition].center == "东华门街道综治中心"
    wage_suggestions = routing.suggest(narrative=wages, category=None, grid=grid)
    assert areas[wages].kind == wage_suggestions[0].function_area
    assert wage_suggestions[0].unit.name in areas[wages].reason


def test_an_area_no_center_has_is_not_suggested_and_a_change_shows_at_once(grid):
    from pingan.orgs.models import FunctionArea

    distress = "邻居长期噪音扰民，当事人焦虑失眠，情绪激动，请求调解。"
    suggestions = routing.suggest(narrative=distress, category=None, grid=grid)
    assert routing.suggest_area(narrative=distress, grid=grid, suggestions=suggestions).kind == (
        "psychological"
    )
    # when the district center closes its 心理服务区
    FunctionArea.objects.filter(kind="psychological").delete()
    # then the matter is served where its best unit serves it, without waiting for the copy
    # this process kept to expire
    area = routing.suggest_area(narrative=distress, grid=grid, suggestions=suggestions)
    assert area.kind == suggestions[0].function_area != "psychological"
