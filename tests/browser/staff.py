"""Staff sign-in in the browser: password, then a backup code, as the demo accounts are printed."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.demo import DEMO_ACCOUNTS

from .actions import submit

ACCOUNTS = {account.username: account for account in DEMO_ACCOUNTS}


def authenticator_code(device: TOTPDevice) -> str:
    """The code an authenticator app that scanned `device`'s QR code shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def sign_in(page, shot, username: str, *, backup_code: int = 0) -> None:
    """From the sign-in page the site sent us to: password, then one of the printed backup
    codes. Someone with no authenticator app yet is then asked to set one up, and does."""
    account = ACCOUNTS[username]
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff sign in")
    shot("sign in")
    page.get_by_label("Username").fill(account.username)
    page.get_by_label("Password").fill(account.password)
    submit(page, "Continue")

    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    shot("enter your code")
    page.get_by_label("Code").fill(account.backup_codes[backup_code])
    submit(page, "Sign in")

    if page.url.split("?")[0].endswith("/accounts/two-factor/setup/"):
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up your authenticator app")
        expect(page.get_by_text("You used a backup code.")).to_be_visible()
        shot("set up authenticator app")
        device = TOTPDevice.objects.get(user__username=username, confirmed=False)
        page.get_by_label("Code").fill(authenticator_code(device))
        submit(page, "Confirm and sign in")
        expect(page.get_by_text("Your authenticator app is set up.")).to_be_visible()
