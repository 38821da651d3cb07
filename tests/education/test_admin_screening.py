"""The health questionnaire in admin: questions on the procedure, answers and rules per question."""

import pytest
from django.urls import reverse

from education.models import ScreeningOption
from tests import factories


def question_url(question):
    return reverse("admin:education_screeningquestion_change", args=[question.pk])


@pytest.fixture
def question(procedure):
    return factories.ScreeningQuestionFactory(procedure=procedure, question="Do you bruise easily?")


def test_clinic_admin_opens_a_question_with_its_answer_options(staff_client, question):
    factories.ScreeningOptionFactory(question=question, label="Yes")
    response = staff_client.get(question_url(question))
    assert response.status_code == 200
    assert 'id="options-group"' in response.text
    assert 'value="Yes"' in response.text


def test_only_the_procedures_own_side_effects_can_be_highlighted(staff_client, question):
    other = factories.SideEffectFactory(name="Someone else's effect")
    response = staff_client.get(question_url(question))
    field = response.context["inline_admin_formsets"][0].formset.empty_form.fields[
        "highlight_side_effects"
    ]
    offered = set(field.queryset.values_list("name", flat=True))
    assert offered == set(question.procedure.side_effects.values_list("name", flat=True))
    assert other.name not in offered


def test_clinic_admin_saves_an_option_with_its_rules(staff_client, question):
    bruising = question.procedure.side_effects.get(name="Bruising")
    data = {
        "procedure": question.procedure.pk,
        "question": question.question,
        "position": 1,
        "hint": "",
        "answer_type": "yes_no",
        "required": "on",
        "options-TOTAL_FORMS": 1,
        "options-INITIAL_FORMS": 0,
        "options-MIN_NUM_FORMS": 0,
        "options-MAX_NUM_FORMS": 1000,
        "options-0-label": "Yes",
        "options-0-position": 1,
        "options-0-highlight_side_effects": [bruising.pk],
        "options-0-note": "Your practitioner will discuss this with you.",
        "options-0-needs_review": "on",
    }
    response = staff_client.post(question_url(question), data)
    assert response.status_code == 302
    option = ScreeningOption.objects.get(question=question)
    assert option.needs_review is True
    assert option.stops_consent is False
    assert list(option.highlight_side_effects.all()) == [bruising]


def test_procedure_page_links_to_each_questions_page(staff_client, question):
    url = reverse("admin:education_procedure_change", args=[question.procedure.pk])
    response = staff_client.get(url)
    assert 'id="screening_questions-group"' in response.text
    assert question_url(question) in response.text
