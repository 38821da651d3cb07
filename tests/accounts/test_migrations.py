"""Splitting staff identity out of `portal` loses nothing and doubles nothing in a database.

On main the staff roles and the clinic admins' security permissions came from `portal`'s
migrations 0001_roles and 0002_staff_security_permissions; they are now `accounts`' migrations of
the same names, which `replace` the portal ones. No table changed, so main's schema is today's:
what differs is only which migration names a database has recorded. These tests take a database
as main left it (its recorded history and rows written through the historical models), migrate it
with today's graph, and check every row is still there, once.
"""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from accounts import roles

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# What a database migrated on main recorded for staff identity; no `accounts` rows at all.
MAIN_PORTAL_MIGRATIONS = [("portal", "0001_roles"), ("portal", "0002_staff_security_permissions")]
ACCOUNTS_MIGRATIONS = [("accounts", "0001_roles"), ("accounts", "0002_staff_security_permissions")]
# The latest migration of each of our apps on main; the third-party apps are at their latest.
MAIN_LATEST = [
    ("accounts", "0002_staff_security_permissions"),  # main's portal 0002, under its new name
    ("consent", "0006_record_has_questions_event_kind_index"),
    ("education", "0005_reference_roles"),
]
ROLE_NAMES = [roles.CLINIC_ADMINS, roles.PRACTITIONERS]
# Migrations added since main, each run once on upgrade.
SINCE_MAIN = ["0003_second_factor_reset_only"]
# What 0003_second_factor_reset_only takes back from clinic admins.
REVOKED_SINCE_MAIN = {
    ("otp_static", "add_staticdevice"),
    ("otp_static", "change_staticdevice"),
    ("otp_static", "add_statictoken"),
}


# What education 0007_screening_questions grants: the health questionnaire's models.
SCREENING_MODELS = ("screeningoption", "screeningquestion")
GRANTED_SINCE_MAIN = {
    roles.CLINIC_ADMINS: [
        ("education", f"{action}_{model}")
        for model in SCREENING_MODELS
        for action in ("add", "change", "delete", "view")
    ],
    roles.PRACTITIONERS: [("education", f"view_{model}") for model in SCREENING_MODELS],
}


def grants_after_upgrade(grants_on_main: dict) -> dict:
    return {
        name: sorted(
            [grant for grant in grants if grant not in REVOKED_SINCE_MAIN]
            + [grant for grant in GRANTED_SINCE_MAIN[name] if grant not in grants]
        )
        for name, grants in grants_on_main.items()
    }


@pytest.fixture
def recorded_history():
    """Put the django_migrations table back as it was: the test database is shared."""
    recorder = MigrationRecorder(connection)
    before = set(recorder.applied_migrations())
    yield recorder
    after = set(recorder.applied_migrations())
    for app_label, name in after - before:
        recorder.record_unapplied(app_label, name)
    for app_label, name in before - after:
        recorder.record_applied(app_label, name)


def main_targets(executor: MigrationExecutor) -> list[tuple[str, str]]:
    ours = {app_label for app_label, _name in MAIN_LATEST}
    third_party = [node for node in executor.loader.graph.leaf_nodes() if node[0] not in ours]
    return [*MAIN_LATEST, *third_party]


def record_as_main_did(recorder: MigrationRecorder) -> None:
    for key in MAIN_PORTAL_MIGRATIONS:
        recorder.record_applied(*key)
    for key in ACCOUNTS_MIGRATIONS:
        recorder.record_unapplied(*key)


def fill_as_main(apps) -> dict:
    """Staff, second factors, a lockout record and clinic rows, through main's historical models.

    Returns the ids written, to compare after migrating.
    """
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    practitioners = Group.objects.get(name=roles.PRACTITIONERS)
    user = User.objects.create(username="dr-lee", password="!", first_name="Sam", last_name="Lee")
    user.groups.add(practitioners)
    totp = apps.get_model("otp_totp", "TOTPDevice").objects.create(
        user=user, name="Phone", confirmed=True, key="3132333435363738393031323334353637383930"
    )
    backup = apps.get_model("otp_static", "StaticDevice").objects.create(
        user=user, name="Backup codes", confirmed=True
    )
    StaticToken = apps.get_model("otp_static", "StaticToken")
    tokens = [
        StaticToken.objects.create(device=backup, token=code) for code in ("k7m2pq4x", "r3tw9bza")
    ]
    attempt = apps.get_model("axes", "AccessAttempt").objects.create(
        user_agent="Firefox",
        ip_address="192.0.2.10",
        username="dr-lee",
        http_accept="text/html",
        path_info="/accounts/login/",
        get_data="",
        post_data="username=dr-lee",
        failures_since_start=2,
    )
    procedure = apps.get_model("education", "Procedure").objects.create(
        name="Mesotherapy",
        slug="mesotherapy",
        summary="Small injections into the skin.",
        description="Many small injections.",
        results_duration="Results may fade.",
        unknowns="How long results last.",
        alternatives="Other treatments, or none.",
        disclaimer="Education, not medical advice.",
        medical_reviewer="Dr. Ana Reviewer, MD",
        last_reviewed_on=datetime.date(2026, 10, 1),
    )
    practitioner = apps.get_model("consent", "Practitioner").objects.create(
        user=user, display_name="Dr. Sam Lee, MD", profession="Dermatologist", years_of_experience=9
    )
    location = apps.get_model("consent", "Location").objects.create(
        name="Riverside Clinic", address="1 River Road", jurisdiction="New York"
    )
    formulation = apps.get_model("consent", "Formulation").objects.create(
        procedure=procedure,
        name="PC/DC mix",
        manufacturer="Example Pharmacy",
        lot_number="LOT-00001",
        expires_on=datetime.date(2099, 1, 1),
        regulatory_status="compounded",
    )
    invitation = apps.get_model("consent", "ConsentInvitation").objects.create(
        patient_name="Jordan Rivera",
        patient_email="jordan@example.com",
        patient_date_of_birth=datetime.date(1988, 7, 14),
        procedure=procedure,
        practitioner=practitioner,
        location=location,
        formulation=formulation,
        expires_at=timezone.now() + datetime.timedelta(days=7),
        token_hash="a" * 64,
        created_by=user,
    )
    return {
        ("auth", "User"): [user.pk],
        ("otp_totp", "TOTPDevice"): [totp.pk],
        ("otp_static", "StaticDevice"): [backup.pk],
        ("otp_static", "StaticToken"): sorted(token.pk for token in tokens),
        ("axes", "AccessAttempt"): [attempt.pk],
        ("education", "Procedure"): [procedure.pk],
        ("consent", "Practitioner"): [practitioner.pk],
        ("consent", "Location"): [location.pk],
        ("consent", "Formulation"): [formulation.pk],
        ("consent", "ConsentInvitation"): [invitation.pk],
    }


