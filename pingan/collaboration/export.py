"""Excel export of the four-lists board: one sheet per list, overdue tasks in red."""

from datetime import date
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from pingan.core import excel

RED = PatternFill("solid", fgColor="F8D7DA")
BOLD = Font(bold=True)


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def board_workbook(data: dict, *, today: date) -> bytes:
    """The board's problems, tasks, implementation entries and results, and the completion
    per street, as an .xlsx file."""
    lists = data["lists"]
    book = Workbook()
    task_sheet, overdue = _("任务清单"), _("已超期")
    sheets = {
        _("问题清单"): (
            [
                _("编号"),
                _("恳谈日期"),
                _("恳谈主题"),
                _("街道"),
                _("问题"),
                _("提出人"),
                _("任务数"),
                _("转立事项"),
            ],
            [
                [
                    f"P{p.pk}",
                    f"{p.talk.held_on:%Y-%m-%d}",
                    p.talk.topic,
                    data["street"].name if data["street"] else "",
                    p.description,
                    p.raised_by,
                    p.task_count,
                    p.case.number if p.case_id else "",
                ]
                for p in lists.problems
            ],
        ),
        task_sheet: (
            [
                _("编号"),
                _("问题编号"),
                _("任务"),
                _("责任单位"),
                _("完成时限"),
                _("状态"),
                _("完成时间"),
            ],
            [
                [
                    f"T{t.pk}",
                    f"P{t.problem_id}",
                    t.description,
                    t.owner.name,
                    f"{t.deadline:%Y-%m-%d}",
                    overdue if t.is_overdue else (_("已办结") if t.done_at else _("落实中")),
                    _when(t.done_at),
                ]
                for t in lists.tasks
            ],
        ),
        _("落实清单"): (
            [_("任务编号"), _("类型"), _("落实情况"), _("记录人"), _("时间")],
            [
                [
                    f"T{e.task_id}",
                    e.get_kind_display(),
                    e.note,
                    str(e.recorded_by or _("系统")),
                    _when(e.recorded_at),
                ]
                for e in lists.progress
            ],
        ),
        _("成效清单"): (
            [
                _("任务编号"),
                _("问题编号"),
                _("成效"),
                _("说明"),
                _("佐证材料"),
                _("复盘人"),
                _("时间"),
            ],
            [
                [
                    f"T{r.task_id}",
                    f"P{r.task.problem_id}",
                    r.get_rating_display(),
                    r.summary,
                    r.evidence,
                    str(r.reviewed_by),
                    _when(r.reviewed_at),
                ]
                for r in lists.results
            ],
        ),
        _("完成情况"): (
            [
                _("街道"),
                _("恳谈"),
                _("问题"),
                _("转立事项"),
                _("任务"),
                _("已办结"),
                _("按时办结"),
                _("超期未结"),
            ],
            [
                [
                    s.street_name,
                    s.talks,
                    s.problems,
                    s.problems_to_cases,
                    s.tasks,
                    s.done,
                    s.done_on_time,
                    s.overdue,
                ]
                for s in data["completion"]
            ],
        ),
    }
    book.remove(book.active)
    for title, (headers, rows) in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(excel.row(sheet, headers))
        for cell in sheet[1]:
            cell.font = BOLD
        for row in rows:
            sheet.append(excel.row(sheet, row))
            if title == task_sheet and row[5] == overdue:
                for cell in sheet[sheet.max_row]:
                    cell.fill = RED
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
