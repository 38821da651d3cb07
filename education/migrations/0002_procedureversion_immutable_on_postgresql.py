"""On PostgreSQL the database itself refuses to change or delete a published version."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION education_refuse_version_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published procedure versions are immutable (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER education_procedureversion_immutable
    BEFORE UPDATE OR DELETE ON education_procedureversion
    FOR EACH ROW EXECUTE FUNCTION education_refuse_version_change();
"""

DROP = """
DROP TRIGGER IF EXISTS education_procedureversion_immutable ON education_procedureversion;
DROP FUNCTION IF EXISTS education_refuse_version_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("education", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
