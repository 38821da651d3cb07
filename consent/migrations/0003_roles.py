"""Give the staff roles their permissions on the consent app's models."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINIC_DATA = [
    "practitioner",
    "procedureexperience",
    "credential",
    "location",
    "regulatorystatus",
    "formulation",
    "formulationingredient",
    "consentinvitation",
]
READ_ONLY = ["consentrecord", "consentevent", "consentdraft"]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    consent = Permission.objects.filter(content_type__app_label="consent")
    admins, _ = Group.objects.get_or_create(name="Clinic admins")
    admins.permissions.add(
        *consent.filter(
            codename__in=[
                f"{action}_{model}"
                for model in CLINIC_DATA
                for action in ("add", "change", "delete", "view")
            ]
            + [f"view_{model}" for model in READ_ONLY]
        )
    )
    practitioners, _ = Group.objects.get_or_create(name="Practitioners")
    practitioners.permissions.add(
        *consent.filter(
            codename__in=["view_consentrecord", "view_consentevent", "view_consentinvitation"]
        )
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    consent = Permission.objects.filter(content_type__app_label="consent")
    for group in Group.objects.filter(name__in=["Clinic admins", "Practitioners"]):
        group.permissions.remove(*consent)


class Migration(migrations.Migration):
    dependencies = [
        ("consent", "0002_records_immutable_on_postgresql"),
        ("accounts", "0001_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
