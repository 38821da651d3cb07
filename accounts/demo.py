"""Demo staff accounts with published passwords, for development and demo databases only.

The `load_demo` command refuses to run where `DEMO_CONTENT_ALLOWED` is off (production), because
anyone who reads this file knows these passwords.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from . import roles
from .services import backup_codes_ensure


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    group: str
    is_staff: bool
    first_name: str
    last_name: str
    # Published one-time backup codes (django-otp static tokens): a newcomer signs in with one
    # straight away, then sets up an authenticator app. Fixed, so that re-runs change nothing.
    backup_codes: tuple[str, ...] = ()

    @property
    def email(self) -> str:
        return f"{self.username}@clinic.example"


ADMIN_USERNAME = "admin"
BACKUP_CODES_DEVICE = "Demo backup codes"

DEMO_ACCOUNTS = (
    DemoAccount(
        role="clinic admin",
        username=ADMIN_USERNAME,
        password="meso-admin-demo-2026",  # noqa: S106 - a published demo password, by design.
        group=roles.CLINIC_ADMINS,
        is_staff=True,
        first_name="Demo",
        last_name="Admin",
        backup_codes=("k7m2pq4x", "r3tw9bza", "h6nc2vke", "q8ds5ymj", "w4fu7lgr"),
    ),
    DemoAccount(
        role="practitioner",
        username="practitioner",
        password="meso-practitioner-demo-2026",  # noqa: S106 - a published demo password.
        group=roles.PRACTITIONERS,
        is_staff=False,
        # The demo practitioner's own name (consent/demo.py shows her as "Dr. Maya Chen, MD"):
        # she countersigns with it.
        first_name="Maya",
        last_name="Chen",
        backup_codes=("p5xe8ktn", "b2vq6hmc", "z9rj3wsa", "f7ly4dnu", "m3gk8tpe"),
    ),
)


@transaction.atomic
def load_demo_accounts() -> list[tuple[str, str, str]]:
    """Create or repair the demo clinic admin and practitioner; return (role, username, password).

    Re-running leaves an account untouched when it is already as described here: the password is
    only set when the account is new or no longer accepts the demo password, so the stored hash
    does not change from one run to the next. Each account also gets its backup codes; a code
    that was used up comes back.
    """
    for account in DEMO_ACCOUNTS:
        _sync_account(account)
    return [(account.role, account.username, account.password) for account in DEMO_ACCOUNTS]


def _sync_account(account: DemoAccount) -> None:
    user_model = get_user_model()
    user = user_model.objects.filter(username=account.username).first()
    is_new = user is None
    if is_new:
        user = user_model(username=account.username)
    wanted = {
        "first_name": account.first_name,
        "last_name": account.last_name,
        "email": account.email,
        "is_staff": account.is_staff,
        "is_superuser": False,
        "is_active": True,
    }
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    for name in changed:
        setattr(user, name, wanted[name])
    if is_new or not user.check_password(account.password):
        user.set_password(account.password)
        changed.append("password")
    if changed:
        user.save()
    user.groups.set([Group.objects.get(name=account.group)])
    backup_codes_ensure(user=user, name=BACKUP_CODES_DEVICE, codes=account.backup_codes)
