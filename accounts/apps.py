from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Staff identity: sign-in, second factor, backup codes, session limits and the roles."""

    name = "accounts"
    verbose_name = _("Staff accounts")
