"""The languages patient material can be written in: the portal's own (settings.LANGUAGES)."""

from django.conf import settings

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def language_name(code: str) -> str:
    """A language in its own words ("Español"), as the switcher and the invitation show it."""
    return dict(settings.LANGUAGES).get(code, code)
