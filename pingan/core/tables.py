"""Table pieces shared by every app's django-tables2 tables."""

from datetime import datetime
from functools import cached_property

import django_tables2 as tables
import django_tables2.utils
from django.template import engines
from django.template.loader import get_template
from django.utils import dateformat, timezone
from django_tables2.columns.base import BoundColumn

_library_signature = django_tables2.utils.signature
_method_signatures: dict = {}


def _signature(fn):
    """django-tables2 inspects the signature of a cell's ``render`` method again for every cell
    (``inspect.signature``: 40 ms of the talent overview's 50 rows × 11 columns, issue 27). A
    method's signature is its function's: read it once per function. Other callables (a
    column's ``linkify`` lambda …) are inspected as before."""
    function = getattr(fn, "__func__", None)
    if function is None:
        return _library_signature(fn)
    found = _method_signatures.get(function)
    if found is None:
        found = _method_signatures[function] = _library_signature(fn)
    return found


# call_with_appropriate() looks ``signature`` up in its module on every call
django_tables2.utils.signature = _signature

_library_attrs = BoundColumn.attrs.fget


def _computed(attrs) -> bool:
    """Whether an attrs dict holds a value computed per cell (a callable, at any depth)."""
    return any(callable(v) or (isinstance(v, dict) and _computed(v)) for v in attrs.values())


def _bound_column_attrs(self):
    """django-tables2 builds a column's ``attrs`` again for every cell (``<td {{ column.attrs.
    td.as_html }}>``: ten dicts and a sort of the class names, 17 ms of the talent overview's
    550 cells, issue 27). Unless the table's or the column's attrs compute a value from the
    cell's record, they are the same for every row: while rows are drawn (the ordering is
    settled by then), build them once per column."""
    if getattr(self, "current_record", None) is None:
        return _library_attrs(self)
    cached = self.__dict__.get("_pingan_row_attrs")
    if cached is None:
        cached = _library_attrs(self)
        if _computed(self._table.attrs) or _computed(self.column.attrs):
            return cached
        self.__dict__["_pingan_row_attrs"] = cached
    return cached


BoundColumn.attrs = property(_bound_column_attrs, doc=BoundColumn.attrs.__doc__)


class TemplateColumn(tables.TemplateColumn):
    """A cell drawn from a template with its record and value only.

    django-tables2's own column renders a template file with the request, so every context
    processor (the menu's ~40 ``reverse()`` calls, the unread count …) runs again for every
    cell: 227 ms for the staff list's 50 rows (issue 27). And it compiles inline template code
    again for every cell. Cell templates here use nothing of the request (htmx sends the CSRF
    token from the page's ``hx-headers``)."""

    @cached_property
    def _compiled_code(self):
        return engines["django"].from_string(self.template_code)

    def render(self, record, table, value, bound_column, **kwargs):
        context = self.get_context_data(
            record=record, table=table, value=value, bound_column=bound_column, **kwargs
        )
        # a template file comes from the loaders' own cache (and is reloaded in development)
        template = self._compiled_code if self.template_code else get_template(self.template_name)
        return template.render(context)


class DateTimeColumn(tables.Column):
    """A date or time in a ``date``-filter format, in local time; the column's default when
    empty. django-tables2's DateColumn and DateTimeColumn compile a template for every cell
    (56 ms of the key-person list's 150, issue 27)."""

    def __init__(self, *args, format: str = "Y-m-d H:i", **kwargs):
        super().__init__(*args, **kwargs)
        self.format = format

    def render(self, value) -> str:
        if isinstance(value, datetime):
            value = timezone.localtime(value)
        return dateformat.format(value, self.format)


class DateColumn(DateTimeColumn):
    def __init__(self, *args, format: str = "Y-m-d", **kwargs):
        super().__init__(*args, format=format, **kwargs)
