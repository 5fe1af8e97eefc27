"""Fixtures for patrol tests: the demo grid worker's grids, other grids, photos, a clock."""

from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from shapely.geometry import shape

from pingan.orgs.models import Division
from pingan.patrol import services

SHANGHAI = ZoneInfo("Asia/Shanghai")
MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=SHANGHAI)  # a Monday


def _image(fmt: str) -> bytes:
    """A real (tiny) image: uploads are decoded before they are kept."""
    buffer = BytesIO()
    Image.new("RGB", (8, 6), "#1f4e8c").save(buffer, fmt)
    return buffer.getvalue()


JPEG = _image("JPEG")
PNG = _image("PNG")
OTHER_STREET_DISPATCHER = "dispatcher@110101002"  # 景山街道
NEIGHBOUR_WORKER = "gw110101001001003"  # a grid worker of the same community, not of our grid


@pytest.fixture
def grid(db):
    """多福巷社区第1网格: one of the demo grid worker's two grids."""
    return Division.objects.get(code="110101001001001")


@pytest.fixture
def second_grid(db):
    return Division.objects.get(code="110101001001002")


@pytest.fixture
def far_grid(db):
    """A grid in another street (景山), outside the demo grid worker's and street's scope."""
    return Division.objects.filter(code__startswith="110101002", level="grid").order_by("code")[0]


def inside(grid: Division) -> tuple[float, float]:
    point = shape(grid.geometry).representative_point()
    return point.x, point.y


@pytest.fixture
def jpeg():
    return lambda name="photo.jpg", content=JPEG: SimpleUploadedFile(
        name, content, content_type="image/jpeg"
    )


@pytest.fixture
def report(staff, grid):
    return services.report_create(
        actor=staff("grid_worker"), grid=grid, kind="event", text="楼道堆放杂物，堵塞消防通道。"
    )


@pytest.fixture
def photo_report(staff, grid, jpeg):
    return services.report_create(
        actor=staff("grid_worker"),
        grid=grid,
        kind="object",
        text="路灯损坏，夜间无照明。",
        photo=jpeg(),
    )


@pytest.fixture
def open_patrol(staff, grid):
    """The demo grid worker's patrol of our grid, not yet ended."""
    return services.patrol_start(actor=staff("grid_worker"), grid=grid)


# A valid report-to-case intake (page form and API alike).
TO_CASE = {
    "category": "neighbourhood",
    "complexity": "general",
    "urgency": "normal",
    "title": "楼道堆物",
    "narrative": "楼道堆物堵塞消防通道，需协调清理。",
    "applicant_name": "陈晨",
}
