"""The risk API: snapshots, warnings and dispatch with the same rules, scope and errors as
the pages; shapes, refusals, bad input in Chinese, pinned query counts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pingan.core.models import Notice
from pingan.core.testing import PermissionMatrix
from pingan.orgs.models import Division
from pingan.risk.models import Instruction, InstructionEvent, RiskWarning
from pingan.risk.services import instruction_issue

from .conftest import (
    GRID_CODE,
    OTHER_STREET_DISPATCHER,
    OTHER_STREET_GRID,
    UNIT_MEMBER,
    WINDOW_END,
)

pytestmark = pytest.mark.django_db

SNAPSHOTS = reverse("risk-snapshot-list")
WARNINGS = reverse("risk-warning-list")
INSTRUCTIONS = reverse("risk-instruction-list")


class TestSnapshotListApi(PermissionMatrix):
    url_name = "risk-snapshot-list"
    api = True
    in_scope = "street_dispatcher"  # scoped: the areas of the caller's street
    wrong_role = "grid_worker"


class TestSnapshotDetailApi(PermissionMatrix):
    url_name = "risk-snapshot-detail"
    api = True
    in_scope = "street_dispatcher"
    wrong_role = "grid_worker"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _snapshot(self, snapshots):
        self.url_args = (next(s.pk for s in snapshots if s.division.code == GRID_CODE),)


class TestWarningListApi(PermissionMatrix):
    url_name = "risk-warning-list"
    api = True
    in_scope = "street_dispatcher"  # scoped: warnings of grids in the caller's area
    wrong_role = "grid_worker"


class TestWarningDetailApi(PermissionMatrix):
    url_name = "risk-warning-detail"
    api = True
    in_scope = "street_dispatcher"
    wrong_role = "grid_worker"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _warning(self, warning):
        self.url_args = (warning.pk,)


class TestInstructionListApi(PermissionMatrix):
    """Scoped rather than refused: the caller's area and their unit's instructions."""

    url_name = "risk-instruction-list"
    api = True
    in_scope = UNIT_MEMBER


class TestInstructionIssueApi(PermissionMatrix):
    """Issuing (POST to the list): dispatchers only. Another street's dispatcher is told the
    grid is outside their area (a 400 on the field), tested in ``test_dispatch_refusals``."""

    url_name = "risk-instruction-list"
    api = True
    method = "post"
    in_scope = "street_dispatcher"
    wrong_role = "street_clerk"
    ok_status = 201

    @pytest.fixture(autouse=True)
    def _data(self, community_unit):
        self.data = _payload(community_unit)


class _InstructionApiMatrix(PermissionMatrix):
    api = True
    in_scope = "street_dispatcher"
    out_of_scope = OTHER_STREET_DISPATCHER

    @pytest.fixture(autouse=True)
    def _instruction(self, instruction):
        self.url_args = (instruction.number,)


class TestInstructionDetailApi(_InstructionApiMatrix):
    """Anyone whose area holds the grid, or whose unit it is addressed to, may read it."""

    url_name = "risk-instruction-detail"


class TestInstructionAcceptApi(_InstructionApiMatrix):
    url_name = "risk-instruction-accept"
    method = "post"
    data = {"version": 1}
    in_scope = UNIT_MEMBER
    wrong_role = "street_clerk"  # sees it in the street, but only the target unit signs for it


class TestInstructionCloseApi(_InstructionApiMatrix):
    url_name = "risk-instruction-close"
    method = "post"
    data = {"version": 1, "result": "已走访 6 户，纠纷已调解。"}
    in_scope = "street_dispatcher"  # the dispatcher who issued it (or the unit) closes it
    wrong_role = "street_clerk"


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_snapshots_are_scoped_filtered_and_explained(client_as, snapshots, grid):
    # a street dispatcher sees his street's areas only, highest index first
    street = client_as("street_dispatcher")
    assert _codes(street.get(SNAPSHOTS)) == [GRID_CODE, grid.parent.code, grid.parent.parent.code]
    assert _codes(street.get(SNAPSHOTS, {"level": "grid"})) == [GRID_CODE]
    assert _codes(street.get(SNAPSHOTS, {"colour": "yellow"})) == [
        grid.parent.code,
        grid.parent.parent.code,
    ]
    # the district sees both streets; ?area narrows to one
    district = client_as("district_dispatcher")
    assert set(_codes(district.get(SNAPSHOTS, {"level": "grid"}))) == {
        GRID_CODE,
        OTHER_STREET_GRID,
    }
    assert _codes(district.get(SNAPSHOTS, {"level": "grid", "area": grid.parent.parent.code})) == [
        GRID_CODE
    ]
    # the detail carries the components, largest share first, with their explanation
    row = street.get(SNAPSHOTS, {"level": "grid", "window": "2026-06-01"}).json()["results"][0]
    detail = street.get(reverse("risk-snapshot-detail", args=[row["id"]])).json()
    assert (detail["value"], detail["colour"], detail["name"]) == (71.0, "red", grid.name)
    first = detail["components"][0]
    assert first["code"] == "new_cases" and first["label"].startswith("新增事项")
    assert first["contribution"] == pytest.approx(round(3 * 72.7 / 5, 1))


def test_snapshot_scope_refusals(client_as, snapshots):
    street = client_as("street_dispatcher")
    other = next(s for s in snapshots if s.division.code == OTHER_STREET_GRID)
    assert street.get(reverse("risk-snapshot-detail", args=[other.pk])).status_code == 404
    response = street.get(SNAPSHOTS, {"area": Division.objects.get(code=OTHER_STREET_GRID).code})
    assert response.status_code == 404 and "工作范围" in response.json()["detail"]
    # a grid worker is not one of the roles that read the index
    refused = client_as("grid_worker").get(SNAPSHOTS)
    assert refused.status_code == 403 and "风险监测" in refused.json()["detail"]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"level": "province"}, "level", "不是合法选项"),
        ({"window": "2026-13-01"}, "window", "日期格式错误"),
        ({"window": "2026-05-01"}, "window", "没有窗口结束于 2026-05-01"),
    ],
)
def test_bad_snapshot_queries_are_400_in_chinese(client_as, snapshots, query, field, message):
    response = client_as("district_dispatcher").get(SNAPSHOTS, query)
    assert response.status_code == 400
    assert message in response.json()[field][0]


def test_warnings_are_scoped(client_as, snapshots, grid):
    for code, kind in ((GRID_CODE, "rising"), (OTHER_STREET_GRID, "hotspot")):
        division = Division.objects.get(code=code)
        RiskWarning.objects.create(
            grid=division,
            path=division.path,
            kind=kind,
            opened_at=WINDOW_END,
            last_flagged_at=WINDOW_END,
        )
    RiskWarning.objects.filter(grid__code=OTHER_STREET_GRID).update(closed_at=WINDOW_END)
    assert _codes(client_as("street_dispatcher").get(WARNINGS)) == [GRID_CODE]
    district = client_as("district_dispatcher")
    assert _codes(district.get(WARNINGS)) == [GRID_CODE]
    assert _codes(district.get(WARNINGS, {"status": "closed"})) == [OTHER_STREET_GRID]
    assert set(_codes(district.get(WARNINGS, {"status": "all"}))) == {GRID_CODE, OTHER_STREET_GRID}
    assert _codes(district.get(WARNINGS, {"status": "all", "kind": "hotspot"})) == [
        OTHER_STREET_GRID
    ]
    bad = district.get(WARNINGS, {"status": "maybe"})
    assert bad.status_code == 400 and "不是合法选项" in bad.json()["status"][0]
    hidden = RiskWarning.objects.get(grid__code=OTHER_STREET_GRID)
    detail = client_as("street_dispatcher").get(reverse("risk-warning-detail", args=[hidden.pk]))
    assert detail.status_code == 404


def _payload(community_unit, **overrides) -> dict:
    return {
        "grid": GRID_CODE,
        "unit": community_unit.pk,
        "title": "核查多福巷第1网格矛盾上升",
        "content": "三日内上门走访涉事住户，反馈处置情况。",
        "due_at": (timezone.now() + timedelta(days=3)).isoformat(),
        **overrides,
    }


def test_dispatch_through_the_api_from_issue_to_closed(client_as, community_unit):
    # the street dispatcher issues an instruction
    created = client_as("street_dispatcher").post(
        INSTRUCTIONS, _payload(community_unit), content_type="application/json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["state"], body["version"], body["grid"]) == ("issued", 1, GRID_CODE)
    assert [e["kind"] for e in body["events"]] == ["issue"]
    number = body["number"]
    # the unit signs for it; a stale version is a 409 with a Chinese message
    unit = client_as("u26-leader-1")
    stale = unit.post(
        reverse("risk-instruction-accept", args=[number]),
        {"version": 7},
        content_type="application/json",
    )
    assert stale.status_code == 409 and "刚被其他人更新" in stale.json()["detail"]
    accepted = unit.post(
        reverse("risk-instruction-accept", args=[number]),
        {"version": 1},
        content_type="application/json",
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"
    # closing needs a result
    empty = unit.post(
        reverse("risk-instruction-close", args=[number]),
        {"version": 2, "result": ""},
        content_type="application/json",
    )
    assert empty.status_code == 400 and "不能为空" in empty.json()["result"][0]
    closed = unit.post(
        reverse("risk-instruction-close", args=[number]),
        {"version": 2, "result": "已走访 6 户，纠纷已调解。"},
        content_type="application/json",
    )
    assert closed.status_code == 200
    assert [e["kind"] for e in closed.json()["events"]] == ["issue", "accept", "close"]
    instruction = Instruction.objects.get(number=number)
    assert (instruction.state, instruction.version) == ("closed", 3)
    # the result goes back to the dispatcher who issued it: closing the loop
    back = Notice.objects.get(recipient__username="street_dispatcher", kind="instruction")
    assert back.title.startswith(f"指令已办结：{number}") and "已走访 6 户" in back.body
    # and a closed instruction cannot be closed again
    again = unit.post(
        reverse("risk-instruction-close", args=[number]),
        {"version": 3, "result": "再次办结"},
        content_type="application/json",
    )
    assert again.status_code == 400 and "已办结" in again.json()["detail"]


def test_dispatch_refusals(client_as, community_unit):
    # a clerk may not issue; nothing is written
    clerk = client_as("street_clerk").post(
        INSTRUCTIONS, _payload(community_unit), content_type="application/json"
    )
    assert clerk.status_code == 403 and "指挥调度员" in clerk.json()["detail"]
    # another street's dispatcher cannot reach our grid
    other = client_as("dispatcher@110101002").post(
        INSTRUCTIONS, _payload(community_unit), content_type="application/json"
    )
    assert other.status_code == 400 and "工作范围" in other.json()["grid"][0]
    assert not Instruction.objects.exists() and not InstructionEvent.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": ""}, "title", "不能为空"),
        ({"due_at": "明天"}, "due_at", "日期时间格式错误"),
        ({"unit": 999999}, "unit", "找不到该承办单位"),
        ({"warning": 999999}, "warning", "找不到该预警"),
    ],
)
def test_bad_instructions_are_400_in_chinese(client_as, community_unit, overrides, field, message):
    response = client_as("street_dispatcher").post(
        INSTRUCTIONS, _payload(community_unit, **overrides), content_type="application/json"
    )
    assert response.status_code == 400
    assert message in response.json()[field][0]
    assert not Instruction.objects.exists()


def test_a_past_deadline_is_refused_by_the_service(client_as, community_unit):
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    response = client_as("street_dispatcher").post(
        INSTRUCTIONS, _payload(community_unit, due_at=past), content_type="application/json"
    )
    assert response.status_code == 400 and "完成期限必须晚于现在" in response.json()["detail"]
    assert not Instruction.objects.exists()


def test_instructions_are_scoped_and_queries_pinned(
    client_as, staff, grid, community_unit, django_assert_max_num_queries
):
    now = timezone.now()
    for i in range(3):
        instruction_issue(
            actor=staff("street_dispatcher"),
            grid=grid,
            unit=community_unit,
            title=f"指令{i}",
            content="走访",
            due_at=now + timedelta(days=1),
            now=now,
        )
    Instruction.objects.filter(title="指令0").update(due_at=now - timedelta(days=1))
    street = client_as("street_dispatcher")
    with django_assert_max_num_queries(11):
        listed = street.get(INSTRUCTIONS)
    assert len(listed.json()["results"]) == 3
    overdue = street.get(INSTRUCTIONS, {"state": "overdue"}).json()["results"]
    assert [r["title"] for r in overdue] == ["指令0"]
    number = listed.json()["results"][0]["number"]
    with django_assert_max_num_queries(11):
        assert street.get(reverse("risk-instruction-detail", args=[number])).status_code == 200
    # another street's dispatcher neither lists nor reads them
    other = client_as("dispatcher@110101002")
    assert other.get(INSTRUCTIONS).json()["results"] == []
    assert other.get(reverse("risk-instruction-detail", args=[number])).status_code == 404
    bad = street.get(INSTRUCTIONS, {"state": "lost"})
    assert bad.status_code == 400 and "不是合法选项" in bad.json()["state"][0]


def test_snapshot_and_warning_lists_pin_their_queries(
    client_as, snapshots, django_assert_max_num_queries
):
    client = client_as("district_dispatcher")
    for _ in range(2):  # the second run has the same count as the first (no per-row query)
        with django_assert_max_num_queries(11):
            assert client.get(SNAPSHOTS).status_code == 200
        with django_assert_max_num_queries(11):
            assert client.get(WARNINGS).status_code == 200


def test_anonymous_callers_get_401(client):
    assert client.get(SNAPSHOTS).status_code == 401
    assert client.post(INSTRUCTIONS, {}).status_code == 401
