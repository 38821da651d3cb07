from django import template
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from education.models import SideEffectFrequency, SideEffectSite
from education.presentation import choice_label

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


_CHOICES = {"site": SideEffectSite, "frequency": SideEffectFrequency}


@register.filter(name="choice_label")
def choice_label_filter(code, kind):
    """A stored choice code as the words the patient read: `row.site|choice_label:"site"` turns
    "local" into "Local: where the injections are given"."""
    return choice_label(_CHOICES[kind], code)
