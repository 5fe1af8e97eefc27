"""Excel files the site writes (X6): text is written as text, never as a formula.

openpyxl stores any string that starts with "=" as a formula, so a case titled
``=HYPERLINK("http://…","x")`` would become a live link in the exported queue; spreadsheet
programs also evaluate cells starting with "+", "-", "@", a tab or a carriage return (CSV/DDE
injection). Every exporter writes its rows through ``row()``: such strings keep their text
and are typed as plain strings. Nothing here changes what the cell shows.
"""

from collections.abc import Iterable

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
