"""The demo's health questionnaire, in English and Spanish: what it asks and what answers do."""

import pytest

from education import demo, demo_es
from education.demo import DemoContentError, demo_content_read, load_education_demo
from education.demo import load_education_demo_translation as load_spanish
from education.models import PRACTITIONER_WILL_DISCUSS, ScreeningAnswerType

from .test_demo_loader import GOOD_FILE, write_content
from .test_demo_translation import INFORMAL

RULES = ("needs_review", "stops_consent")


@pytest.fixture
def screening(clinic_admin):
    english = load_education_demo(publisher=clinic_admin)
    spanish = load_spanish(publisher=clinic_admin)
    return english.content["screening"], spanish.content["screening"]


@pytest.mark.parametrize(
    "topic",
    [
        "blood thinner",
        "supplements",
        "soy",
        "what is injected",
        "pregnant",
        "breastfeeding",
        "bleeding disorder",
        "diabetes",
        "immunity",
        "infection",
        "broken skin",
        "keloid",
        "reaction to an injection",
    ],
)
def test_the_demo_asks_about(topic):
    asked = [
        " ".join([row["question"], *(option["label"] for option in row.get("options", []))])
        for row in demo.SCREENING_QUESTIONS
    ]
    assert any(topic in text.lower() for text in asked)


def test_the_demo_uses_every_answer_type():
    used = {row.get("answer_type", "yes_no") for row in demo.SCREENING_QUESTIONS}
    assert used == set(ScreeningAnswerType.values)


@pytest.mark.django_db
def test_the_demo_carries_every_kind_of_rule(screening):
    english, _spanish = screening
    options = [option for row in english for option in row["options"]]
    assert any(option["highlight"] for option in options)
    assert any(option["note_html"] for option in options)
    assert any(option["needs_review"] for option in options)
    assert any(option["stop"] for option in options)


@pytest.mark.django_db
def test_every_demo_note_leaves_the_answer_to_the_practitioner(screening):
    # Our sources say nothing about who should not have mesotherapy: no note cites one.
    for language, questions in zip(("en", "es"), screening, strict=True):
        for option in (option for row in questions for option in row["options"]):
            if option["note_html"]:
                assert option["citations"] == []
                assert PRACTITIONER_WILL_DISCUSS[language] in option["note_html"].lower()


@pytest.mark.django_db
def test_spanish_questionnaire_matches_the_english_rule_for_rule(screening):
    english, spanish = screening
    assert len(spanish) == len(english)
    for ours, theirs in zip(english, spanish, strict=True):
        assert (theirs["answer_type"], theirs["required"]) == (
            ours["answer_type"],
            ours["required"],
        )
        rules = [
            [(o["stop"], o["needs_review"], len(o["highlight"])) for o in q["options"]]
            for q in (ours, theirs)
        ]
        assert rules[0] == rules[1]


def test_spanish_questionnaire_addresses_the_patient_as_usted():
    for row in demo_es.SCREENING_QUESTIONS:
        texts = [row["question"], row.get("hint", "")]
        texts += [
            text
            for option in row.get("options", [])
            for text in (option["label"], option.get("note", ""))
        ]
        assert not any(INFORMAL.search(text) for text in texts), row["question"]


@pytest.mark.django_db
def test_loading_the_questionnaire_again_publishes_nothing(screening, clinic_admin):
    assert load_education_demo(publisher=clinic_admin) is None
    assert load_spanish(publisher=clinic_admin) is None


def test_an_answer_highlighting_an_unknown_side_effect_is_refused(tmp_path):
    text = GOOD_FILE.replace('  "Vagal reaction and fainting",\n', '  "Hiccups",\n', 1)
    with pytest.raises(DemoContentError, match=r"highlights \['Hiccups'\]"):
        demo_content_read(write_content(tmp_path, text))


def test_an_answer_with_a_misspelt_rule_is_refused(tmp_path):
    text = GOOD_FILE.replace("stops_consent = true", "stop = true", 1)
    with pytest.raises(DemoContentError, match=r"option 1 has an unknown field 'stop'"):
        demo_content_read(write_content(tmp_path, text))
