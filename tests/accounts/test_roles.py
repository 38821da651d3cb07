"""The two staff roles, created by migrations, and what each may do."""

import pytest
from django.contrib.auth.models import Group

from accounts import roles
from tests import factories

pytestmark = pytest.mark.django_db


def perms(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_clinic_admins_curate_and_publish_the_library():
    granted = perms(roles.CLINIC_ADMINS)
    assert {"education.change_procedure", "education.add_sideeffect"} <= granted
    assert "education.add_procedureversion" in granted  # the publish permission
    assert "education.change_procedureversion" not in granted
    assert "education.delete_procedureversion" not in granted


def test_clinic_admins_keep_clinic_data_and_invitations_but_only_read_records():
    granted = perms(roles.CLINIC_ADMINS)
    assert {"consent.add_credential", "consent.add_consentinvitation"} <= granted
    assert "consent.view_consentrecord" in granted
    assert not {"consent.change_consentrecord", "consent.delete_consentrecord"} & granted
    assert not {"consent.change_consentevent", "consent.delete_consentevent"} & granted


def test_clinic_admins_can_unlock_staff_and_reset_a_lost_second_factor():
    granted = perms(roles.CLINIC_ADMINS)
    assert {"axes.delete_accessattempt", "otp_totp.delete_totpdevice"} <= granted


def test_practitioners_only_read():
    granted = perms(roles.PRACTITIONERS)
    assert granted
    assert all(codename.split(".")[1].startswith("view_") for codename in granted)


def test_a_clinic_admin_user_gets_the_roles_permissions():
    user = factories.ClinicAdminFactory()
    assert user.has_perm("education.add_procedureversion")
    assert not user.has_perm("consent.delete_consentrecord")
