import dataclasses
import re
from statistics import mean

import pytest

from education import demo
from education.demo import DemoContentError, load_education_demo, load_education_demo_translation
from education.evidence import publish_evidence_problems
from education.models import (
    ChecklistEvidence,
    ChecklistItem,
    ComprehensionQuestion,
    Indication,
    Ingredient,
    Procedure,
    ProcedureVersion,
    QuestionAnswer,
    SideEffect,
)
from education.presentation import procedure_content, table_of_contents
from education.readability import reading_grade
from education.selectors import procedure_for_snapshot
from education.services import procedure_publish
from tests import factories

pytestmark = pytest.mark.django_db

LOCAL_SIDE_EFFECTS = [
    "Bruising",
    "Swelling",
    "Burning, irritation and pain at the injection site",
    "Redness and pinpoint bleeding",
    "Infection, including atypical mycobacterial infection",
    "Skin necrosis (skin tissue dying)",
    "Atrophy and lipodystrophy (thin skin or uneven fat)",
    "Lumps (nodules) and uneven skin after fat dissolving",
    "Ulcers and scarring on the face or scalp",
    "Allergic reaction at the injection site",
    "Drug eruption (a rash caused by a medicine)",
    "Darker or lighter patches of skin (pigmentation changes)",
    "Inflammation of the fat (panniculitis)",
    "Hair loss (alopecia)",
]
SYSTEMIC_SIDE_EFFECTS = [
    "Allergic reaction in the whole body",
    "Vagal reaction and fainting",
    "Liver toxicity (harm to the liver)",
    "Nerve damage (demyelination) from large doses of fat-dissolving substances",
]

# Every field a patient reads, per model; names, codes and reviewer names are left out.
PATIENT_TEXT_FIELDS = {
    Procedure: [
        "summary",
        "description",
        "evidence_summary",
        "results_duration",
        "unknowns",
        "alternatives",
        "aftercare",
        "disclaimer",
    ],
    Ingredient: ["purpose"],
    Indication: ["note"],
    SideEffect: ["explanation", "prevention_advice", "warning_signs", "what_to_do"],
    ChecklistItem: ["check_text", "why_it_matters"],
    ComprehensionQuestion: ["question", "choices", "explanation"],
    QuestionAnswer: ["question", "answer"],
}


@pytest.fixture
def demo_version(clinic_admin):
    return load_education_demo(publisher=clinic_admin)


def sites(version, site):
    return [row["name"] for row in version.content["side_effects"] if row["site"] == site]


def test_first_load_publishes_version_one(demo_version, clinic_admin):
    assert demo_version.number == 1
    assert demo_version.published_by == clinic_admin
    assert demo_version.procedure.slug == "mesotherapy"


def test_published_version_has_every_local_side_effect(demo_version):
    assert sites(demo_version, "local") == LOCAL_SIDE_EFFECTS


def test_published_version_has_every_systemic_side_effect(demo_version):
    assert sites(demo_version, "systemic") == SYSTEMIC_SIDE_EFFECTS


def test_systemic_side_effects_are_very_rare(demo_version):
    frequencies = {
        row["frequency"]
        for row in demo_version.content["side_effects"]
        if row["site"] == "systemic"
    }
    assert frequencies == {"very_rare"}


def test_published_version_has_every_kind_of_practitioner_check(demo_version):
    kinds = {row["satisfied_by"] for row in demo_version.content["checklist"]}
    assert kinds == set(ChecklistEvidence.values)


def test_alternatives_include_choosing_no_treatment(demo_version):
    assert "No treatment" in demo_version.content["procedure"]["alternatives_html"]


def test_loading_again_publishes_nothing(demo_version, clinic_admin):
    assert load_education_demo(publisher=clinic_admin) is None
    assert ProcedureVersion.objects.count() == 1


def test_loading_again_does_not_touch_the_draft(demo_version, clinic_admin):
    updated_at = Procedure.objects.get(slug="mesotherapy").updated_at
    load_education_demo(publisher=clinic_admin)
    assert Procedure.objects.get(slug="mesotherapy").updated_at == updated_at


def test_loading_restores_an_edited_draft_without_publishing(demo_version, clinic_admin):
    SideEffect.objects.filter(name="Bruising").update(explanation="Edited by hand.")
    assert load_education_demo(publisher=clinic_admin) is None
    assert SideEffect.objects.get(name="Bruising").explanation != "Edited by hand."


def test_loading_over_a_differing_published_version_publishes_the_demo_again(
    demo_version, clinic_admin
):
    SideEffect.objects.filter(name="Bruising").update(explanation="Edited by hand.")
    draft = procedure_for_snapshot(procedure_id=demo_version.procedure_id)
    words = [word.key for word in publish_evidence_problems(procedure=draft).unsupported]
    procedure_publish(
        procedure=demo_version.procedure, published_by=clinic_admin, confirmed_words=words
    )
    version = load_education_demo(publisher=clinic_admin)
    assert version.number == 3
    assert version.content_hash == demo_version.content_hash
    assert "Side effect reworded: Bruising" in version.change_summary


def test_loading_removes_draft_rows_the_demo_does_not_list(demo_version, clinic_admin):
    factories.SideEffectFactory(procedure=demo_version.procedure, name="Not in the demo")
    load_education_demo(publisher=clinic_admin)
    assert not SideEffect.objects.filter(name="Not in the demo").exists()


