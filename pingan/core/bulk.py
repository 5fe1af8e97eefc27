"""Plain multi-row inserts for jobs that write thousands of rows in one go.

``QuerySet.bulk_create`` builds a model instance per row and runs every value through its
field's conversions, about 50 µs a row in Python: for the deadline sweep's supervisions,
timeline events and notices that was most of its time, five times the inserts themselves.
``insert_rows`` sends rows of plain values instead, in one statement: ``executemany`` on
SQLite, an ``INSERT … SELECT * FROM UNNEST`` of one array per column on PostgreSQL. As with
``bulk_create``, no signal is sent and ``save()`` is not called; unlike it, no primary keys come
back, so use it only where nobody needs the new rows' ids.
"""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model
from django.db.models.constants import OnConflict


def db_value(model: type[Model], name: str, value: Any) -> Any:
    """``value`` as the database takes it for the field ``name``: what ``insert_rows`` needs
    for datetimes and JSON. Convert each distinct value once, not once per row."""
    connection = connections[router.db_for_write(model)]
    return model._meta.get_field(name).get_db_prep_save(value, connection)


def insert_rows(
    model: type[Model],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert ``rows`` of values for the fields ``names`` (a foreign key takes the id).

    Values go to the database as they are: ints, strings and None do; datetimes and JSON must
    come through ``db_value``. The model's other fields get their defaults, as with
    ``bulk_create``. ``ignore_conflicts`` skips rows that break a unique constraint.
    """
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    given = [meta.get_field(name) for name in names]
    rest = [
        field
        for field in meta.concrete_fields
        if field not in given
        and field is not meta.auto_field
        and not field.generated
        and not field.has_db_default()
    ]
    for field in rest:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            raise ValueError(f"insert_rows: give {model.__name__}.{field.name} a value.")
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in rest)
    fields = given + rest
    params = [(*row, *defaults) for row in rows] if defaults else list(rows)
    if not params:
        return
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    ops = connection.ops
    head = "{} {} ({})".format(
        ops.insert_statement(on_conflict=on_conflict),
        ops.quote_name(meta.db_table),
        ", ".join(ops.quote_name(field.column) for field in fields),
    )
    tail = ops.on_conflict_suffix_sql(fields, on_conflict, None, None)
    if connection.vendor == "postgresql":
        # One statement, a column an array: planned once, the values bound on the server.
        arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
        with _server_binding_cursor(connection) as cursor:
            cursor.execute(
                f"{head} SELECT * FROM UNNEST({arrays}) {tail}",
                [list(column) for column in zip(*params, strict=True)],
            )
    else:
        # SQLite prepares the statement once and binds each row on its side.
        with connection.cursor() as cursor:
            cursor.executemany(f"{head} VALUES ({', '.join(['%s'] * len(fields))}) {tail}", params)


def _server_binding_cursor(connection):
    """A cursor on Django's PostgreSQL connection that binds values on the server.

    Django's backend binds them into the SQL text on the client by default (psycopg's
    ``ClientCursor``): for thousands of rows that quotes every value in Python, three times
    the cost of the insert. The cursor is wrapped as Django wraps its own, so queries are
    logged and counted, execute wrappers run and errors become Django's.
    """
    import psycopg

    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)
    return connection.make_cursor(cursor)
