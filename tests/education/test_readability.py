"""Reading grade by a formula for the text's language: Flesch-Kincaid, or Fernández-Huerta."""

import pytest
from django.urls import reverse

from education.readability import (
    FERNANDEZ_HUERTA,
    FLESCH_KINCAID,
    fernandez_huerta,
    grade_from_reading_ease,
    reading_grade,
)
from tests import factories
from tests.conftest import login_verified

SPANISH = (
    "La mesoterapia es un tratamiento con muchas inyecciones pequeñas en la piel. "
    "Nadie sabe todavía qué tan bien funciona."
)


def test_spanish_text_is_graded_with_the_fernandez_huerta_formula():
    estimate = reading_grade(SPANISH, "es")
    assert estimate.formula == FERNANDEZ_HUERTA
    assert estimate.score == pytest.approx(77.2, abs=0.1)


def test_fernandez_huerta_follows_the_published_coefficients():
    # 19 words, 38 syllables, 2 sentences: 206.84 − 0.60·200 − 1.02·9.5
    assert fernandez_huerta(SPANISH) == pytest.approx(206.84 - 120 - 9.69)


def test_english_text_is_graded_with_flesch_kincaid():
    estimate = reading_grade("The skin may look red for a day or two after the shots.")
    assert estimate.formula == FLESCH_KINCAID
    assert estimate.score is None


def test_a_reading_ease_of_60_is_grade_8():
    assert grade_from_reading_ease(60) == 8
    assert grade_from_reading_ease(80) == 6


@pytest.mark.django_db
def test_admin_names_the_spanish_formula_for_a_spanish_procedure(client, clinic_admin):
    login_verified(client, clinic_admin)
    procedure = factories.ProcedureFactory(language="es", summary=SPANISH)
    response = client.get(reverse("admin:education_procedure_change", args=[procedure.pk]))
    assert "Formula: Fernández-Huerta, for Spanish (score 77 of 100)." in response.text
    assert 'data-reading-grade-language="es"' in response.text


@pytest.mark.django_db
def test_reading_grade_endpoint_uses_the_posted_language(client, clinic_admin):
    login_verified(client, clinic_admin)
    response = client.post(
        reverse("admin:education_procedure_reading_grade"), {"text": SPANISH, "language": "es"}
    )
    assert "Fernández-Huerta" in response.json()["message"]
