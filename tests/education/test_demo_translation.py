"""The Spanish demo material: its own procedure and versions, matching the English row for row."""

import re

import pytest

from education import demo, demo_es
from education.demo import load_education_demo, load_education_demo_translation
from education.models import Procedure, ProcedureVersion

from .test_demo_content import PATIENT_TEXT_FIELDS

pytestmark = pytest.mark.django_db

# The informal "tú" and its verb forms: the material speaks to patients as "usted".
INFORMAL = re.compile(r"\b(tú|tu|tus|te|ti|contigo|tienes|puedes|debes|quieres|sabes)\b", re.I)


@pytest.fixture
def versions(clinic_admin):
    english = load_education_demo(publisher=clinic_admin)
    spanish = load_education_demo_translation(publisher=clinic_admin)
    return english, spanish


def test_spanish_is_published_as_a_translation_of_the_english(versions):
    english, spanish = versions
    assert spanish.number == 1
    assert spanish.language == "es"
    assert spanish.content["language"] == "es"
    assert spanish.procedure.slug == "mesoterapia"
    assert spanish.procedure.translation_of == english.procedure
    assert spanish.content_hash != english.content_hash


def test_loading_the_translation_again_publishes_nothing(versions, clinic_admin):
    assert load_education_demo_translation(publisher=clinic_admin) is None
    assert ProcedureVersion.objects.filter(language="es").count() == 1


def test_translation_loads_its_original_first_when_it_is_missing(clinic_admin):
    spanish = load_education_demo_translation(publisher=clinic_admin)
    assert spanish.procedure.translation_of.slug == demo.SLUG


@pytest.mark.parametrize(
    ("english_rows", "spanish_rows", "fields"),
    [
        (demo.INGREDIENTS, demo_es.INGREDIENTS, []),
        (demo.INDICATIONS, demo_es.INDICATIONS, ["kind", "evidence"]),
        (
            demo.SIDE_EFFECTS,
            demo_es.SIDE_EFFECTS,
            ["site", "frequency", "severity", "prevention"],
        ),
        (demo.CHECKLIST, demo_es.CHECKLIST, ["satisfied_by"]),
        (
            demo.COMPREHENSION_QUESTIONS,
            demo_es.COMPREHENSION_QUESTIONS,
            ["correct_choice", "section"],
        ),
        (demo.QUESTIONS_ANSWERS, demo_es.QUESTIONS_ANSWERS, []),
    ],
)
def test_spanish_rows_match_the_english_row_for_row(english_rows, spanish_rows, fields):
    assert len(spanish_rows) == len(english_rows)
    for english, spanish in zip(english_rows, spanish_rows, strict=True):
        assert {name: spanish[name] for name in fields} == {name: english[name] for name in fields}
        assert spanish.keys() == english.keys()


def test_comprehension_questions_offer_as_many_choices_in_both_languages():
    pairs = zip(demo.COMPREHENSION_QUESTIONS, demo_es.COMPREHENSION_QUESTIONS, strict=True)
    for english, spanish in pairs:
        assert len(spanish["choices"].splitlines()) == len(english["choices"].splitlines())


def test_every_spanish_draft_row_passes_model_validation(versions):
    _english, spanish = versions
    procedure = spanish.procedure
    procedure.full_clean()
    for model in PATIENT_TEXT_FIELDS:
        if model is not Procedure:
            for row in model.objects.filter(procedure=procedure):
                row.full_clean()


def test_spanish_material_addresses_the_patient_as_usted(versions):
    _english, spanish = versions
    procedure = spanish.procedure
    for model, fields in PATIENT_TEXT_FIELDS.items():
        rows = [procedure] if model is Procedure else model.objects.filter(procedure=procedure)
        for row in rows:
            for field in fields:
                assert not INFORMAL.search(getattr(row, field)), (model.__name__, field)


def test_spanish_material_keeps_the_emergency_number_and_the_unknowns(versions):
    _english, spanish = versions
    procedure = spanish.content["procedure"]
    assert "911" in procedure["disclaimer_html"]
    assert "911" in procedure["aftercare_html"]
    assert "no se sabe" in procedure["evidence_summary_html"]
    assert "Ningún tratamiento" in procedure["alternatives_html"]
