"""Demo staff accounts with published passwords, for development and demo databases only.

The `load_demo` command refuses to run where `DEMO_CONTENT_ALLOWED` is off (production), because
anyone who reads this file knows these passwords.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from . import roles


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    group: str
    is_staff: bool
    first_name: str
    last_name: str

    @property
    def email(self) -> str:
        return f"{self.username}@clinic.example"


ADMIN_USERNAME = "admin"

DEMO_ACCOUNTS = (
    DemoAccount(
        role="clinic admin",
        username=ADMIN_USERNAME,
        password="meso-admin-demo-2026",  # noqa: S106 - a published demo password, by design.
        group=roles.CLINIC_ADMINS,
        is_staff=True,
        first_name="Demo",
        last_name="Admin",
    ),
    DemoAccount(
        role="practitioner",
        username="practitioner",
        password="meso-practitioner-demo-2026",  # noqa: S106 - a published demo password.
        group=roles.PRACTITIONERS,
        is_staff=False,
        first_name="Demo",
        last_name="Practitioner",
    ),
)


@transaction.atomic
def load_demo_accounts() -> list[tuple[str, str, str]]:
    """Create or repair the demo clinic admin and practitioner; return (role, username, password).

    Re-running leaves an account untouched when it is already as described here: the password is
    only set when the account is new or no longer accepts the demo password, so the stored hash
    does not change from one run to the next.
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
