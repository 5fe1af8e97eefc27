"""Patrol and report services: the rules a grid worker meets, and a report becoming a case."""

from datetime import timedelta

import pytest

from pingan.cases.models import Attachment, Category
from pingan.core import uploads
from pingan.core.errors import ApplicationError, ConflictError, ForbiddenError
from pingan.core.models import AuditEvent
from pingan.patrol import services
from pingan.patrol.models import Patrol, Report

from .conftest import JPEG, MORNING, PNG, inside

pytestmark = pytest.mark.django_db


# --- patrols ---------------------------------------------------------------------------------


def test_a_patrol_is_started_and_ended_with_what_was_checked(staff, grid):
    worker = staff("grid_worker")
    patrol = services.patrol_start(actor=worker, grid=grid, now=MORNING)
    assert patrol.is_open and patrol.day == MORNING.date()
    ended = services.patrol_end(
        patrol=patrol,
        actor=worker,
        checked=["fire", "rentals", "fire"],
        note="一切正常",
        now=MORNING + timedelta(hours=1),
    )
    stored = Patrol.objects.get(pk=ended.pk)
    assert stored.checked == ["fire", "rentals"]
    assert stored.ended_at == MORNING + timedelta(hours=1)


def test_a_worker_has_one_open_patrol_at_a_time(staff, grid, second_grid):
    worker = staff("grid_worker")
    services.patrol_start(actor=worker, grid=grid, now=MORNING)
    with pytest.raises(ConflictError, match="尚未结束"):
        services.patrol_start(actor=worker, grid=second_grid, now=MORNING)
    assert Patrol.objects.filter(staff=worker).count() == 1


def test_ending_needs_a_checked_item_and_happens_once(staff, grid):
    worker = staff("grid_worker")
    patrol = services.patrol_start(actor=worker, grid=grid, now=MORNING)
    with pytest.raises(ApplicationError, match="至少勾选"):
        services.patrol_end(patrol=patrol, actor=worker, checked=[], now=MORNING)
    with pytest.raises(ApplicationError, match="无法识别"):
        services.patrol_end(patrol=patrol, actor=worker, checked=["nonsense"], now=MORNING)
    services.patrol_end(patrol=patrol, actor=worker, checked=["fire"], now=MORNING)
    stale = Patrol.objects.get(pk=patrol.pk)
    stale.ended_at = None  # a second tab that still shows it open
    with pytest.raises(ConflictError):
        services.patrol_end(patrol=stale, actor=worker, checked=["fire"], now=MORNING)


def test_only_the_worker_who_started_a_patrol_ends_it(staff, grid):
    patrol = services.patrol_start(actor=staff("grid_worker"), grid=grid, now=MORNING)
    other = staff(f"gw{grid.code}")
    with pytest.raises(ForbiddenError):
        services.patrol_end(patrol=patrol, actor=other, checked=["fire"], now=MORNING)


def test_patrols_are_refused_outside_the_workers_grids_and_to_other_roles(staff, grid, far_grid):
    with pytest.raises(ForbiddenError, match="不是您负责的网格"):
        services.patrol_start(actor=staff("grid_worker"), grid=far_grid, now=MORNING)
    with pytest.raises(ForbiddenError, match="只有网格员"):
        services.patrol_start(actor=staff("street_dispatcher"), grid=grid, now=MORNING)


# --- reports ---------------------------------------------------------------------------------


def _report(staff, grid, **overrides):
    fields = {
        "actor": staff("grid_worker"),
        "grid": grid,
        "kind": "event",
        "text": "两户邻居因噪音发生争吵，情绪激动。",
        "now": MORNING,
    }
    fields.update(overrides)
    return services.report_create(**fields)


def test_a_report_with_gps_inside_its_grid_keeps_the_position(staff, grid):
    lon, lat = inside(grid)
    report = _report(staff, grid, lon=lon, lat=lat, is_early_sign=True)
    assert (report.lon, report.lat, report.position_source) == (lon, lat, "gps")
    assert report.area_path == grid.path and report.is_early_sign


def test_a_report_without_gps_is_placed_at_the_grids_centre(staff, grid):
    report = _report(staff, grid)
    assert (report.lon, report.lat) == (grid.center_lng, grid.center_lat)
    assert report.position_source == "grid"


def test_a_report_whose_gps_is_in_another_grid_is_refused_naming_that_grid(
    staff, grid, second_grid
):
    lon, lat = inside(second_grid)
    with pytest.raises(ApplicationError, match=second_grid.name):
        _report(staff, grid, lon=lon, lat=lat)
    assert not Report.objects.exists()


