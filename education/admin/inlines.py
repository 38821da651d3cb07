"""The procedure page's inline rows, each folded and each patient text showing its reading grade."""

from django.contrib import admin
from django.db import models

from ..models import (
    ChecklistItem,
    ComprehensionQuestion,
    Indication,
    Ingredient,
    QuestionAnswer,
    SideEffect,
)
from ..widgets import ReadingGradeTextarea

PATIENT_TEXT_WIDGETS = {models.TextField: {"widget": ReadingGradeTextarea}}


class PatientTextInline(admin.StackedInline):
    # Folded (a <details> element, no script) so the page opens on the procedure's own text;
    # Django unfolds any group that has an error.
    classes = ["collapse"]
    extra = 0
    ordering = ["position", "id"]
    formfield_overrides = PATIENT_TEXT_WIDGETS


class IngredientInline(PatientTextInline):
    model = Ingredient
    fields = [("name", "position"), "purpose"]


class IndicationInline(PatientTextInline):
    model = Indication
    fields = [("name", "position"), ("kind", "evidence"), "note"]


class SideEffectInline(PatientTextInline):
    model = SideEffect
    show_change_link = True
    fields = [
        ("name", "position"),
        "explanation",
        ("site", "frequency"),
        ("severity", "prevention"),
        "prevention_advice",
        "warning_signs",
        "what_to_do",
    ]


class ChecklistItemInline(PatientTextInline):
    model = ChecklistItem
    fields = [("check_text", "position"), "why_it_matters", "satisfied_by"]


class ComprehensionQuestionInline(PatientTextInline):
    model = ComprehensionQuestion
    fields = [("question", "position"), "choices", ("correct_choice", "section"), "explanation"]


class QuestionAnswerInline(PatientTextInline):
    model = QuestionAnswer
    fields = [("question", "position"), "answer", "answered_by"]
