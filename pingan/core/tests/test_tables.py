"""Shared table columns."""

from datetime import UTC, date, datetime

import django_tables2 as tables

from pingan.core import tables as core_tables
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


class _Rendered(tables.Table):
    name = tables.Column()
    size = tables.Column()

    def render_name(self, value):
        return f"<{value}>"

    def render_size(self, value, record, **kwargs):
        return f"{value} of {record['name']}"


def test_cell_methods_get_their_arguments_while_their_signature_is_read_once(monkeypatch):
    # given the library's signature reader, counted
    calls, library = [], core_tables._library_signature
    monkeypatch.setattr(
        core_tables, "_library_signature", lambda fn: calls.append(fn) or library(fn)
    )
    monkeypatch.setattr(core_tables, "_method_signatures", {})
    # when a table's cells are drawn by methods taking different arguments, over many rows
    rows = [{"name": f"n{i}", "size": i} for i in range(20)]
    drawn = [list(row) for row in _Rendered(rows).rows]
    # then each cell got what its method asks for, and each method was inspected once
    assert drawn[3] == ["<n3>", "3 of n3"]
    assert len(calls) == 2


class _Attributed(tables.Table):
    name = tables.Column(attrs={"td": {"class": "num"}})
    size = tables.Column(attrs={"td": {"data-size": lambda value: f"s{value}"}})


def test_cell_attributes_are_built_once_per_column_unless_computed_per_cell(monkeypatch):
    # given the library's attrs builder, counted per column
    built, library = [], core_tables._library_attrs
    monkeypatch.setattr(
        core_tables, "_library_attrs", lambda column: built.append(column.name) or library(column)
    )
    table = _Attributed([{"name": f"n{i}", "size": i} for i in range(5)])
    # when every row's cells are drawn with their attributes
    cells = [
        (column.attrs["td"].as_html(), column.attrs["td"].as_html())
        for row in table.rows
        for column, _cell in row.items()
    ]
    # then fixed attributes were built once for the whole table, and attributes computed
    # from the cell's value once per read, right for each row
    assert cells[0::2] == [('class="num"', 'class="num"')] * 5
    assert [c[0] for c in cells[1::2]] == [f'data-size="s{i}"' for i in range(5)]
    assert built.count("name") == 1
    assert built.count("size") == 10
