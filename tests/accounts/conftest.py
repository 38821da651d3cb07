"""Staff to sign in as: a clinic admin with an authenticator app, backup codes, a newcomer."""

import pytest
from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from tests import factories
from tests.accounts.steps import (
    ADMIN_URL,
    BACKUP_CODE,
    code_for,
    give_code,
    give_password,
)


@pytest.fixture
def admin_user(db):
    """A clinic admin (staff, may use admin) with a confirmed authenticator app."""
    return factories.ClinicAdminFactory(username="ana")


@pytest.fixture
def app(admin_user):
    return TOTPDevice.objects.create(user=admin_user, name="Phone", confirmed=True)


@pytest.fixture
def backup_codes(admin_user):
    device = StaticDevice.objects.create(user=admin_user, name="Backup codes")
    StaticToken.objects.create(device=device, token=BACKUP_CODE)
    return device


@pytest.fixture
def newcomer(db):
    """A practitioner who has never set up a second factor."""
    user = factories.UserFactory(username="newcomer")
    user.groups.add(Group.objects.get(name=roles.PRACTITIONERS))
    return user


@pytest.fixture
def signed_in(client, admin_user, app):
    """`client` signed in as `admin_user` through the real password and code steps."""
    give_password(client, "ana")
    response = give_code(client, code_for(app), next_url=ADMIN_URL)
    assert response.status_code == 302, response.text[:2000]
    return client
