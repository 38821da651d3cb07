from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentConfig(AppConfig):
    name = "consent"
    verbose_name = _("Consent")

    def ready(self) -> None:
        # Connects the link's events to mailing's signals (consent.services.link_events).
        from . import services  # noqa: F401
