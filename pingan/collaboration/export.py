"""Excel export of the four-lists board: one sheet per list, overdue tasks in red."""

from datetime import date
from io import BytesIO

from django.utils import timezone
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
    sheets = {
        "问题清单": (
            ["编号", "恳谈日期", "恳谈主题", "街道", "问题", "提出人", "任务数", "转立事项"],
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
        "任务清单": (
            ["编号", "问题编号", "任务", "责任单位", "完成时限", "状态", "完成时间"],
            [
                [
                    f"T{t.pk}",
                    f"P{t.problem_id}",
                    t.description,
                    t.owner.name,
                    f"{t.deadline:%Y-%m-%d}",
                    "已超期" if t.is_overdue else ("已办结" if t.done_at else "落实中"),
                    _when(t.done_at),
                ]
                for t in lists.tasks
            ],
        ),
        "落实清单": (
            ["任务编号", "类型", "落实情况", "记录人", "时间"],
            [
                [
                    f"T{e.task_id}",
                    e.get_kind_display(),
                    e.note,
                    str(e.recorded_by or "系统"),
                    _when(e.recorded_at),
                ]
                for e in lists.progress
            ],
        ),
        "成效清单": (
            ["任务编号", "问题编号", "成效", "说明", "佐证材料", "复盘人", "时间"],
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
        "完成情况": (
            ["街道", "恳谈", "问题", "转立事项", "任务", "已办结", "按时办结", "超期未结"],
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
            if title == "任务清单" and row[5] == "已超期":
                for cell in sheet[sheet.max_row]:
                    cell.fill = RED
        sheet.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
