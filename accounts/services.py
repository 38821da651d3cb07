"""Writes for staff sign-in: checking one-time codes, enrolling an authenticator app, backup codes.

django-otp keeps the devices. Every check goes through the device's own `verify_token`, so its
throttling applies: after each wrong code a device refuses every code for 1, 2, 4, 8, ... seconds.
"""

import datetime
import re
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import emails, selectors

AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
BACKUP_CODE_COUNT = 10
AUTHENTICATOR_CODE = re.compile(r"\d{6}")


class CodeThrottled(Exception):
    """django-otp refuses codes until `retry_at`, after recent wrong ones."""

    def __init__(self, retry_at: datetime.datetime):
        super().__init__(f"Too many wrong codes; try again after {retry_at:%H:%M:%S}.")
        self.retry_at = retry_at


def normalise_code(code: str) -> str:
    """People type codes with spaces or dashes, and backup codes in capitals."""
    return re.sub(r"[\s-]", "", code).lower()


def _verify_on(devices: Iterable[Device], code: str) -> Device | None:
    retry_times = []
    checked = False
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            retry_times.append((details or {}).get("locked_until"))
            continue
        checked = True
        if device.verify_token(code):
            return device
    if retry_times and not checked and all(retry_times):
        raise CodeThrottled(min(retry_times))
    return None


def second_factor_verify(*, user: AbstractBaseUser, code: str) -> Device | None:
    """The device that accepts `code` for `user`, or None; a backup code is used up.

    Six digits are checked against the user's authenticator apps, anything else against their
    backup codes, so a wrong code counts against one kind of device only.
    Raises CodeThrottled while every device of that kind is making the user wait.
    """
    code = normalise_code(code)
    with transaction.atomic():
        if AUTHENTICATOR_CODE.fullmatch(code):
            devices = selectors.confirmed_totp_devices(user).select_for_update()
        else:
            devices = selectors.confirmed_backup_devices(user).select_for_update()
        return _verify_on(list(devices), code)


@transaction.atomic
def authenticator_enrolment_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The user's unconfirmed authenticator device, created with a new secret if there is none.

    Showing the set-up page again shows the same secret, so a half-finished enrolment (the app
    scanned, the page reloaded) still works.
    """
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def authenticator_enrolment_confirm(*, device: TOTPDevice, code: str) -> bool:
    """Confirm the device when `code` is the current code from the newly set-up app.

    Raises CodeThrottled while the device is making the user wait after wrong codes.
    """
    code = normalise_code(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, confirmed=False)
        if _verify_on([device], code) is None:
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _notify_on_commit(device.user, _("An authenticator app was added to your account."), None)
    return True


def _notify_on_commit(user, change: str, changed_by) -> None:
    transaction.on_commit(
        lambda: emails.send_second_factor_changed(user=user, change=change, changed_by=changed_by),
        robust=True,
    )


@transaction.atomic
def backup_codes_generate(*, user: AbstractBaseUser) -> list[str]:
    """New backup codes for `user`, made by the server; every earlier code stops working.

    The codes are returned to be shown once, to the user, on the page that asked for them; no
    form anywhere lets a person choose a code. The user is e-mailed that new codes were made
    (without the codes). The device a session was verified by is kept, so generating codes does
    not sign the user out.
    """
    devices = StaticDevice.objects.select_for_update().filter(user=user).order_by("pk")
    device = devices.first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    StaticToken.objects.filter(device__user=user).delete()
    codes = []
    while len(codes) < BACKUP_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    _notify_on_commit(
        user, _("New backup codes were made for your account; the old ones no longer work."), user
    )
    return codes


@transaction.atomic
def second_factor_remove(*, device: Device, removed_by: AbstractBaseUser) -> None:
    """Remove `device` (an authenticator app or backup codes) so that its owner enrols again.

    Raises PermissionDenied unless `removed_by` may reset the owner's second factor
    (selectors.user_may_reset_second_factor_of). The owner is e-mailed.
    """
    owner = device.user
    if not selectors.user_may_reset_second_factor_of(actor=removed_by, owner=owner):
        raise PermissionDenied
    change = (
        _("Your backup codes were removed from your account.")
        if isinstance(device, StaticDevice)
        else _("An authenticator app was removed from your account.")
    )
    device.delete()
    _notify_on_commit(owner, change, removed_by)


@transaction.atomic
def backup_codes_ensure(*, user: AbstractBaseUser, name: str, codes: Iterable[str]) -> StaticDevice:
    """Give `user` a backup-code device called `name` holding every code in `codes`.

    Only what is missing is created: running it again with the same codes changes nothing, and a
    code that was used up comes back.
    """
    device = StaticDevice.objects.filter(user=user, name=name).order_by("pk").first()
    if device is None:
        device = StaticDevice.objects.create(user=user, name=name, confirmed=True)
    existing = set(device.token_set.values_list("token", flat=True))
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=code) for code in codes if code not in existing]
    )
    return device
