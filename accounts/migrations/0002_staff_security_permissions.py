"""Clinic admins may unlock locked-out staff and reset a lost second factor.

Formerly `portal`'s migration 0002; `replaces` keeps a database that applied that one from running
this again (see 0001_roles). Safe to run twice: the group is got or created, and permissions
already granted stay granted once.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "axes": ["view_accessattempt", "delete_accessattempt", "view_accessfailurelog"],
    "otp_totp": ["view_totpdevice", "delete_totpdevice"],
    "otp_static": [
        "view_staticdevice",
        "delete_staticdevice",
        "add_staticdevice",
        "change_staticdevice",
        "view_statictoken",
        "add_statictoken",
        "delete_statictoken",
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    admins, _ = Group.objects.get_or_create(name="Clinic admins")
    for app_label, codenames in GRANTS.items():
        admins.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Clinic admins"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label__in=GRANTS))


class Migration(migrations.Migration):
    replaces = [("portal", "0002_staff_security_permissions")]

    dependencies = [
        ("accounts", "0001_roles"),
        ("axes", "0010_accessattemptexpiration"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
