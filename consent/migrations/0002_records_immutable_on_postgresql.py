"""On PostgreSQL the database itself refuses UPDATE and DELETE of signed records and events."""

from django.db import migrations

TABLES = ("consent_consentrecord", "consent_consentevent")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION consent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'signed consent records and events are immutable (% on % refused)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immutable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION consent_refuse_change();",
            params=None,
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immutable ON {table};", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS consent_refuse_change();", params=None)


class Migration(migrations.Migration):
    dependencies = [("consent", "0001_initial")]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
