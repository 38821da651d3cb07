"""Backup codes are made by the server for their owner and shown once; the owner is e-mailed
whenever a second factor is added (an authenticator app, new backup codes)."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from tests.accounts.steps import (
    BACKUP_CODE,
    SETUP_URL,
    code_for,
    give_code,
    give_password,
)
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

BACKUP_CODES_URL = "/accounts/backup-codes/"
SHOWN_CODE = re.compile(r'<li class="backup-code"><code>([a-z0-9]+)</code></li>')


def generate(client):
    response = client.post(BACKUP_CODES_URL)
    assert response.status_code == 200
    return SHOWN_CODE.findall(response.text)


def test_generating_backup_codes_shows_ten_new_codes_once(client, admin_user, backup_codes):
    login_verified(client, admin_user)
    codes = generate(client)
    assert len(codes) == 10
    assert len(set(codes)) == 10
    page = client.get(BACKUP_CODES_URL)
    assert page.status_code == 200
    assert not any(code in page.text for code in codes)


def test_new_backup_codes_replace_the_old_ones(client, admin_user, backup_codes):
    login_verified(client, admin_user)
    codes = generate(client)
    tokens = set(
        StaticToken.objects.filter(device__user=admin_user).values_list("token", flat=True)
    )
    assert tokens == set(codes)
    assert BACKUP_CODE not in tokens


def test_a_new_backup_code_signs_in(client, admin_user, backup_codes):
    codes = generate(login_verified(Client(), admin_user))
    give_password(client, "ana")
    assert give_code(client, codes[0]).status_code == 302


def test_generating_backup_codes_e_mails_the_owner_without_the_codes(
    client, admin_user, backup_codes, mailoutbox, django_capture_on_commit_callbacks
):
    login_verified(client, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        codes = generate(client)
    assert [message.to for message in mailoutbox] == [[admin_user.email]]
    assert "backup codes" in mailoutbox[0].subject
    assert not any(code in mailoutbox[0].body for code in codes)


def test_the_backup_codes_page_needs_a_verified_sign_in(client, admin_user, backup_codes):
    response = client.post(BACKUP_CODES_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert StaticToken.objects.filter(token=BACKUP_CODE).exists()


def test_the_backup_codes_page_refuses_a_signed_in_non_staff_user(client, backup_codes):
    from tests import factories

    outsider = factories.UserFactory(username="outsider")
    login_verified(client, outsider)
    assert client.post(BACKUP_CODES_URL).status_code == 403


def test_setting_up_an_authenticator_e_mails_the_owner(
    client, newcomer, mailoutbox, django_capture_on_commit_callbacks
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    give_password(client, "newcomer")
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=newcomer)
    with django_capture_on_commit_callbacks(execute=True):
        response = give_code(client, code_for(device), url=SETUP_URL)
    assert response.status_code == 302
    assert [message.to for message in mailoutbox] == [[newcomer.email]]
    assert "authenticator app was added" in mailoutbox[0].subject
    assert device.key not in mailoutbox[0].body
