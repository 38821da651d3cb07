"""The shared cache's table (settings.CACHES): `migrate` makes it wherever the app runs, so the
verify page's throttle works after the usual set-up (`make run`, a deployment, the benchmark)
without a step of its own. `createcachetable` leaves an existing table alone."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("consent", "0007_invitation_session_generation_event_link_renewed")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
