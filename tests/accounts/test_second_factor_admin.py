"""Who may reset whose second factor in admin: clinic admins reset practitioners' (the
practitioner then enrols again); clinic admins' and superusers' only a superuser; nobody types
an authenticator's key or backup codes into admin; the owner is e-mailed on every removal."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from tests import factories
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

TOTP = "otp_totp_totpdevice"
STATIC = "otp_static_staticdevice"


def admin_url(model, view, *args):
    return reverse(f"admin:{model}_{view}", args=args)


@pytest.fixture
def practitioner(db):
    user = factories.UserFactory(username="pat-practitioner")
    user.groups.add(Group.objects.get(name=roles.PRACTITIONERS))
    return user


@pytest.fixture
def superuser(db):
    return factories.SuperuserFactory(username="root")


@pytest.fixture
def other_admin(db):
    return factories.ClinicAdminFactory(username="other-admin")


@pytest.fixture
def as_clinic_admin(client, clinic_admin):
    return login_verified(client, clinic_admin)


@pytest.fixture
def as_superuser(client, superuser):
    return login_verified(client, superuser)


def authenticator(user):
    return TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def backup_codes(user):
    device = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.create(device=device, token="q7m3x9k2")
    return device


def test_a_clinic_admin_is_not_offered_a_form_to_add_backup_codes(as_clinic_admin):
    assert as_clinic_admin.get(admin_url(STATIC, "add")).status_code == 403
    assert as_clinic_admin.get(admin_url(TOTP, "add")).status_code == 403


def test_a_clinic_admin_cannot_add_backup_codes_for_a_superuser(as_clinic_admin, superuser):
    response = as_clinic_admin.post(
        admin_url(STATIC, "add"),
        {
            "user": superuser.pk,
            "name": "Mine now",
            "confirmed": "on",
            "token_set-TOTAL_FORMS": "1",
            "token_set-INITIAL_FORMS": "0",
            "token_set-0-token": "chosen123",
        },
    )
    assert response.status_code == 403
    assert not StaticDevice.objects.filter(user=superuser).exists()


def test_a_clinic_admin_cannot_add_backup_codes_for_another_clinic_admin(
    as_clinic_admin, other_admin
):
    response = as_clinic_admin.post(
        admin_url(STATIC, "add"),
        {"user": other_admin.pk, "name": "Mine now", "confirmed": "on"},
    )
    assert response.status_code == 403
    assert not StaticDevice.objects.filter(user=other_admin).exists()


def test_not_even_a_superuser_types_backup_codes_into_admin(as_superuser):
    assert as_superuser.get(admin_url(STATIC, "add")).status_code == 403


def test_a_clinic_admin_cannot_move_someones_backup_codes_to_another_account(
    as_clinic_admin, practitioner, superuser
):
    device = backup_codes(practitioner)
    response = as_clinic_admin.post(
        admin_url(STATIC, "change", device.pk),
        {"user": superuser.pk, "name": "Backup codes", "confirmed": "on"},
    )
    assert response.status_code == 403
    device.refresh_from_db()
    assert device.user == practitioner


def test_a_clinic_admin_cannot_delete_a_superusers_authenticator(as_clinic_admin, superuser):
    device = authenticator(superuser)
    response = as_clinic_admin.post(admin_url(TOTP, "delete", device.pk), {"post": "yes"})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_a_clinic_admin_cannot_delete_another_clinic_admins_backup_codes(
    as_clinic_admin, other_admin
):
    device = backup_codes(other_admin)
    response = as_clinic_admin.post(admin_url(STATIC, "delete", device.pk), {"post": "yes"})
    assert response.status_code == 403
    assert StaticDevice.objects.filter(pk=device.pk).exists()


def test_a_clinic_admin_cannot_delete_a_superusers_authenticator_in_bulk(
    as_clinic_admin, superuser, practitioner
):
    theirs = authenticator(superuser)
    authenticator(practitioner)
    as_clinic_admin.post(
        admin_url(TOTP, "changelist"),
        {
            "action": "delete_selected",
            ACTION_CHECKBOX_NAME: list(TOTPDevice.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert TOTPDevice.objects.filter(pk=theirs.pk).exists()


def test_a_clinic_admin_resets_a_practitioners_authenticator(
    as_clinic_admin, practitioner, mailoutbox, django_capture_on_commit_callbacks
):
    device = authenticator(practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_clinic_admin.post(admin_url(TOTP, "delete", device.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert [message.to for message in mailoutbox] == [[practitioner.email]]


def test_a_clinic_admin_resets_a_practitioners_backup_codes_in_bulk(
    as_clinic_admin, practitioner, mailoutbox, django_capture_on_commit_callbacks
):
    device = backup_codes(practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        as_clinic_admin.post(
            admin_url(STATIC, "changelist"),
            {"action": "delete_selected", ACTION_CHECKBOX_NAME: [device.pk], "post": "yes"},
        )
    assert not StaticDevice.objects.filter(pk=device.pk).exists()
    assert not StaticToken.objects.filter(token="q7m3x9k2").exists()
    assert len(mailoutbox) == 1
    assert "q7m3x9k2" not in mailoutbox[0].body


def test_a_superuser_resets_a_clinic_admins_authenticator(
    as_superuser, other_admin, mailoutbox, django_capture_on_commit_callbacks
):
    device = authenticator(other_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_superuser.post(admin_url(TOTP, "delete", device.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert [message.to for message in mailoutbox] == [[other_admin.email]]


def test_the_reset_e_mail_says_who_removed_what_and_holds_no_secret(
    as_clinic_admin, clinic_admin, practitioner, mailoutbox, django_capture_on_commit_callbacks
):
    device = authenticator(practitioner)
    with django_capture_on_commit_callbacks(execute=True):
        as_clinic_admin.post(admin_url(TOTP, "delete", device.pk), {"post": "yes"})
    body = mailoutbox[0].body
    assert "removed" in mailoutbox[0].subject
    assert clinic_admin.get_username() in body
    assert device.key not in body


def test_clinic_admins_hold_no_permission_to_add_or_change_second_factors():
    granted = set(
        Group.objects.get(name=roles.CLINIC_ADMINS).permissions.values_list("codename", flat=True)
    )
    for codename in (
        "add_staticdevice",
        "change_staticdevice",
        "add_statictoken",
        "change_statictoken",
        "add_totpdevice",
        "change_totpdevice",
    ):
        assert codename not in granted
    assert {"delete_totpdevice", "delete_staticdevice"} <= granted
