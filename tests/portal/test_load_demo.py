from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError

from education.models import Procedure, ProcedureVersion
from portal import roles
from portal.demo import DEMO_ACCOUNTS

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def dump_database() -> str:
    out = StringIO()
    call_command("dumpdata", "auth.user", "auth.group", "education", indent=1, stdout=out)
    return out.getvalue()


def test_running_load_demo_twice_leaves_the_database_identical():
    load_demo()
    first = dump_database()
    load_demo()
    assert dump_database() == first


def test_load_demo_publishes_mesotherapy_as_version_one():
    load_demo()
    version = ProcedureVersion.objects.get(procedure__slug="mesotherapy")
    assert version.number == 1
    assert version.published_by.username == "admin"


def test_second_run_does_not_publish_version_two():
    load_demo()
    load_demo()
    assert list(ProcedureVersion.objects.values_list("number", flat=True)) == [1]


def test_output_says_whether_mesotherapy_was_published_or_up_to_date():
    assert "Mesotherapy: published as version 1." in load_demo()
    assert "Mesotherapy: already up to date (version 1)." in load_demo()


def test_command_prints_the_site_admin_url_and_every_demo_login():
    out = load_demo()
    assert "http://127.0.0.1:8000/" in out
    assert "http://127.0.0.1:8000/admin/" in out
    lines = out.splitlines()
    for account in DEMO_ACCOUNTS:
        assert any(
            account.role in line and account.username in line and account.password in line
            for line in lines
        ), f"no login line for {account.username}"


def test_demo_accounts_log_in_with_the_printed_passwords():
    out = load_demo()
    for account in DEMO_ACCOUNTS:
        assert account.password in out
        assert authenticate(username=account.username, password=account.password) is not None


def test_demo_passwords_satisfy_the_password_validators():
    load_demo()
    user_model = get_user_model()
    for account in DEMO_ACCOUNTS:
        validate_password(account.password, user_model.objects.get(username=account.username))


def test_demo_admin_is_staff_in_clinic_admins_and_not_a_superuser():
    load_demo()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_staff
    assert not admin.is_superuser
    assert list(admin.groups.values_list("name", flat=True)) == [roles.CLINIC_ADMINS]


def test_demo_practitioner_is_in_practitioners_and_not_staff():
    load_demo()
    practitioner = get_user_model().objects.get(username="practitioner")
    assert not practitioner.is_staff
    assert not practitioner.is_superuser
    assert list(practitioner.groups.values_list("name", flat=True)) == [roles.PRACTITIONERS]


def test_second_run_keeps_the_stored_password_hash():
    load_demo()
    before = get_user_model().objects.get(username="admin").password
    load_demo()
    assert get_user_model().objects.get(username="admin").password == before


def test_second_run_restores_a_changed_demo_password():
    load_demo()
    admin = get_user_model().objects.get(username="admin")
    admin.set_password("someone-changed-this-1")
    admin.save()
    load_demo()
    assert authenticate(username="admin", password="meso-admin-demo-2026") is not None


def test_load_demo_refuses_when_demo_content_is_not_allowed(settings):
    settings.DEMO_CONTENT_ALLOWED = False
    with pytest.raises(CommandError, match="DEMO_CONTENT_ALLOWED"):
        load_demo()


def test_refused_load_demo_writes_nothing(settings):
    settings.DEMO_CONTENT_ALLOWED = False
    with pytest.raises(CommandError):
        load_demo()
    assert not get_user_model().objects.exists()
    assert not Procedure.objects.exists()
    assert not ProcedureVersion.objects.exists()
