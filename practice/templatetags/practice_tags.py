"""Filters only the practice area's pages use (the shared ones are in consent_tags)."""

from django import template

from education.models import SideEffectFrequency, SideEffectSite
from education.presentation import choice_label

register = template.Library()

_CHOICES = {"site": SideEffectSite, "frequency": SideEffectFrequency}


@register.filter(name="choice_label")
def choice_label_filter(code, kind):
    """A stored choice code as the words the patient read: `row.site|choice_label:"site"` turns
    "local" into "Local: where the injections are given"."""
    return choice_label(_CHOICES[kind], code)
