"""Lockout after wrong passwords and codes, and whose address a failure counts against."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from accounts import session as staff_session
from accounts.client_ip import client_ip_address
from tests.accounts.steps import (
    LOGOUT_URL,
    code_for,
    fail_passwords,
    give_code,
    give_password,
    wrong_code_for,
)

pytestmark = pytest.mark.django_db


# Lockout ---------------------------------------------------------------------------------------


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


@pytest.fixture
def behind_proxies(settings):
    """The app behind proxies of ours in 10.0.0.0/8; each test sets how many."""
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    return settings


def test_behind_one_proxy_the_right_most_forwarded_address_counts(behind_proxies):
    settings = behind_proxies
    settings.TRUSTED_PROXY_COUNT = 1
    request = request_from("10.0.0.2", "1.2.3.4, 203.0.113.7")
    assert client_ip_address(request) == "203.0.113.7"


def test_behind_two_proxies_the_second_from_the_right_counts(behind_proxies):
    settings = behind_proxies
    settings.TRUSTED_PROXY_COUNT = 2
    request = request_from("10.0.0.2", "1.2.3.4, 203.0.113.7, 10.0.0.1")
    assert client_ip_address(request) == "203.0.113.7"


def test_behind_a_proxy_a_missing_or_garbled_header_falls_back_to_the_connection(
    behind_proxies,
):
    settings = behind_proxies
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip_address(request_from("10.0.0.2")) == "10.0.0.2"
    assert client_ip_address(request_from("10.0.0.2", "not-an-address")) == "10.0.0.2"


def test_behind_a_proxy_a_forged_left_entry_does_not_bypass_the_lockout(
    client, app, behind_proxies
):
    settings = behind_proxies
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail_passwords(client, "ana", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    response = give_password(client, "ana", HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", **proxy)
    assert response.status_code == 403


def test_behind_a_proxy_other_clients_are_not_locked_out(client, app, behind_proxies):
    settings = behind_proxies
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    fail_passwords(client, "ana", HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    response = give_password(client, "ana", HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy)
    assert response.status_code == 302


def test_forwarded_for_from_outside_the_proxy_networks_is_ignored(behind_proxies):
    settings = behind_proxies
    settings.TRUSTED_PROXY_COUNT = 1
    direct = request_from("198.51.100.20", "203.0.113.7")
    assert client_ip_address(direct) == "198.51.100.20"


def test_a_client_reaching_the_app_directly_cannot_pick_its_address_for_the_lockout(
    client, app, behind_proxies
):
    settings = behind_proxies
    settings.TRUSTED_PROXY_COUNT = 1
    direct = {"REMOTE_ADDR": "198.51.100.20"}
    for n in range(5):
        give_password(
            client, "ana", password=f"wrong-{n}", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}", **direct
        )
    response = give_password(client, "ana", HTTP_X_FORWARDED_FOR="1.2.3.99", **direct)
    assert response.status_code == 403
