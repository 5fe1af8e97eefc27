"""A district dispatcher opens the risk map, clicks a red grid and reads why it is red."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from pingan.demo.orgs import DEMO_PASSWORD
from pingan.orgs.models import Division
from pingan.risk.models import IndexSnapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RED_GRID = "110101001001003"


@pytest.fixture
def coloured_map(transactional_db):
    call_command("pingan_demo", cases=0)
    end = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    components = {
        "new_cases": {"value": 18, "expected": 4, "reference": 4, "score": 81.8, "weight": 3},
        "overdue_cases": {"value": 3, "expected": 0, "reference": 0.5, "score": 85.7, "weight": 2},
    }
    # a refresh stores every area of the window: here the street's grids and the street
    areas = Division.objects.filter(level="grid", path__startswith="/110101/110101001/")
    areas = [*areas, Division.objects.get(code="110101001")]
    IndexSnapshot.objects.bulk_create(
        [
            IndexSnapshot(
                division=area,
                level=area.level,
                path=area.path,
                window_start=end - timedelta(days=30),
                window_end=end,
                value=82.0 if area.code == RED_GRID else 12.0,
                colour="red" if area.code == RED_GRID else "green",
                components=components,
                computed_at=end,
            )
            for area in areas
        ]
    )
    return Division.objects.get(code=RED_GRID)


def test_dispatcher_clicks_a_red_grid_and_sees_why(coloured_map, live_server, page, screenshot):
    # given a street dispatcher on the grid-level risk map
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "street_dispatcher")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/risk/?level=grid")
    page.wait_for_selector("[data-risk-map][data-ready=true] canvas")
    assert "高风险 ≥ 60（1）" in page.get_by_test_id("legend").inner_text()
    screenshot("risk-map-grid")
    # when they click the red grid (its centre, converted by ECharts to a pixel)
    grid = coloured_map
    x, y = page.evaluate(
        """([lng, lat]) => {
            const el = document.querySelector('[data-risk-map]');
            const chart = echarts.getInstanceByDom(el);
            const rect = el.getBoundingClientRect();
            const [px, py] = chart.convertToPixel({seriesIndex: 0}, [lng, lat]);
            return [rect.left + px, rect.top + py];
        }""",
        [grid.center_lng, grid.center_lat],
    )
    page.mouse.move(x, y)
    tooltip = page.locator("div").filter(has_text="平安指数 82.0").last
    tooltip.wait_for()
    assert "新增事项（按类别严重程度加权）" in tooltip.inner_text()
    page.mouse.click(x, y)
    # then the grid's page says why it is red and offers dispatch
    page.wait_for_url(f"**/risk/areas/{RED_GRID}/**")
    assert page.get_by_test_id("index-value").inner_text() == "82.0"
    assert "高风险" in page.get_by_test_id("risk-badge").first.inner_text()
    components = page.get_by_test_id("components").inner_text()
    assert "超期事项" in components and "85.7" in components
    assert page.get_by_test_id("dispatch").is_visible()
    screenshot("risk-grid-page")


def test_dispatcher_reads_a_surge_in_words_with_its_days(
    coloured_map, live_server, page, screenshot
):
    from pingan.risk.models import RiskWarning
    from pingan.risk.services import warning_measurement_store

    # given: a rising warning on the red grid (flagged at the last window's end) and the
    # early warning measured at the current settings
    end = IndexSnapshot.objects.latest("window_end").window_end
    RiskWarning.objects.create(
        grid=coloured_map,
        path=coloured_map.path,
        kind="rising",
        opened_at=end - timedelta(days=2),
        last_flagged_at=end,
        data={
            "p": 2.1e-6,
            "recent": 11,
            "usual_per_week": 2.2,
            "inverse_k": 0.46,
            "days": [0, 1, 0, 0, 1, 0, 0] * 3 + [1, 1, 2, 1, 2, 3, 1],
        },
    )
    measured = warning_measurement_store(at=end)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "street_dispatcher")
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    # when: they open the warnings
    page.goto(f"{live_server.url}/risk/warnings/")
    # then: the warning reads in words, with its four weeks as bars, the last 7 apart
    row = page.locator("tbody tr").first
    assert "近7天新增11件，约为该网格往常的5倍（往常每周约2件）" in row.inner_text()
    assert row.locator("svg rect").count() == 28
    assert row.locator("rect.pa-surge-recent").count() == 7
    # the statistics and the measured effect wait behind their toggles
    assert row.locator("details[open]").count() == 0
    row.get_by_text("统计依据").click()
    assert "负二项检验" in row.locator("details[open]").inner_text()
    page.get_by_text("判断方法与实测效果").click()
    share = round(100 * measured["detected_share"]["value"])
    assert f"{share}% 能预警" in page.locator("main").inner_text()
    screenshot("risk-warnings")
    page.set_viewport_size({"width": 375, "height": 800})
    screenshot("risk-warnings-375")
    page.set_viewport_size({"width": 1280, "height": 900})
    # and the grid's page shows the same bars under the warning
    page.goto(f"{live_server.url}/risk/areas/{RED_GRID}/")
    assert page.locator("figure.pa-surge rect").count() == 28
    screenshot("risk-grid-warning")
