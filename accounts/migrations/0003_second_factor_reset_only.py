"""Clinic admins may see and reset (delete) second factors, no longer add or change them.

Migration 0002 let them add backup-code devices and codes of their choosing, and change a
device's owner, for any account, superusers included. Admin no longer offers those forms
(accounts/admin.py); this takes the permissions back, so nothing else can use them either.
"""

from django.db import migrations

REVOKED = {
    "otp_static": ["add_staticdevice", "change_staticdevice", "add_statictoken"],
}


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_label, codenames in REVOKED.items():
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        for group in Group.objects.filter(name="Clinic admins"):
            group.permissions.remove(*permissions)


def grant_again(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for app_label, codenames in REVOKED.items():
        permissions = Permission.objects.filter(
            content_type__app_label=app_label, codename__in=codenames
        )
        for group in Group.objects.filter(name="Clinic admins"):
            group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_staff_security_permissions")]

    operations = [migrations.RunPython(revoke, grant_again)]
