"""Give the staff roles their permissions on the clinic's list of references.

Clinic admins keep the list, as they keep the rest of the library; practitioners may read it.
The roles are the groups `accounts` creates (0001_roles), named here as consent's migrations
name them, so education still imports none of our apps.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    reference = Permission.objects.filter(
        content_type__app_label="education", content_type__model="reference"
    )
    admins, _ = Group.objects.get_or_create(name="Clinic admins")
    admins.permissions.add(*reference)
    practitioners, _ = Group.objects.get_or_create(name="Practitioners")
    practitioners.permissions.add(*reference.filter(codename="view_reference"))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    reference = Permission.objects.filter(
        content_type__app_label="education", content_type__model="reference"
    )
    for group in Group.objects.filter(name__in=["Clinic admins", "Practitioners"]):
        group.permissions.remove(*reference)


class Migration(migrations.Migration):
    dependencies = [
        ("education", "0004_references_and_review"),
        ("accounts", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
