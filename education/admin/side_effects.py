"""Side effects on their own list, for finding one across every procedure."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from ..models import SideEffect
from ..widgets import reading_grade_language
from .inlines import PATIENT_TEXT_WIDGETS


@admin.register(SideEffect)
class SideEffectAdmin(admin.ModelAdmin):
    list_display = ["name", "procedure", "site", "frequency", "severity", "prevention"]
    list_filter = ["site", "frequency", "severity", "prevention", "procedure"]
    list_select_related = ["procedure"]
    search_fields = ["name", "explanation", "procedure__name"]
    ordering = ["procedure__name", "position", "id"]
    formfield_overrides = PATIENT_TEXT_WIDGETS
    autocomplete_fields = ["references", "frequency_source", "severity_source"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return reading_grade_language(form, obj.procedure.language if obj else "en")

    fieldsets = [
        (None, {"fields": ["procedure", ("name", "position"), "explanation"]}),
        (
            gettext_lazy("How often, how serious"),
            {
                "fields": [
                    ("site", "prevention"),
                    ("frequency", "frequency_source"),
                    ("severity", "severity_source"),
                ]
            },
        ),
        (
            gettext_lazy("Prevention and what to do"),
            {"fields": ["prevention_advice", "warning_signs", "what_to_do"]},
        ),
        (gettext_lazy("Sources"), {"fields": ["references"]}),
    ]
