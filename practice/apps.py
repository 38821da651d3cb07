from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticeConfig(AppConfig):
    """The practitioners' and clinic admins' area: dashboard, record page, exports."""

    name = "practice"
    verbose_name = _("Practice")