def test_rows_are_positioned_in_list_order(demo_version):
    positions = list(
        demo_version.procedure.side_effects.order_by("position").values_list("position", flat=True)
    )
    assert positions == list(range(1, len(positions) + 1))


def test_every_draft_row_passes_model_validation(demo_version):
    procedure = demo_version.procedure
    procedure.full_clean()
    for model in PATIENT_TEXT_FIELDS:
        if model is not Procedure:
            for row in model.objects.filter(procedure=procedure):
                row.full_clean()


def test_comprehension_answers_are_among_their_choices(demo_version):
    for row in demo_version.content["comprehension"]:
        assert 1 <= row["correct_choice"] <= len(row["choices"])


def test_comprehension_questions_point_to_sections_the_page_shows(demo_version):
    shown = {
        anchor for anchor, _heading in table_of_contents(procedure_content(demo_version.content))
    }
    assert {row["section"] for row in demo_version.content["comprehension"]} <= shown


def test_patient_text_reads_at_grade_8_on_average_and_never_above_10(demo_version):
    grades = {}
    for model, fields in PATIENT_TEXT_FIELDS.items():
        for row in model.objects.all():
            for field in fields:
                grade = reading_grade(getattr(row, field))
                if grade is not None:
                    grades[f"{model.__name__} {row}: {field}"] = grade.grade
    too_hard = {name: grade for name, grade in grades.items() if grade > 10}
    assert not too_hard
    assert mean(grades.values()) <= 8


def test_demo_page_shows_a_sources_section_and_each_side_effect_links_to_its_note(
    client, demo_version
):
    html = client.get(demo_version.procedure.get_absolute_url()).text
    sources = re.search(r'<section id="sources".*?</section>', html, re.S).group(0)
    numbers = set(re.findall(r'<li id="ref-(\d+)"', sources))
    assert len(numbers) == len(demo_version.content["references"]) == 2
    effects = re.findall(r'<li class="side-effect">(.*?)</li>', html, re.S)
    assert len(effects) == len(demo_version.content["side_effects"])
    for effect in effects:
        assert set(re.findall(r'href="#ref-(\d+)"', effect)) & numbers, effect


def test_demo_version_names_its_reviewer(demo_version):
    assert demo_version.content["procedure"]["medical_reviewer"]


def test_demo_version_was_published_without_confirming_any_unsourced_word(demo_version):
    assert "Confirmed by the publisher" not in demo_version.change_summary


@pytest.mark.parametrize("loader", [load_education_demo, load_education_demo_translation])
def test_no_demo_side_effect_states_a_frequency_or_severity_its_sources_do_not(
    loader, clinic_admin
):
    version = loader(publisher=clinic_admin)
    draft = procedure_for_snapshot(procedure_id=version.procedure_id)
    assert publish_evidence_problems(procedure=draft).unsupported == []


@pytest.mark.parametrize("loader", [load_education_demo, load_education_demo_translation])
def test_demo_cites_every_factual_item(loader, clinic_admin):
    version = loader(publisher=clinic_admin)
    draft = procedure_for_snapshot(procedure_id=version.procedure_id)
    assert publish_evidence_problems(procedure=draft).uncited == []


@pytest.mark.parametrize("loader", [load_education_demo, load_education_demo_translation])
def test_demo_side_effect_frequencies_are_only_the_ones_its_sources_state(loader, clinic_admin):
    version = loader(publisher=clinic_admin)
    stated = {
        (row["site"], row["frequency"])
        for row in version.content["side_effects"]
        if row["frequency"] != SideEffect.Frequency.NOT_STATED
    }
    # Volshteyn names the most common local effects; Gutte calls the systemic ones very rare.
    assert stated == {("local", "common"), ("systemic", "very_rare")}


def test_loading_refuses_a_side_effect_word_no_source_states(clinic_admin, monkeypatch):
    rows = [dict(row) for row in demo.ENGLISH.rows["side_effects"]]
    rows[5] = {**rows[5], "frequency": "rare"}
    content = dataclasses.replace(demo.ENGLISH, rows={**demo.ENGLISH.rows, "side_effects": rows})
    monkeypatch.setattr(demo, "ENGLISH", content)
    with pytest.raises(DemoContentError, match=r"how often: “Rare”"):
        load_education_demo(publisher=clinic_admin)
    assert not ProcedureVersion.objects.exists()


def test_demo_states_no_legal_claim_and_sends_patients_to_the_state_medical_board(demo_version):
    content = demo_version.content
    assert not any("state" in row["question"] for row in content["comprehension"])
    (check,) = [
        row for row in content["checklist"] if row["satisfied_by"] == "jurisdiction_permission"
    ]
    assert "Rules differ from state to state" in check["why_it_matters_html"]
    assert "state medical board" in check["why_it_matters_html"]


def test_demo_practitioner_checklist_asks_who_injects_and_if_they_are_a_licensed_physician(
    demo_version,
):
    checks = [row["check"] for row in demo_version.content["checklist"]]
    assert any("Who will give you the shots" in c and "licensed physician" in c for c in checks)


def test_demo_comprehension_explains_why_each_wrong_answer_is_wrong(demo_version):
    for row in demo_version.content["comprehension"]:
        explanations = row["choice_explanations_html"]
        assert len(explanations) == len(row["choices"])
        for number, text in enumerate(explanations, start=1):
            assert bool(text) == (number != row["correct_choice"]), row["question"]
