from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    """Outgoing e-mail as background tasks, each message sent once however often its task runs,
    and the provider's delivery reports about them."""

    name = "mailing"
    verbose_name = _("Outgoing e-mail")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects anymail's tracking signal)
