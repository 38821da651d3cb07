"""Walking through staff sign-in in tests: the pages' addresses, codes, and each step as a POST."""

import datetime
import re

from django.contrib.auth import SESSION_KEY
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories

LOGIN_URL = "/accounts/login/"
CODE_URL = "/accounts/two-factor/"
SETUP_URL = "/accounts/two-factor/setup/"
LOGOUT_URL = "/accounts/logout/"
ADMIN_URL = "/admin/"
BACKUP_CODE = "abcd2345"
INVALID_LOGIN = "Please enter a correct username and password"
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


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


def fail_passwords(client, username, times=5, **extra):
    responses = [
        give_password(client, username, password=f"wrong-password-{n}", **extra)
        for n in range(times)
    ]
    return responses[-1]