def role_grants(apps) -> dict[str, list[tuple[str, str]]]:
    """Each role's permissions as (app label, codename), sorted, repeats kept."""
    Group = apps.get_model("auth", "Group")
    return {
        group.name: sorted(
            group.permissions.values_list("content_type__app_label", "codename", flat=False)
        )
        for group in Group.objects.filter(name__in=ROLE_NAMES)
    }


def assert_nothing_lost_or_doubled(apps, written: dict, grants_before: dict) -> None:
    for (app_label, model_name), ids in written.items():
        rows = apps.get_model(app_label, model_name).objects.order_by("pk")
        assert sorted(rows.values_list("pk", flat=True)) == ids, (app_label, model_name)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name in ROLE_NAMES:
        assert Group.objects.filter(name=name).count() == 1, name
    user = apps.get_model("auth", "User").objects.get(pk=written[("auth", "User")][0])
    assert list(user.groups.values_list("name", flat=True)) == [roles.PRACTITIONERS]
    assert role_grants(apps) == grants_before
    for grants in grants_before.values():
        assert len(grants) == len(set(grants))  # no permission granted twice
    distinct = Permission.objects.values("content_type", "codename").distinct().count()
    assert distinct == Permission.objects.count()


def test_a_database_migrated_on_main_upgrades_by_running_nothing_and_keeps_every_row(
    recorded_history,
):
    record_as_main_did(recorded_history)
    executor = MigrationExecutor(connection)
    # The history main recorded is consistent with today's graph: consent 0003_roles, which
    # depends on accounts 0001_roles, is not "applied before its dependency".
    executor.loader.check_consistent_history(connection)
    targets = main_targets(executor)
    executor.migrate(targets)  # main's schema: nothing to do, it is today's
    executor.loader.build_graph()
    old_apps = executor.loader.project_state(targets).apps
    written = fill_as_main(old_apps)
    grants_before = role_grants(old_apps)

    leaves = executor.loader.graph.leaf_nodes()
    plan = executor.migration_plan(leaves)
    # Accounts' 0001 and 0002 count as applied: only migrations added since main run, forwards.
    assert [
        migration.name for migration, _ in plan if migration.app_label in ("accounts", "portal")
    ] == SINCE_MAIN
    assert not any(backwards for _migration, backwards in plan)
    executor.migrate(leaves)
    executor.loader.build_graph()

    assert set(ACCOUNTS_MIGRATIONS) <= set(recorded_history.applied_migrations())
    new_apps = executor.loader.project_state(leaves).apps
    assert_nothing_lost_or_doubled(new_apps, written, grants_after_upgrade(grants_before))


def test_accounts_migrations_run_again_on_a_populated_database_add_nothing_twice(
    recorded_history,
):
    executor = MigrationExecutor(connection)
    old_apps = executor.loader.project_state(main_targets(executor)).apps
    written = fill_as_main(old_apps)
    grants_before = role_grants(old_apps)
    # Forget that either app's role migrations ran (accounts at zero, as a database that never
    # heard of the app), while the roles, their permissions and the staff are all there.
    since_main = [("accounts", name) for name in SINCE_MAIN]
    for key in MAIN_PORTAL_MIGRATIONS + ACCOUNTS_MIGRATIONS + since_main:
        recorded_history.record_unapplied(*key)
    executor.loader.build_graph()
    leaves = executor.loader.graph.leaf_nodes()
    plan = [migration.name for migration, backwards in executor.migration_plan(leaves)]
    assert plan == ["0001_roles", "0002_staff_security_permissions", *SINCE_MAIN]

    executor.migrate(leaves)
    executor.loader.build_graph()

    new_apps = executor.loader.project_state(leaves).apps
    assert_nothing_lost_or_doubled(new_apps, written, grants_after_upgrade(grants_before))
