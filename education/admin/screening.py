"""A health question's own page: its answers and the rules each answer carries.

Django's admin does not nest inlines, so the procedure page lists the questions and links here.
"""

from django import forms
from django.contrib import admin

from ..models import ScreeningOption, ScreeningQuestion, SideEffect
from ..widgets import reading_grade_language
from .inlines import PATIENT_TEXT_WIDGETS


class ScreeningOptionInline(admin.StackedInline):
    model = ScreeningOption
    extra = 0
    ordering = ["position", "id"]
    formfield_overrides = PATIENT_TEXT_WIDGETS
    autocomplete_fields = ["references"]
    fields = [
        ("label", "position"),
        "highlight_side_effects",
        "note",
        "references",
        ("needs_review", "stops_consent"),
    ]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only this procedure's side effects can be highlighted, ticked in a list.
        field = formset.form.base_fields["highlight_side_effects"]
        field.queryset = SideEffect.objects.filter(procedure_id=obj.procedure_id if obj else None)
        field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        reading_grade_language(formset.form, obj.procedure.language if obj else "en")
        return formset


@admin.register(ScreeningQuestion)
class ScreeningQuestionAdmin(admin.ModelAdmin):
    list_display = ["question", "procedure", "answer_type", "required"]
    list_filter = ["answer_type", "procedure"]
    list_select_related = ["procedure"]
    search_fields = ["question", "procedure__name"]
    ordering = ["procedure__name", "position", "id"]
    fields = ["procedure", ("question", "position"), "hint", ("answer_type", "required")]
    inlines = [ScreeningOptionInline]
