"""Staff sign-in: password, then a one-time code; lockout; session limits; sign-out."""

import base64
import datetime
import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import roles
from accounts import session as staff_session
from accounts.client_ip import client_ip_address
from tests import factories
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
CODE_URL = "/accounts/two-factor/"
SETUP_URL = "/accounts/two-factor/setup/"
LOGOUT_URL = "/accounts/logout/"
ADMIN_URL = "/admin/"
BACKUP_CODE = "abcd2345"
INVALID_LOGIN = "Please enter a correct username and password"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


# Helpers ---------------------------------------------------------------------------------------


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The code an authenticator app with the device's secret shows (now, or `steps_ahead`)."""
    value = totp(
        device.bin_key,
        step=device.step,
        t0=device.t0 - steps_ahead * device.step,
        digits=device.digits,
        drift=device.drift,
    )
    return f"{value:0{device.digits}d}"


def wrong_code_for(device: TOTPDevice) -> str:
    valid = {code_for(device, steps) for steps in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222") if code not in valid)


def give_password(client, username, password=factories.TEST_PASSWORD, next_url=None, **extra):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post(LOGIN_URL, data, **extra)


def give_code(client, code, next_url=None, url=CODE_URL, **extra):
    data = {"code": code}
    if next_url is not None:
        data["next"] = next_url
    return client.post(url, data, **extra)


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def allow_next_code_now(device):
    """Move django-otp's wait after a wrong code into the past, as if the user had waited."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(hours=1)
    )


# Fixtures --------------------------------------------------------------------------------------


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


# Lockout ---------------------------------------------------------------------------------------


def fail_passwords(client, username, times=5, **extra):
    responses = [
        give_password(client, username, password=f"wrong-password-{n}", **extra)
        for n in range(times)
    ]
    return responses[-1]


def test_four_wrong_passwords_do_not_lock(client, app):
    fail_passwords(client, "ana", times=4)
    assert give_password(client, "ana").status_code == 302


def test_five_wrong_passwords_lock_the_account_from_that_address(client, app):
    response = fail_passwords(client, "ana")
    assert response.status_code == 403
    assert "Sign-in is locked for now" in response.text
    assert "30 minutes" in response.text


def test_right_password_is_refused_while_locked(client, app):
    fail_passwords(client, "ana")
    response = give_password(client, "ana")
    assert response.status_code == 403
    assert client.session.get(staff_session.PENDING_KEY) is None


def test_lock_ends_after_thirty_minutes(client, app):
    from axes.models import AccessAttempt

    fail_passwords(client, "ana")
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=31))
    assert give_password(client, "ana").status_code == 302


def test_forged_forwarded_for_does_not_bypass_the_lockout(client, app):
    fail_passwords(client, "ana", REMOTE_ADDR="203.0.113.7")
    response = give_password(
        client, "ana", REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert response.status_code == 403


def test_forged_forwarded_for_does_not_lock_out_another_address(client, app):
    fail_passwords(client, "ana", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert give_password(client, "ana", REMOTE_ADDR="203.0.113.7").status_code == 302


def test_lockout_of_one_username_does_not_lock_out_another_user(client, app, newcomer):
    fail_passwords(client, "ana", REMOTE_ADDR="203.0.113.7")
    assert give_password(client, "newcomer", REMOTE_ADDR="203.0.113.7").status_code == 302


def test_successful_sign_in_clears_the_failure_count(client, app):
    fail_passwords(client, "ana", times=4)
    give_password(client, "ana")
    give_code(client, code_for(app))
    client.post(LOGOUT_URL)
    fail_passwords(client, "ana", times=4)
    assert give_password(client, "ana").status_code == 302


def test_five_wrong_codes_lock_the_account(client, app, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own wait is tested on its own
    give_password(client, "ana")
    responses = [give_code(client, wrong_code_for(app)) for _ in range(5)]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 403]
    assert "Sign-in is locked for now" in responses[-1].text


def test_after_five_wrong_codes_the_password_is_refused_too(client, app, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    give_password(client, "ana")
    for _ in range(5):
        give_code(client, wrong_code_for(app))
    assert give_password(client, "ana").status_code == 403


def test_wrong_passwords_and_wrong_codes_count_together(client, app, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    fail_passwords(client, "ana", times=3)
    give_password(client, "ana")
    give_code(client, wrong_code_for(app))
    assert give_code(client, wrong_code_for(app)).status_code == 403


# Whose address counts --------------------------------------------------------------------------


def request_from(remote_addr, forwarded_for=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_only_the_connection_address_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip_address(request_from("203.0.113.7", "1.2.3.4")) == "203.0.113.7"


def test_behind_one_proxy_the_right_most_forwarded_address_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = request_from("10.0.0.2", "1.2.3.4, 203.0.113.7")
    assert client_ip_address(request) == "203.0.113.7"


def test_behind_two_proxies_the_second_from_the_right_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.1")
    assert client_ip_address(request) == "203.0.113.7"


def test_behind_a_proxy_a_missing_or_garbled_header_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip_address(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_ip_address(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"


def test_behind_a_proxy_a_forged_left_entry_does_not_bypass_the_lockout(client, app, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail_passwords(client, "ana", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    response = give_password(client, "ana", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", **proxy)
    assert response.status_code == 403


def test_behind_a_proxy_other_clients_are_not_locked_out(client, app, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail_passwords(client, "ana", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    response = give_password(client, "ana", HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert response.status_code == 302


# Session limits --------------------------------------------------------------------------------


def shift_session_times(client, *, signed_in_ago=None, last_seen_ago=None):
    session = client.session
    now = time.time()
    if signed_in_ago is not None:
        session[staff_session.SIGNED_IN_AT_KEY] = now - signed_in_ago.total_seconds()
    if last_seen_ago is not None:
        session[staff_session.LAST_SEEN_AT_KEY] = now - last_seen_ago.total_seconds()
    session.save()


def test_sign_in_records_when_the_session_started(signed_in):
    session = signed_in.session
    assert time.time() - session[staff_session.SIGNED_IN_AT_KEY] < 60
    assert time.time() - session[staff_session.LAST_SEEN_AT_KEY] < 60


def test_29_idle_minutes_keep_you_signed_in(signed_in):
    shift_session_times(signed_in, last_seen_ago=datetime.timedelta(minutes=29))
    assert signed_in.get(ADMIN_URL).status_code == 200


def test_31_idle_minutes_sign_you_out(signed_in):
    shift_session_times(signed_in, last_seen_ago=datetime.timedelta(minutes=31))
    response = signed_in.get(ADMIN_URL)
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/admin/"
    assert signed_in_user_id(signed_in) is None


def test_being_signed_out_for_idleness_says_why(signed_in):
    shift_session_times(signed_in, last_seen_ago=datetime.timedelta(minutes=31))
    response = signed_in.get(ADMIN_URL, follow=True)
    assert "signed out after 30 minutes without activity" in response.text


def test_activity_moves_the_idle_limit(signed_in):
    shift_session_times(signed_in, last_seen_ago=datetime.timedelta(minutes=20))
    signed_in.get(ADMIN_URL)
    assert time.time() - signed_in.session[staff_session.LAST_SEEN_AT_KEY] < 60


def test_twelve_hours_sign_you_out_even_when_active(signed_in):
    shift_session_times(
        signed_in,
        signed_in_ago=datetime.timedelta(hours=12, minutes=1),
        last_seen_ago=datetime.timedelta(minutes=1),
    )
    response = signed_in.get(ADMIN_URL, follow=True)
    assert signed_in_user_id(signed_in) is None
    assert "signed in for 12 hours" in response.text


def test_session_cookie_does_not_outlive_twelve_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60


def test_session_limits_leave_anonymous_visitors_alone(client):
    session = client.session
    session[staff_session.LAST_SEEN_AT_KEY] = 0
    session[staff_session.SIGNED_IN_AT_KEY] = 0
    session.save()
    assert client.get("/").status_code == 200


# Signing out -----------------------------------------------------------------------------------


def test_sign_out_refuses_get(signed_in):
    assert signed_in.get(LOGOUT_URL).status_code == 405
    assert signed_in_user_id(signed_in) is not None


def test_sign_out_ends_the_session_on_the_server(signed_in):
    old_key = signed_in.session.session_key
    response = signed_in.post(LOGOUT_URL)
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=old_key).exists()
    assert signed_in.get(ADMIN_URL).status_code == 302


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
