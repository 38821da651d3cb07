"""The health questionnaire: authored on the draft, frozen with the version, checked on publish."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from education.content import build_snapshot, content_hash
from education.models import ScreeningAnswerType, ScreeningQuestion
from education.selectors import procedure_for_snapshot
from education.services import procedure_publish
from tests import factories


def _yes_no(procedure, **yes):
    question = factories.ScreeningQuestionFactory(
        procedure=procedure, question="Do you take blood thinners?"
    )
    option = factories.ScreeningOptionFactory(question=question, label="Yes", position=1, **yes)
    factories.ScreeningOptionFactory(question=question, label="No", position=2)
    return question, option


@pytest.mark.django_db
def test_a_procedure_without_questions_keeps_its_published_hash(published):
    draft = procedure_for_snapshot(procedure_id=published.procedure.pk)
    snapshot = build_snapshot(draft)
    assert "screening" not in snapshot
    assert content_hash(snapshot) == published.content_hash


@pytest.mark.django_db
def test_published_version_freezes_questions_options_and_their_rules(published, clinic_admin):
    procedure = published.procedure
    bruising = procedure.side_effects.get(name="Bruising")
    _question, yes = _yes_no(procedure, needs_review=True)
    yes.highlight_side_effects.set([bruising])
    version = procedure_publish(procedure=procedure, published_by=clinic_admin)
    [frozen] = version.content["screening"]
    assert frozen["question"] == "Do you take blood thinners?"
    assert frozen["answer_type"] == "yes_no"
    assert [option["label"] for option in frozen["options"]] == ["Yes", "No"]
    assert frozen["options"][0]["highlight"] == [bruising.pk]
    assert frozen["options"][0]["needs_review"] is True
    assert frozen["options"][1]["needs_review"] is False


@pytest.mark.django_db
def test_a_stop_option_is_frozen_as_stop(published, clinic_admin):
    _question, _yes = _yes_no(published.procedure, stops_consent=True)
    version = procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert version.content["screening"][0]["options"][0]["stop"] is True


@pytest.mark.django_db
def test_editing_a_question_after_publishing_leaves_the_version_unchanged(published, clinic_admin):
    question, _yes = _yes_no(published.procedure)
    version = procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    ScreeningQuestion.objects.filter(pk=question.pk).update(question="Changed?")
    question.options.update(stops_consent=True)
    version.refresh_from_db()
    assert version.content["screening"][0]["question"] == "Do you take blood thinners?"
    assert version.content["screening"][0]["options"][0]["stop"] is False


@pytest.mark.django_db
def test_adding_a_question_is_listed_but_not_a_material_change(published, clinic_admin):
    _yes_no(published.procedure)
    version = procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert "Health question added: Do you take blood thinners?" in version.change_summary
    assert version.is_material_change is False


@pytest.mark.django_db
def test_an_uncited_note_that_does_not_leave_it_to_the_practitioner_blocks_publishing(
    published, clinic_admin
):
    _yes_no(published.procedure, note="Blood thinners make bruising worse.")
    with pytest.raises(ValidationError) as excinfo:
        procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert excinfo.value.code == "unsourced_screening_note"
    assert "Do you take blood thinners?" in excinfo.value.messages[0]


@pytest.mark.django_db
def test_a_note_citing_a_reference_is_published_with_its_citation(published, clinic_admin):
    _question, yes = _yes_no(published.procedure, note="Blood thinners make bruising worse.")
    yes.references.set([factories.ReferenceFactory(title="A study")])
    version = procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    option = version.content["screening"][0]["options"][0]
    cited = {ref["number"]: ref["title"] for ref in version.content["references"]}
    assert [cited[number] for number in option["citations"]] == ["A study"]
    assert "bruising" in option["note_html"]


@pytest.mark.django_db
def test_a_note_saying_the_practitioner_will_discuss_it_needs_no_reference(published, clinic_admin):
    _yes_no(published.procedure, note="Your practitioner will discuss this with you.")
    version = procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert version.content["screening"][0]["options"][0]["citations"] == []


@pytest.mark.django_db
def test_a_spanish_note_is_checked_for_the_spanish_wording(published_spanish, clinic_admin):
    procedure = published_spanish.procedure
    question = factories.ScreeningQuestionFactory(procedure=procedure, question="¿Anticoagulantes?")
    factories.ScreeningOptionFactory(
        question=question, label="Sí", note="Su profesional lo hablará con usted."
    )
    factories.ScreeningOptionFactory(question=question, label="No")
    version = procedure_publish(procedure=procedure, published_by=clinic_admin)
    assert version.content["screening"][0]["options"][0]["label"] == "Sí"


@pytest.mark.django_db
def test_an_unknown_answer_type_is_refused_by_the_database(procedure):
    with pytest.raises(IntegrityError):
        factories.ScreeningQuestionFactory(procedure=procedure, answer_type="essay")


@pytest.mark.django_db
def test_a_text_question_cannot_have_answer_options(procedure):
    question = factories.ScreeningQuestionFactory(
        procedure=procedure, answer_type=ScreeningAnswerType.SHORT_TEXT
    )
    option = factories.ScreeningOptionFactory.build(question=question, label="Yes")
    with pytest.raises(ValidationError) as excinfo:
        option.full_clean()
    assert excinfo.value.error_dict["__all__"][0].code == "options_not_allowed"


@pytest.mark.django_db
def test_snapshot_query_count_does_not_grow_with_questions(
    procedure, django_assert_max_num_queries
):
    for number in range(5):
        _question, yes = _yes_no(procedure)
        yes.highlight_side_effects.set(procedure.side_effects.all())
        yes.references.set([factories.ReferenceFactory(title=f"Source {number}")])
    with django_assert_max_num_queries(16):
        build_snapshot(procedure_for_snapshot(procedure_id=procedure.pk))


@pytest.mark.django_db
def test_a_choice_question_with_fewer_than_two_answers_blocks_publishing(published, clinic_admin):
    question = factories.ScreeningQuestionFactory(procedure=published.procedure, question="Q?")
    factories.ScreeningOptionFactory(question=question, label="Yes")
    with pytest.raises(ValidationError) as excinfo:
        procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert excinfo.value.code == "screening_question_without_answers"


@pytest.mark.django_db
def test_a_text_question_needs_no_answers_to_publish(published, clinic_admin):
    factories.ScreeningQuestionFactory(
        procedure=published.procedure, question="Which?", answer_type="short_text"
    )
    version = procedure_publish(procedure=published.procedure, published_by=clinic_admin)
    assert version.content["screening"][0]["options"] == []
