"""Staff sign-in: password, then a one-time code; enrolment; who may sign in; where you go next."""

import base64
import re

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import session as staff_session
from tests import factories
from tests.accounts.steps import (
    ADMIN_URL,
    BACKUP_CODE,
    CODE_URL,
    INLINE_SCRIPT,
    INVALID_LOGIN,
    LOGIN_URL,
    LOGOUT_URL,
    SETUP_URL,
    allow_next_code_now,
    code_for,
    fail_passwords,
    give_code,
    give_password,
    signed_in_user_id,
    wrong_code_for,
)
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db


# The two steps ---------------------------------------------------------------------------------


def test_right_password_leads_to_the_code_step(client, app):
    response = give_password(client, "ana")
    assert response.status_code == 302
    assert response["Location"] == CODE_URL


def test_right_password_alone_does_not_sign_in(client, app):
    give_password(client, "ana")
    assert signed_in_user_id(client) is None


def test_wrong_password_keeps_you_out(client, app):
    response = give_password(client, "ana", password="not-the-password-at-all")
    assert response.status_code == 200
    assert INVALID_LOGIN in response.text
    assert client.get(CODE_URL)["Location"].startswith(LOGIN_URL)


def test_password_without_the_code_does_not_open_admin(client, app):
    give_password(client, "ana")
    response = client.get(ADMIN_URL, follow=True)
    assert response.redirect_chain[-1][0] == f"{CODE_URL}?next=%2Fadmin%2F"
    assert "Enter your code" in response.text
    assert "Site administration" not in response.text


def test_valid_app_code_signs_in_with_a_verified_session(client, app):
    give_password(client, "ana")
    response = give_code(client, code_for(app))
    assert response.status_code == 302
    request = client.get("/").wsgi_request
    assert request.user.username == "ana"
    assert request.user.is_verified()
    assert client.session[DEVICE_ID_SESSION_KEY] == app.persistent_id


def test_verified_clinic_admin_opens_admin(signed_in):
    response = signed_in.get(ADMIN_URL)
    assert response.status_code == 200
    assert "Clinic content and records" in response.text


def test_wrong_code_keeps_you_out(client, app):
    give_password(client, "ana")
    response = give_code(client, wrong_code_for(app))
    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert signed_in_user_id(client) is None


def test_code_step_without_the_password_step_sends_you_to_sign_in(client, app):
    response = client.get(CODE_URL)
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL


def test_a_code_is_not_accepted_twice(client, app):
    code = code_for(app)
    give_password(client, "ana")
    give_code(client, code)
    client.post(LOGOUT_URL)
    give_password(client, "ana")
    response = give_code(client, code)
    assert "That code is not right" in response.text


def test_backup_code_signs_in_once(client, admin_user, app, backup_codes):
    give_password(client, "ana")
    assert give_code(client, BACKUP_CODE).status_code == 302
    assert client.get("/").wsgi_request.user.is_verified()
    assert not StaticToken.objects.filter(token=BACKUP_CODE).exists()


def test_backup_code_does_not_work_a_second_time(client, admin_user, app, backup_codes):
    give_password(client, "ana")
    give_code(client, BACKUP_CODE)
    client.post(LOGOUT_URL)
    allow_next_code_now(backup_codes)
    give_password(client, "ana")
    response = give_code(client, BACKUP_CODE)
    assert response.status_code == 200
    assert "That code is not right" in response.text
    assert signed_in_user_id(client) is None


def test_backup_code_typed_in_capitals_with_spaces_is_accepted(client, app, backup_codes):
    give_password(client, "ana")
    assert give_code(client, " ABCD 2345 ").status_code == 302


def test_signing_in_with_a_backup_code_and_no_app_leads_to_setting_one_up(client, backup_codes):
    give_password(client, "ana")
    response = give_code(client, BACKUP_CODE, next_url=ADMIN_URL)
    assert response["Location"] == f"{SETUP_URL}?next=%2Fadmin%2F"
    assert client.get("/").wsgi_request.user.is_verified()


def test_django_otp_makes_you_wait_after_a_wrong_code(client, app):
    give_password(client, "ana")
    give_code(client, wrong_code_for(app))
    response = give_code(client, code_for(app))
    assert "Too many wrong codes in a row" in response.text
    assert signed_in_user_id(client) is None


def test_after_the_wait_the_right_code_works(client, app):
    give_password(client, "ana")
    give_code(client, wrong_code_for(app))
    allow_next_code_now(app)
    assert give_code(client, code_for(app)).status_code == 302


def test_code_step_expires_after_ten_minutes(client, app):
    give_password(client, "ana")
    session = client.session
    session[staff_session.PENDING_KEY]["started_at"] -= 11 * 60
    session.save()
    response = give_code(client, code_for(app))
    assert response["Location"] == LOGIN_URL
    assert signed_in_user_id(client) is None


# Enrolment -------------------------------------------------------------------------------------


def test_first_sign_in_without_a_second_factor_leads_to_setup(client, newcomer):
    response = give_password(client, "newcomer")
    assert response["Location"] == SETUP_URL


def test_setup_shows_a_qr_code_as_an_svg_image_and_the_secret_as_text(client, newcomer):
    give_password(client, "newcomer")
    response = client.get(SETUP_URL)
    assert response.status_code == 200
    match = re.search(r'<img [^>]*src="data:image/svg\+xml;base64,([^"]+)"', response.text)
    assert match, "no QR code image"
    svg = base64.b64decode(match[1]).decode()
    assert svg.startswith("<svg")
    assert "style=" not in svg
    device = TOTPDevice.objects.get(user=newcomer)
    assert not device.confirmed
    secret = base64.b32encode(device.bin_key).decode()
    shown = re.search(r'id="setup-key">([^<]+)<', response.text)[1]
    assert shown.replace(" ", "") == secret


