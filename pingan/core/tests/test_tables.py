"""Shared table columns."""

from datetime import UTC, date, datetime

import django_tables2 as tables

from pingan.core.tables import DateColumn, DateTimeColumn, TemplateColumn


class _Table(tables.Table):
    at = DateTimeColumn(default="未记录")
    on = DateColumn()
    link = TemplateColumn("<b>{{ record.on|date:'m-d' }}</b>", verbose_name="x")


def test_dates_render_in_local_time_and_the_default_when_empty():
    table = _Table(
        [
            {"at": datetime(2026, 12, 6, 16, 30, tzinfo=UTC), "on": date(2026, 12, 7)},
            {"at": None, "on": date(2026, 1, 2)},
        ]
    )
    first, second = (list(row) for row in table.rows)
    # 16:30 UTC is half past midnight the next day in Beijing
    assert first[:2] == ["2026-12-07 00:30", "2026-12-07"]
    assert first[2] == "<b>12-07</b>"
    assert second[:2] == ["未记录", "2026-01-02"]
