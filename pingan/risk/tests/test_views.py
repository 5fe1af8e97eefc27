"""Risk pages: who may open them, what they show, how many queries they take."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pingan.core.testing import PermissionMatrix
from pingan.risk.models import ComponentWeight, Instruction, RiskSettings
from pingan.risk.services import instruction_issue

from .conftest import GRID_CODE, OTHER_STREET_DISPATCHER, OTHER_STREET_GRID, UNIT_MEMBER


class TestRiskMap(PermissionMatrix):
    url_name = "risk:map"
    in_scope = "street_dispatcher"
    wrong_role = "grid_worker"


class TestAreaPage(PermissionMatrix):
    url_name = "risk:area"
    url_args = (GRID_CODE,)
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"
    out_of_scope = "dispatcher@110101002"


class TestInstructionForm(PermissionMatrix):
    url_name = "risk:instruction-new"
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"
    out_of_scope = "dispatcher@110101002"

    def url(self) -> str:
        return reverse(self.url_name) + f"?grid={GRID_CODE}"


class TestMapData(PermissionMatrix):
    url_name = "risk:map-data"
    in_scope = "street_dispatcher"  # scoped: only the areas of the caller's street
    wrong_role = "grid_worker"


class TestWarnings(PermissionMatrix):
    url_name = "risk:warnings"
    in_scope = "street_dispatcher"  # scoped: warnings of grids in the caller's area
    wrong_role = "grid_worker"


class TestInstructions(PermissionMatrix):
    """Scoped rather than refused: instructions for grids in the caller's area and those
    addressed to their unit (the unit that handles them is not a monitoring role)."""

    url_name = "risk:instructions"
    in_scope = UNIT_MEMBER


class _InstructionMatrix(PermissionMatrix):
    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _instruction(self, instruction):
        self.instruction = instruction

    def url(self) -> str:
        return reverse(self.url_name, args=[self.instruction.number])


class TestInstructionDetail(_InstructionMatrix):
    """Anyone whose area holds the grid, or whose unit it is addressed to, may read it."""

    url_name = "risk:instruction-detail"


class TestInstructionAccept(_InstructionMatrix):
    url_name = "risk:instruction-accept"
    method = "post"
    data = {"version": 1}
    in_scope = UNIT_MEMBER
    wrong_role = "street_clerk"  # sees it in the street, but only the target unit signs for it
    ok_status = 302


class TestInstructionClose(_InstructionMatrix):
    url_name = "risk:instruction-close"
    method = "post"
    data = {"version": 1, "result": "已走访 6 户，纠纷已调解。"}
    in_scope = "street_dispatcher"  # the dispatcher who issued it (or the unit) closes it
    wrong_role = "street_clerk"
    ok_status = 302


@pytest.mark.django_db
def test_map_data_is_scoped_and_coloured(client_as, snapshots):
    response = client_as("street_dispatcher").get(
        reverse("risk:map-data"), {"level": "grid", "end": "2026-06-01"}
    )
    features = response.json()["features"]
    by_code = {f["properties"]["code"]: f["properties"] for f in features}
    assert GRID_CODE in by_code and OTHER_STREET_GRID not in by_code
    red = by_code[GRID_CODE]
    assert (red["value"], red["colour"], red["colour_label"]) == (71.0, "red", "高风险")
    assert red["top"][0]["label"] == "新增事项（按类别严重程度加权）"
    assert red["url"] == reverse("risk:area", args=[GRID_CODE]) + "?end=2026-06-01"


@pytest.mark.django_db
def test_map_data_refuses_a_bad_level(client_as):
    response = client_as("district_dispatcher").get(reverse("risk:map-data"), {"level": "x"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_area_page_shows_the_components_and_formula(client_as, snapshots):
    response = client_as("street_dispatcher").get(reverse("risk:area", args=[GRID_CODE]))
    page = response.content.decode()
    assert "71.0" in page and "高风险" in page
    assert "新增事项（按类别严重程度加权）" in page
    assert "s = 100 × x / (x + r)" in page
    assert "下达调度指令" in page


@pytest.mark.django_db
def test_area_page_lists_the_cases_behind_the_colour(client_as, snapshots, grid, make_case):
    from .conftest import WINDOW_END

    case = make_case(grid, WINDOW_END - timedelta(days=3), state="accepted", concluded_at=None)
    response = client_as("street_dispatcher").get(reverse("risk:area", args=[GRID_CODE]))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("cases:case-detail", args=[case.number]) in page
    assert "pa-state-accepted" in page


@pytest.mark.django_db
def test_pages_pin_their_queries(client_as, snapshots, django_assert_max_num_queries):
    client = client_as("district_dispatcher")
    with django_assert_max_num_queries(16):
        client.get(reverse("risk:map"), {"level": "grid"})
    with django_assert_max_num_queries(12):
        client.get(reverse("risk:map-data"), {"level": "grid"})
    with django_assert_max_num_queries(22):
        client.get(reverse("risk:area", args=[GRID_CODE]))
    with django_assert_max_num_queries(12):
        client.get(reverse("risk:warnings"))
    with django_assert_max_num_queries(12):
        client.get(reverse("risk:instructions"))


@pytest.mark.django_db
def test_instruction_list_pins_queries_and_marks_overdue(
    client_as, staff, grid, community_unit, django_assert_max_num_queries
):
    now = timezone.now()
    for n in range(5):
        instruction_issue(
            actor=staff("street_dispatcher"),
            grid=grid,
            unit=community_unit,
            title=f"指令{n}",
            content="走访",
            due_at=now + timedelta(days=1),
            now=now,
        )
    Instruction.objects.filter(title="指令0").update(due_at=now - timedelta(days=1))
    client = client_as("u26-leader-1")  # the unit sees instructions addressed to it
    with django_assert_max_num_queries(12):
        response = client.get(reverse("risk:instructions"))
    page = response.content.decode()
    assert page.count('text-bg-danger">已超期') == 1
    assert "指令4" in page
    # another street's dispatcher sees none of them, and cannot open one
    other = client_as("dispatcher@110101002")
    assert "指令4" not in other.get(reverse("risk:instructions")).content.decode()
    number = Instruction.objects.first().number
    response = other.get(reverse("risk:instruction-detail", args=[number]))
    assert response.status_code == 404


@pytest.mark.django_db
def test_dispatch_from_the_grid_page_to_closed(client_as, grid, community_unit):
    # given a street dispatcher on the grid's page
    dispatcher = client_as("street_dispatcher")
    due = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    # when they issue an instruction
    response = dispatcher.post(
        reverse("risk:instruction-new") + f"?grid={GRID_CODE}",
        {
            "grid": GRID_CODE,
            "unit": community_unit.pk,
            "title": "排查漏水纠纷",
            "content": "上门走访",
            "due_at": due,
        },
    )
    instruction = Instruction.objects.get()
    assert response.status_code == 302
    # then the unit signs for it and closes it with a result
    unit = client_as("u26-leader-1")
    detail = reverse("risk:instruction-detail", args=[instruction.number])
    assert "签收" in unit.get(detail).content.decode()
    unit.post(reverse("risk:instruction-accept", args=[instruction.number]), {"version": 1})
    response = unit.post(
        reverse("risk:instruction-close", args=[instruction.number]),
        {"version": 2, "result": ""},
    )
    assert response.status_code == 400
    unit.post(
        reverse("risk:instruction-close", args=[instruction.number]),
        {"version": 2, "result": "已调解"},
    )
    instruction.refresh_from_db()
    assert instruction.state == "closed" and instruction.result == "已调解"
    # a clerk of the street may read it but not close it
    clerk = client_as("street_clerk")
    response = clerk.post(
        reverse("risk:instruction-close", args=[instruction.number]),
        {"version": 3, "result": "x"},
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_instruction_form_shows_errors_in_chinese(client_as, community_unit):
    response = client_as("street_dispatcher").post(
        reverse("risk:instruction-new") + f"?grid={GRID_CODE}",
        {"grid": GRID_CODE, "unit": community_unit.pk, "title": "", "content": "", "due_at": ""},
    )
    assert response.status_code == 400
    assert "请修改以下内容" in response.content.decode()
    assert not Instruction.objects.exists()


@pytest.mark.django_db
class TestSettingsAdmin:
    def _post(self, client, **changes):
        config = RiskSettings.load()
        weights = list(ComponentWeight.objects.order_by("pk"))
        data = {
            "window_days": config.window_days,
            "baseline_days": config.baseline_days,
            "yellow_threshold": config.yellow_threshold,
            "red_threshold": config.red_threshold,
            "warning_alpha": config.warning_alpha,
            "warning_min_count": config.warning_min_count,
            "warning_baseline_days": config.warning_baseline_days,
            "warning_dispersion": config.warning_dispersion,
            "hotspot_fdr": config.hotspot_fdr,
            "quiet_days": config.quiet_days,
            "weights-TOTAL_FORMS": len(weights),
            "weights-INITIAL_FORMS": len(weights),
            "weights-MIN_NUM_FORMS": 0,
            "weights-MAX_NUM_FORMS": 1000,
            "audit_reason": "按季度分析调整权重",
        }
        for n, weight in enumerate(weights):
            data[f"weights-{n}-id"] = weight.pk
            data[f"weights-{n}-settings"] = config.pk
            data[f"weights-{n}-weight"] = weight.weight
        data.update(changes)
        url = reverse("admin:risk_risksettings_change", args=[config.pk])
        return client.post(url, data)

    def test_all_zero_weights_are_refused(self, client_as):
        count = ComponentWeight.objects.count()
        zeros = {f"weights-{n}-weight": 0 for n in range(count)}
        response = self._post(client_as("admin"), **zeros)
        assert "权重不能全部为 0" in response.content.decode()
        assert ComponentWeight.objects.filter(weight__gt=0).exists()

    def test_negative_weight_is_refused(self, client_as):
        response = self._post(client_as("admin"), **{"weights-0-weight": -1})
        assert "权重不能为负数" in response.content.decode()

    def test_thresholds_must_be_ordered(self, client_as):
        response = self._post(client_as("admin"), yellow_threshold=70, red_threshold=60)
        assert "红色阈值必须大于黄色阈值" in response.content.decode()
        assert RiskSettings.load().red_threshold == 60

    def test_a_valid_change_is_saved_and_audited(self, client_as):
        from pingan.core.models import AuditEvent

        response = self._post(client_as("admin"), **{"weights-0-weight": 4})
        assert response.status_code == 302
        assert AuditEvent.objects.filter(
            action="risk_weights.change", reason="按季度分析调整权重"
        ).exists()

    def test_a_changed_warning_setting_is_measured_in_the_background_and_stated(self, client_as):
        from pingan.core.jobs import job_run
        from pingan.core.models import Job
        from pingan.risk.jobs import WARNING_MEASURE

        # given: a measurement made with the current settings is on the page
        page = client_as("admin").get(reverse("risk:warnings")).content.decode()
        assert "当前参数的预警效果尚未测算" in page
        # when: the administrator lowers the significance level
        response = self._post(client_as("admin"), warning_alpha=0.0001)
        assert response.status_code == 302
        job = Job.objects.get(kind=WARNING_MEASURE)
        assert job.owner.username == "admin"
        # then: the page says the new settings are not measured until the job has run
        page = client_as("street_dispatcher").get(reverse("risk:warnings")).content.decode()
        assert "当前参数的预警效果尚未测算" in page
        job_run(job.pk)
        measured = RiskSettings.load().warning_measurement()
        assert measured["params"]["alpha"] == 0.0001
        page = client_as("street_dispatcher").get(reverse("risk:warnings")).content.decode()
        share = round(100 * measured["detected_share"]["value"])
        rate = f"{measured['false_per_1000']['value']:.2f}"
        assert f"{share}% 能预警" in page and f"误报约每千个网格周 {rate} 次" in page
        # and saving again without touching the warning settings measures nothing new
        self._post(client_as("admin"), **{"weights-0-weight": 4})
        assert Job.objects.filter(kind=WARNING_MEASURE).count() == 1


@pytest.mark.django_db
def test_warning_list_shows_open_warnings_in_scope(client_as, grid, snapshots):
    from pingan.risk.models import RiskWarning

    RiskWarning.objects.create(
        grid=grid,
        path=grid.path,
        kind="rising",
        opened_at=snapshots[0].window_end,
        last_flagged_at=snapshots[0].window_end,
        data={
            "p": 0.00001,
            "recent": 9,
            "usual_per_week": 1.2,
            "inverse_k": 0.4,
            "days": [0] * 21 + [1, 1, 2, 1, 2, 1, 1],
        },
    )
    page = client_as("street_dispatcher").get(reverse("risk:warnings")).content.decode()
    # in words first, with its street; the statistics behind a details toggle
    assert "近7天新增9件，约为该网格往常的7.5倍（往常每周约1件）" in page
    assert 'class="pa-surge-recent"' in page and "近28天每日新增" in page
    assert grid.parent.parent.name in page
    assert "<summary>统计依据</summary>" in page and "p = 1.0e-05" in page
    other = client_as("dispatcher@110101002").get(reverse("risk:warnings")).content.decode()
    assert "近7天新增9件" not in other


@pytest.mark.django_db
def test_map_data_follows_a_recomputed_window(client_as, snapshots):
    from pingan.risk.models import IndexSnapshot

    client = client_as("street_dispatcher")
    url = reverse("risk:map-data")

    def value():
        features = client.get(url, {"level": "grid"}).json()["features"]
        return next(
            f["properties"]["value"] for f in features if f["properties"]["code"] == GRID_CODE
        )

    assert value() == 71.0
    IndexSnapshot.objects.filter(division__code=GRID_CODE).update(
        value=30.0, colour="green", computed_at=timezone.now()
    )
    assert value() == 30.0
