"""The procedure page's inline rows, each folded and each patient text showing its reading grade."""

from django.contrib import admin
from django.db import models

from ..models import (
    ChecklistItem,
    ComprehensionQuestion,
    Indication,
    Ingredient,
    QuestionAnswer,
    ScreeningQuestion,
    SideEffect,
)
from ..widgets import ReadingGradeTextarea, reading_grade_language

PATIENT_TEXT_WIDGETS = {models.TextField: {"widget": ReadingGradeTextarea}}


class PatientTextInline(admin.StackedInline):
    # Folded (a <details> element, no script) so the page opens on the procedure's own text;
    # Django unfolds any group that has an error.
    classes = ["collapse"]
    extra = 0
    ordering = ["position", "id"]
    formfield_overrides = PATIENT_TEXT_WIDGETS
    # A search box rather than a list of every source the clinic keeps.
    autocomplete_fields = ["references"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        reading_grade_language(formset.form, obj.language if obj else "en")
        return formset


class IngredientInline(PatientTextInline):
    model = Ingredient
    fields = [("name", "position"), "purpose", "references"]


class IndicationInline(PatientTextInline):
    model = Indication
    fields = [("name", "position"), ("kind", "evidence"), "note", "references"]


class SideEffectInline(PatientTextInline):
    model = SideEffect
    show_change_link = True
    autocomplete_fields = ["references", "frequency_source", "severity_source"]
    fields = [
        ("name", "position"),
        "explanation",
        ("site", "prevention"),
        ("frequency", "frequency_source"),
        ("severity", "severity_source"),
        "prevention_advice",
        "warning_signs",
        "what_to_do",
        "references",
    ]


class ChecklistItemInline(PatientTextInline):
    model = ChecklistItem
    fields = [("check_text", "position"), "why_it_matters", "satisfied_by", "references"]


class ComprehensionQuestionInline(PatientTextInline):
    model = ComprehensionQuestion
    autocomplete_fields = []
    fields = [
        ("question", "position"),
        "choices",
        ("correct_choice", "section"),
        "explanation",
        "choice_explanations",
    ]


class QuestionAnswerInline(PatientTextInline):
    model = QuestionAnswer
    autocomplete_fields = []
    fields = [("question", "position"), "answer", "answered_by"]


class ScreeningQuestionInline(PatientTextInline):
    """The questions in order; each question's answers and their rules on its own page."""

    model = ScreeningQuestion
    show_change_link = True
    autocomplete_fields = []
    fields = [("question", "position"), "hint", ("answer_type", "required")]
