"""On PostgreSQL: the one UPDATE of a signed record the database lets through is the retention
purge, and an invitation's identity cannot change once a record exists for it.

The purge service (consent.services.retention) names the record and invitation it purges in
transaction-local settings (`set_config(..., true)`, i.e. SET LOCAL) after appending the
record's chained "purged" event. The record trigger lets an UPDATE through only for that record,
only when it has that event, only when every hash, the code, the invitation, the version, the
signing time and the PDF's name and digest stay as they were, and only when the new payload is a
purged one. Events stay refused, and DELETE stays refused for both tables.
"""

from django.db import migrations

RECORD_FUNCTION = """
CREATE OR REPLACE FUNCTION consent_record_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND current_setting('consent.purging_record', true) = OLD.id::text
        AND EXISTS (
            SELECT 1 FROM consent_consentevent
            WHERE record_id = OLD.id AND kind = 'purged'
        )
        AND NEW.id = OLD.id
        AND NEW.code = OLD.code
        AND NEW.invitation_id = OLD.invitation_id
        AND NEW.version_id = OLD.version_id
        AND NEW.version_hash = OLD.version_hash
        AND NEW.content_sha256 = OLD.content_sha256
        AND NEW.signed_at = OLD.signed_at
        AND NEW.pdf = OLD.pdf
        AND NEW.pdf_sha256 = OLD.pdf_sha256
        AND NEW.previous_hash = OLD.previous_hash
        AND NEW.record_hash = OLD.record_hash
        AND (NEW.payload ->> 'purged') = 'true'
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'signed consent records and events are immutable (% on % refused)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

INVITATION_FUNCTION = """
CREATE OR REPLACE FUNCTION consent_invitation_identity_fixed() RETURNS trigger AS $$
BEGIN
    IF (NEW.patient_name, NEW.patient_email, NEW.patient_date_of_birth, NEW.practitioner_id)
            IS DISTINCT FROM
        (OLD.patient_name, OLD.patient_email, OLD.patient_date_of_birth, OLD.practitioner_id)
        AND EXISTS (SELECT 1 FROM consent_consentrecord WHERE invitation_id = OLD.id)
        AND NOT (
            current_setting('consent.purging_invitation', true) = OLD.id::text
            AND NEW.practitioner_id = OLD.practitioner_id
        )
    THEN
        RAISE EXCEPTION 'a signed invitation''s patient and practitioner are immutable '
            '(UPDATE of invitation % refused)', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""

RECORD_TRIGGER = "consent_consentrecord_immutable"
INVITATION_TRIGGER = "consent_consentinvitation_identity_fixed"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(RECORD_FUNCTION, params=None)
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS {RECORD_TRIGGER} ON consent_consentrecord;", params=None
    )
    schema_editor.execute(
        f"CREATE TRIGGER {RECORD_TRIGGER} BEFORE UPDATE OR DELETE ON consent_consentrecord "
        "FOR EACH ROW EXECUTE FUNCTION consent_record_refuse_change();",
        params=None,
    )
    schema_editor.execute(INVITATION_FUNCTION, params=None)
    schema_editor.execute(
        f"CREATE TRIGGER {INVITATION_TRIGGER} BEFORE UPDATE ON consent_consentinvitation "
        "FOR EACH ROW EXECUTE FUNCTION consent_invitation_identity_fixed();",
        params=None,
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS {INVITATION_TRIGGER} ON consent_consentinvitation;", params=None
    )
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS consent_invitation_identity_fixed();", params=None
    )
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS {RECORD_TRIGGER} ON consent_consentrecord;", params=None
    )
    schema_editor.execute(
        f"CREATE TRIGGER {RECORD_TRIGGER} BEFORE UPDATE OR DELETE ON consent_consentrecord "
        "FOR EACH ROW EXECUTE FUNCTION consent_refuse_change();",
        params=None,
    )
    schema_editor.execute("DROP FUNCTION IF EXISTS consent_record_refuse_change();", params=None)


class Migration(migrations.Migration):
    dependencies = [("consent", "0009_retention_hold_purge")]

    operations = [migrations.RunPython(create, drop)]
