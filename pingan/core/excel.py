"""Excel files the site writes (X6): text is written as text, never as a formula.

openpyxl stores any string that starts with "=" as a formula, so a case titled
``=HYPERLINK("http://…","x")`` would become a live link in the exported queue; spreadsheet
programs also evaluate cells starting with "+", "-", "@", a tab or a carriage return (CSV/DDE
injection). Every exporter writes its rows through ``row()``: such strings keep their text
and are typed as plain strings. Nothing here changes what the cell shows.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def row(sheet, values: Iterable) -> list:
    """``values`` ready for ``sheet.append``: risky strings as plain-text cells."""
    return [_cell(sheet, value) for value in values]


def _cell(sheet, value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value


def too_many_rows(total: int, limit: int) -> str:
    """What an export over its row limit tells the clerk."""
    return _("筛选结果共 %(total)s 条，超过单次导出上限 %(limit)s 条，请缩小日期范围后再导出。") % {
        "total": f"{total:,}",
        "limit": f"{limit:,}",
    }
