"""The languages patient material can be written in: the portal's own (settings.LANGUAGES)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """A language in its own words ("Español"), as the switcher and the invitation show it."""
    return dict(settings.LANGUAGES).get(code, code)


def language_field(*, help_text) -> models.CharField:
    """The language a piece of patient material is in: one of the portal's, the default first.

    Back it with `choice_constraint("language", LANGUAGE_CODES, name=...)` in the model's Meta.
    """
    return models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=help_text,
    )
