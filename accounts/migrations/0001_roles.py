"""The two staff roles and what each may do in admin.

Clinic admins curate the education library and publish it; practitioners may read it. The
consent app adds its own models' permissions to these groups in its migrations.

Until the accounts app was split out of the project package this was `portal`'s migration
0001_roles. `replaces` carries that history over: a database that recorded portal.0001_roles
counts this one as applied and never runs it again, and a dependency on either name is the same
node in the graph. Running it on a database that already has the roles (the migration history
lost, say) adds nothing twice: groups are got or created, and adding a permission a group already
has changes nothing.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CLINIC_ADMINS = "Clinic admins"
PRACTITIONERS = "Practitioners"

EDUCATION_MODELS = [
    "procedure",
    "ingredient",
    "indication",
    "sideeffect",
    "checklistitem",
    "comprehensionquestion",
    "questionanswer",
]


def _ensure_permissions(apps):
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None


def create_roles(apps, schema_editor):
    _ensure_permissions(apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    education = Permission.objects.filter(content_type__app_label="education")

    admins, _ = Group.objects.get_or_create(name=CLINIC_ADMINS)
    admin_codenames = [
        f"{action}_{model}"
        for model in EDUCATION_MODELS
        for action in ("add", "change", "delete", "view")
    ] + ["view_procedureversion", "add_procedureversion"]
    admins.permissions.add(*education.filter(codename__in=admin_codenames))

    practitioners, _ = Group.objects.get_or_create(name=PRACTITIONERS)
    practitioners.permissions.add(*education.filter(codename__startswith="view_"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[CLINIC_ADMINS, PRACTITIONERS]).delete()


class Migration(migrations.Migration):
    replaces = [("portal", "0001_roles")]

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("education", "0002_procedureversion_immutable_on_postgresql"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
