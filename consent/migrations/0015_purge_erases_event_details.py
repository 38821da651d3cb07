"""On PostgreSQL: the one UPDATE of an event the database lets through is the retention purge
erasing the details of an event before the record's "purged" event.

The purge service (consent.services.retention) names the record it purges in the
transaction-local setting `consent.purging_record` after appending the record's chained "purged"
event. The event trigger lets an UPDATE through only for that record's events older than that
purge event (never the purge event itself), only when the id, record, kind, time, actor, previous
hash and event hash stay as they were, and only when the details become exactly the purged
marker, with no IP address and no browser. DELETE stays refused.
"""

from django.db import migrations

EVENT_FUNCTION = """
CREATE OR REPLACE FUNCTION consent_event_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND current_setting('consent.purging_record', true) = OLD.record_id::text
        AND OLD.kind <> 'purged'
        AND EXISTS (
            SELECT 1 FROM consent_consentevent
            WHERE record_id = OLD.record_id AND kind = 'purged' AND id > OLD.id
        )
        AND NEW.id = OLD.id
        AND NEW.record_id = OLD.record_id
        AND NEW.kind = OLD.kind
        AND NEW.occurred_at = OLD.occurred_at
        AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id
        AND NEW.actor_label = OLD.actor_label
        AND NEW.previous_hash = OLD.previous_hash
        AND NEW.event_hash = OLD.event_hash
        AND NEW.data = '{"purged": true}'::jsonb
        AND NEW.ip_address IS NULL
        AND NEW.user_agent = ''
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'signed consent records and events are immutable (% on % refused)',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

EVENT_TRIGGER = "consent_consentevent_immutable"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(EVENT_FUNCTION, params=None)
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS {EVENT_TRIGGER} ON consent_consentevent;", params=None
    )
    schema_editor.execute(
        f"CREATE TRIGGER {EVENT_TRIGGER} BEFORE UPDATE OR DELETE ON consent_consentevent "
        "FOR EACH ROW EXECUTE FUNCTION consent_event_refuse_change();",
        params=None,
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS {EVENT_TRIGGER} ON consent_consentevent;", params=None
    )
    schema_editor.execute(
        f"CREATE TRIGGER {EVENT_TRIGGER} BEFORE UPDATE OR DELETE ON consent_consentevent "
        "FOR EACH ROW EXECUTE FUNCTION consent_refuse_change();",
        params=None,
    )
    schema_editor.execute("DROP FUNCTION IF EXISTS consent_event_refuse_change();", params=None)


class Migration(migrations.Migration):
    dependencies = [("consent", "0010_purge_and_identity_triggers")]

    operations = [migrations.RunPython(create, drop)]