def test_reloading_setup_keeps_the_same_secret(client, newcomer):
    give_password(client, "newcomer")
    client.get(SETUP_URL)
    client.get(SETUP_URL)
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1


def test_confirming_setup_with_a_valid_code_creates_a_confirmed_device(client, newcomer):
    give_password(client, "newcomer")
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=newcomer)
    response = give_code(client, code_for(device), url=SETUP_URL)
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_confirming_setup_signs_in_verified(client, newcomer):
    give_password(client, "newcomer")
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=newcomer)
    give_code(client, code_for(device), url=SETUP_URL)
    user = client.get("/").wsgi_request.user
    assert user.username == "newcomer"
    assert user.is_verified()


def test_wrong_setup_code_leaves_the_device_unconfirmed(client, newcomer):
    give_password(client, "newcomer")
    client.get(SETUP_URL)
    device = TOTPDevice.objects.get(user=newcomer)
    response = give_code(client, wrong_code_for(device), url=SETUP_URL)
    assert "That code is not right" in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert signed_in_user_id(client) is None


def test_someone_with_a_second_factor_cannot_set_up_an_app_with_the_password_alone(client, app):
    give_password(client, "ana")
    response = client.get(SETUP_URL)
    assert response["Location"] == CODE_URL
    assert TOTPDevice.objects.filter(user=app.user).count() == 1


# Who may sign in -------------------------------------------------------------------------------


def test_user_without_a_staff_role_gets_the_invalid_login_message(client):
    factories.UserFactory(username="patient-looking", is_staff=True)
    response = give_password(client, "patient-looking")
    assert response.status_code == 200
    assert INVALID_LOGIN in response.text
    assert client.session.get(staff_session.PENDING_KEY) is None


def test_practitioner_may_sign_in(client, newcomer):
    assert give_password(client, "newcomer").status_code == 302


def test_superuser_may_sign_in(client):
    factories.SuperuserFactory(username="root")
    assert give_password(client, "root").status_code == 302


def test_verified_practitioner_is_refused_admin_without_a_loop(client, newcomer):
    login_verified(client, newcomer)
    response = client.get(ADMIN_URL, follow=True)
    assert response.status_code == 403


# Where you go next -----------------------------------------------------------------------------


def test_next_on_this_site_is_followed(client, app):
    give_password(client, "ana", next_url="/admin/education/")
    response = give_code(client, code_for(app), next_url="/admin/education/")
    assert response["Location"] == "/admin/education/"


def test_next_to_another_site_is_ignored(client, app, settings):
    give_password(client, "ana", next_url="https://evil.example/")
    response = give_code(client, code_for(app), next_url="https://evil.example/")
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


def test_password_step_carries_a_safe_next_to_the_code_step(client, app):
    response = give_password(client, "ana", next_url="/admin/")
    assert response["Location"] == f"{CODE_URL}?next=%2Fadmin%2F"


def test_password_step_drops_an_unsafe_next(client, app):
    response = give_password(client, "ana", next_url="//evil.example/")
    assert response["Location"] == CODE_URL


def test_admin_login_page_sends_you_to_the_staff_sign_in(client):
    response = client.get("/admin/login/", {"next": "/admin/"})
    assert response["Location"] == f"{LOGIN_URL}?next=/admin/"


def test_signed_in_user_opening_the_sign_in_page_goes_on(signed_in, settings):
    response = signed_in.get(LOGIN_URL)
    assert response["Location"] == settings.LOGIN_REDIRECT_URL


# Admin needs the second factor -----------------------------------------------------------------


def test_force_login_without_a_second_factor_does_not_open_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get(ADMIN_URL).status_code == 302


def test_login_verified_helper_opens_admin(client, admin_user):
    login_verified(client, admin_user)
    assert client.get(ADMIN_URL).status_code == 200


# Pages -----------------------------------------------------------------------------------------


def test_sign_in_page_is_an_accessible_portal_page(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    assert '<main id="main"' in response.text
    assert '<label class="form-label" for="id_username">' in response.text
    assert 'autocomplete="current-password"' in response.text


def test_code_field_is_described_by_its_hint(client, app):
    give_password(client, "ana")
    html = client.get(CODE_URL).text
    assert 'id="id_code_helptext"' in html
    assert 'aria-describedby="id_code_helptext"' in html
    assert 'autocomplete="one-time-code"' in html


@pytest.mark.parametrize("step", ["login", "code", "setup", "locked"])
def test_sign_in_pages_have_no_inline_script_or_style(client, app, newcomer, step):
    if step == "login":
        response = client.get(LOGIN_URL)
    elif step == "code":
        give_password(client, "ana")
        response = client.get(CODE_URL)
    elif step == "setup":
        give_password(client, "newcomer")
        response = client.get(SETUP_URL)
    else:
        response = fail_passwords(client, "ana")
    assert not INLINE_SCRIPT.search(response.text)
    assert 'style="' not in response.text


def test_footer_links_to_staff_sign_in(client):
    assert f'href="{LOGIN_URL}"' in client.get("/").text


def test_header_shows_the_signed_in_user_and_a_sign_out_button(signed_in):
    html = signed_in.get("/").text
    assert "Signed in as" in html
    assert f'action="{LOGOUT_URL}"' in html
    assert 'href="/practice/"' in html
