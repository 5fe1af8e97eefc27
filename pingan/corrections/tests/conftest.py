from datetime import date, datetime

import pytest

from pingan.core.calendar import LOCAL_TZ
from pingan.core.validators import id_number_check_digit
from pingan.corrections import services
from pingan.corrections.demo_data import ensure_prisons
from pingan.corrections.models import Prison

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=LOCAL_TZ)  # a Monday
GRID = "110101001001001"  # 多福巷社区第1网格, 东华门街道
OTHER_STREET_GRID = "110101002001001"  # 景山街道


def id_number(serial: int) -> str:
    first17 = f"110101198001{serial:05d}"[:17]
    return first17 + id_number_check_digit(first17)


@pytest.fixture
def prison(db) -> Prison:
    ensure_prisons()
    return Prison.objects.get(code="P01")


@pytest.fixture
def register(prison, staff):
    """Register a release from the first prison; keywords override the defaults."""
    serial = iter(range(1, 10000))

    def make(*, now=NOW, **fields):
        values = dict(
            name="赵某某",
            id_number=id_number(next(serial)),
            offence="property",
            sentence_months=24,
            release_date=date(2026, 11, 20),
            address="多福巷 12 号院",
            grid_code=GRID,
            skills="电工、焊工",
        )
        values.update(fields)
        return services.release_register(
            prison=prison,
            actor=staff("prison_officer"),
            data=services.ReleaseInput(**values),
            now=now,
        )

    return make


@pytest.fixture
def arrived(register, staff):
    """A release that has reported to 东华门街道, its helper the grid worker."""
    release = register(release_date=date(2026, 10, 30))
    services.release_confirm_arrival(
        release=release,
        actor=staff("street_dispatcher"),
        responsible=staff("grid_worker"),
        now=NOW,
    )
    return release


@pytest.fixture(autouse=True)
def _prisons(db):
    """The demo prisons and their officers (and the auditor) exist in every test here."""
    ensure_prisons()
