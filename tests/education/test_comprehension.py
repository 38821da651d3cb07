import pytest
from django.core.exceptions import ValidationError

from tests import factories

pytestmark = pytest.mark.django_db


def test_answer_explanations_must_give_one_line_per_answer():
    question = factories.ComprehensionQuestionFactory.build(
        procedure=factories.ProcedureFactory(), choice_explanations="Only one line."
    )
    with pytest.raises(ValidationError) as error:
        question.full_clean()
    assert error.value.error_dict["choice_explanations"][0].code == "choice_explanation_count"


def test_answer_explanations_may_be_left_out():
    question = factories.ComprehensionQuestionFactory.build(
        procedure=factories.ProcedureFactory(), choice_explanations=""
    )
    question.full_clean()
    assert question.choice_explanation_list == ["", "", ""]


def test_the_right_answers_dash_stands_for_no_explanation():
    question = factories.ComprehensionQuestionFactory.build(
        choices="Yes\nNo", correct_choice=2, choice_explanations="It is not known.\n-"
    )
    assert question.choice_explanation_list == ["It is not known.", ""]
