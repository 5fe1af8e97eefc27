"""Exports write what people typed as text, never as a formula (X6)."""

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from pingan.core import excel

HOSTILE = ['=HYPERLINK("http://example.invalid","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


@pytest.mark.parametrize("write_only", [True, False])
def test_risky_text_is_kept_as_text_in_either_kind_of_workbook(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    sheet.append(excel.row(sheet, [*HOSTILE, "普通文字", 42, -7]))
    buffer = BytesIO()
    book.save(buffer)
    cells = next(load_workbook(BytesIO(buffer.getvalue())).worksheets[0].iter_rows())
    # (XML stores a carriage return as a line feed; the text is otherwise as written)
    written = [h.replace("\r", "\n") for h in HOSTILE]
    assert [cell.value for cell in cells] == [*written, "普通文字", 42, -7]
    assert all(cell.data_type == "s" for cell in cells[: len(HOSTILE)])
    assert cells[-1].data_type == "n"  # numbers stay numbers
