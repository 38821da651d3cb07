from django import template
from django.conf import settings
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping, key):
    """`mapping[key]`, or None: templates cannot index a dict by a variable."""
    return mapping.get(key) if mapping else None


@register.filter
def as_datetime(value):
    """An ISO timestamp from a saved answer, as a datetime in the clinic's time zone."""
    parsed = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(parsed) if parsed else None


@register.filter
def clinic_text(value):
    """Text the clinic keeps in one language only (credentials, what is injected), marked.

    The clinic enters these in the admin, in the site's default language (`LANGUAGE_CODE`). On
    a page in another language the text is wrapped in its own `lang`, so a screen reader
    pronounces it rightly, and followed by a visible "(in English)", so a patient knows it was
    not left untranslated by mistake.
    """
    if value in (None, ""):
        return value
    source = settings.LANGUAGE_CODE
    if translation.get_language() == source or not translation.get_language():
        return value
    return format_html(
        '<span lang="{}">{}</span> <span class="lang-note">{}</span>',
        source,
        value,
        _language_note(source),
    )


def _language_note(code: str) -> str:
    # A whole sentence per language where we have one: the name of a language is not always
    # written the same way inside another sentence ("inglés", lower case, in Spanish).
    if code == "en":
        return _("(in English)")
    return _("(in %(language)s)") % {
        "language": translation.get_language_info(code)["name_translated"]
    }