def test_a_report_outside_every_grid_is_refused(staff, grid):
    with pytest.raises(ApplicationError, match="不在任何网格内"):
        _report(staff, grid, lon=116.2, lat=39.9)
    with pytest.raises(ApplicationError, match="同时提供"):
        _report(staff, grid, lon=116.4, lat=None)
    with pytest.raises(ApplicationError, match="范围"):
        _report(staff, grid, lon=200.0, lat=39.9)
    assert not Report.objects.exists()


def test_a_report_is_refused_for_another_grid_and_for_other_roles(staff, grid, far_grid):
    with pytest.raises(ForbiddenError):
        _report(staff, far_grid)
    with pytest.raises(ForbiddenError):
        _report(staff, grid, actor=staff("street_dispatcher"))


def test_a_report_needs_a_kind_and_some_text(staff, grid):
    with pytest.raises(ApplicationError, match="上报类型"):
        _report(staff, grid, kind="rumour")
    with pytest.raises(ApplicationError, match="过短"):
        _report(staff, grid, text="有事")


def test_a_report_filed_during_a_patrol_belongs_to_it(staff, grid):
    patrol = services.patrol_start(actor=staff("grid_worker"), grid=grid, now=MORNING)
    assert _report(staff, grid).patrol == patrol


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", b"%PDF-1.7", "类型不支持"),
        ("photo.jpg", b"%PDF-1.7 renamed", "内容与文件类型不符"),
        ("photo.png", b"\xff\xd8\xff" + b"0" * 10, "内容与文件类型不符"),
        # a JPEG's first bytes and nothing of a picture after them
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "不是完整的图片"),
        ("photo.png", PNG[:40], "不是完整的图片"),  # cut short
    ],
)
def test_a_photo_of_the_wrong_type_is_refused(staff, grid, jpeg, name, content, message):
    with pytest.raises(ApplicationError, match=message):
        _report(staff, grid, photo=jpeg(name, content))
    assert not Report.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(staff, grid, jpeg):
    with pytest.raises(ApplicationError, match="超过 10 MB"):
        _report(staff, grid, photo=jpeg("big.jpg", JPEG + b"0" * uploads.MAX_UPLOAD_BYTES))


def test_a_png_photo_is_kept(staff, grid, jpeg):
    report = _report(staff, grid, photo=jpeg("site.png", PNG))
    assert report.photo.name.endswith(".png")
    assert report.photo.read() == PNG


# --- a report becomes a case -----------------------------------------------------------------


def _convert(report, actor, **overrides):
    fields = {
        "report": report,
        "actor": actor,
        "category": Category.objects.get(code="neighbourhood"),
        "complexity": "general",
        "urgency": "normal",
        "title": "邻里噪音纠纷",
        "narrative": "两户邻居因噪音发生争吵，情绪激动，需调解。",
        "applicant_name": "王某",
        "now": MORNING + timedelta(minutes=10),
    }
    fields.update(overrides)
    return services.report_to_case(**fields)


def test_a_report_becomes_a_case_linked_both_ways_with_its_photo(staff, grid, jpeg):
    worker = staff("grid_worker")
    report = _report(staff, grid, photo=jpeg(), address="多福巷3号院")
    case = _convert(report, worker)
    report.refresh_from_db()
    assert report.case == case
    assert list(case.patrol_reports.all()) == [report]
    assert case.channel == "grid_report" and case.grid == grid and case.address == "多福巷3号院"
    attachment = Attachment.objects.get(case=case)
    assert attachment.file.read() == report.photo.open("rb").read()
    assert AuditEvent.objects.filter(action="patrol.report_to_case", target_id=str(report.pk))


def test_a_report_becomes_at_most_one_case(staff, grid):
    worker = staff("grid_worker")
    report = _report(staff, grid)
    first = _convert(report, worker)
    report.case = None  # a stale copy, as a second tab would hold
    with pytest.raises(ConflictError, match=first.number):
        _convert(report, worker)
    assert Report.objects.get(pk=report.pk).case == first


def test_the_intake_is_prefilled_from_the_report(staff, grid):
    report = _report(staff, grid, is_early_sign=True, kind="person")
    initial = services.report_case_initial(report)
    assert initial["title"].startswith("【苗头隐患】人：")
    assert initial["narrative"] == report.text
    assert initial["urgency"] == "urgent"
    assert initial["applicant_name"] == staff("grid_worker").name


def test_a_bad_case_input_leaves_the_report_unconverted(staff, grid):
    report = _report(staff, grid)
    with pytest.raises(ApplicationError):
        _convert(report, staff("grid_worker"), narrative="太短")
    assert Report.objects.get(pk=report.pk).case is None
