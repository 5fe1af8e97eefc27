"""The audit trail cannot be changed, nor a row younger than 180 days removed, by anyone who
can reach the database through the application's account (等保 2.0 level 3: audit records
protected and kept at least six months; issue 20).

PostgreSQL: triggers refuse every UPDATE, and a DELETE of a row younger than 180 days
(TRUNCATE, which only a table owner's maintenance issues, is not a row operation). SQLite, the
demo's embedded database: UPDATE is refused; a DELETE is left to the application, which never
issues one (the test suite empties tables between browser tests with DELETE)."""

from django.db import migrations

POSTGRESQL = [
    """
    CREATE FUNCTION core_auditevent_protect() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            RAISE EXCEPTION 'audit events cannot be changed';
        END IF;
        IF OLD.created_at > now() - interval '180 days' THEN
            RAISE EXCEPTION 'audit events are kept at least 180 days';
        END IF;
        RETURN OLD;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER core_auditevent_protect BEFORE UPDATE OR DELETE ON core_auditevent
    FOR EACH ROW EXECUTE FUNCTION core_auditevent_protect();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS core_auditevent_protect ON core_auditevent;",
    "DROP FUNCTION IF EXISTS core_auditevent_protect();",
]
SQLITE = [
    """
    CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END;
    """
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_auditevent_no_update;"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0005_add_job")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
