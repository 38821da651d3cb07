"""The health questionnaire in the wizard: saved answers, highlighted risks, stop, review."""

import datetime
import io

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.urls import reverse
from pypdf import PdfReader

from consent import services
from consent.models import ConsentDraft, ConsentInvitation, RecordImmutable, ScreeningReview
from consent.state import ConsentState, with_state
from consent.storage import record_stored_pdf
from consent.wizard import STEP_SLUGS
from education.services import procedure_publish
from tests import factories

from .conftest import PATIENT_NAME, REQUEST_META, complete_draft
from .test_journey import open_link, step_url

pytestmark = pytest.mark.django_db

THINNERS = "Do you take blood thinners?"
INFECTION = "Do you have an infection where you want treatment?"
NOTE = "Your practitioner will discuss this with you."


@pytest.fixture
def questionnaire(clinic, clinic_admin):
    """The clinic's procedure with four health questions, published as version 2."""
    procedure = clinic["procedure"]
    bruising = procedure.side_effects.get(name="Bruising")
    thinners = factories.ScreeningQuestionFactory(
        procedure=procedure, question=THINNERS, position=1
    )
    yes = factories.ScreeningOptionFactory(
        question=thinners, label="Yes", position=1, needs_review=True, note=NOTE
    )
    yes.highlight_side_effects.set([bruising])
    factories.ScreeningOptionFactory(question=thinners, label="No", position=2)
    infection = factories.ScreeningQuestionFactory(
        procedure=procedure, question=INFECTION, position=2
    )
    factories.ScreeningOptionFactory(
        question=infection, label="Yes", position=1, stops_consent=True
    )
    factories.ScreeningOptionFactory(question=infection, label="No", position=2)
    factories.ScreeningQuestionFactory(
        procedure=procedure,
        question="Which medicines do you take?",
        answer_type="short_text",
        required=False,
        position=3,
    )
    factories.ScreeningQuestionFactory(
        procedure=procedure,
        question="When did you last have injections?",
        answer_type="date",
        required=False,
        position=4,
    )
    version = procedure_publish(procedure=procedure, published_by=clinic_admin)
    return {row["question"]: row for row in version.content["screening"]}


def option_id(questions, question, label):
    return next(o["id"] for o in questions[question]["options"] if o["label"] == label)


def field(questions, question):
    return f"question_{questions[question]['id']}"


def answers(questions, thinners="No", infection="No", **extra):
    return {
        field(questions, THINNERS): option_id(questions, THINNERS, thinners),
        field(questions, INFECTION): option_id(questions, INFECTION, infection),
        **extra,
    }


@pytest.fixture
def patient(client, questionnaire, invitation_and_token):
    """The patient signed in, past the e-signature agreement and the first step."""
    invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    client.post(step_url("about"), {"agree": "on"})
    return invitation


def draft_of(invitation):
    return ConsentDraft.objects.get(invitation=invitation)


def review(invitation, decision="go_ahead", note="Discussed by phone; fine to go ahead."):
    reviewer = factories.UserFactory(first_name="Maya", last_name="Chen")
    return services.screening_review_record(
        draft=draft_of(invitation), decision=decision, note=note, reviewer=reviewer
    )


def sign_through_services(invitation):
    return services.record_sign(
        invitation=invitation,
        typed_name=PATIENT_NAME,
        drawn_signature="",
        request_meta=REQUEST_META,
    )


def test_the_health_step_comes_just_before_the_side_effects():
    assert STEP_SLUGS.index("health") == STEP_SLUGS.index("side-effects") - 1


def test_the_health_step_asks_each_question(client, patient):
    html = client.get(step_url("health")).text
    assert THINNERS in html
    assert 'type="radio"' in html
    assert 'type="date"' in html


def test_a_missing_answer_is_a_form_error_and_nothing_is_saved(client, patient, questionnaire):
    response = client.post(step_url("health"), {field(questionnaire, THINNERS): ""})
    assert response.status_code == 400
    assert "Answer this question." in response.text
    assert "screening" not in draft_of(patient).answers


@pytest.mark.parametrize(
    ("question", "value"),
    [(THINNERS, "999999"), (THINNERS, "abc"), ("When did you last have injections?", "31/31/1")],
)
def test_an_answer_of_the_wrong_type_is_a_form_error(
    client, patient, questionnaire, question, value
):
    response = client.post(
        step_url("health"), {**answers(questionnaire), field(questionnaire, question): value}
    )
    assert response.status_code == 400
    assert "screening" not in draft_of(patient).answers


def test_answers_are_saved_in_the_draft(client, patient, questionnaire):
    data = answers(
        questionnaire, **{field(questionnaire, "When did you last have injections?"): "2026-01-05"}
    )
    assert client.post(step_url("health"), data).status_code == 302
    saved = draft_of(patient).answers["screening"]["answers"]
    assert saved[str(questionnaire[THINNERS]["id"])] == option_id(questionnaire, THINNERS, "No")
    assert saved[str(questionnaire["When did you last have injections?"]["id"])] == "2026-01-05"


def test_a_stop_answer_shows_the_kind_page_and_goes_no_further(client, patient, questionnaire):
    response = client.post(step_url("health"), answers(questionnaire, infection="Yes"))
    assert response.status_code == 200
    assert "The clinic will call you" in response.text
    assert client.get(step_url("side-effects"))["Location"] == step_url("health")


def test_highlighted_side_effects_come_first_saying_why(client, patient, questionnaire):
    client.post(step_url("health"), answers(questionnaire, thinners="Yes"))
    html = client.get(step_url("side-effects")).text
    assert html.index("These matter for you") < html.index("Bruising") < html.index("Fainting")
    assert f"because you said “Yes” to “{THINNERS}”" in html
    assert NOTE in html


def test_without_such_an_answer_nothing_is_highlighted(client, patient, questionnaire):
    client.post(step_url("health"), answers(questionnaire))
    html = client.get(step_url("side-effects")).text
    assert "These matter for you" not in html
    assert "Bruising" in html


def answered(invitation, questionnaire, **choice):
    draft = complete_draft(invitation)
    values = {
        str(questionnaire[THINNERS]["id"]): option_id(
            questionnaire, THINNERS, choice.get("thinners", "No")
        ),
        str(questionnaire[INFECTION]["id"]): option_id(questionnaire, INFECTION, "No"),
    }
    services.draft_save_screening(draft=draft, answers=values)
    return draft


def test_an_answer_needing_review_blocks_signing(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    with pytest.raises(services.ConsentRefused) as refused:
        sign_through_services(invitation)
    assert [r.code for r in refused.value.refusals] == ["screening_review"]


def test_the_sign_page_says_the_practitioner_must_look_first(client, patient, questionnaire):
    complete_draft(patient)
    client.post(step_url("health"), answers(questionnaire, thinners="Yes"))
    html = client.get(step_url("sign")).text
    assert "Your practitioner needs to look at your health answers" in html


def test_a_go_ahead_review_lets_the_patient_sign_and_is_kept_in_the_record(
    questionnaire, invitation_and_token, django_capture_on_commit_callbacks
):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    decision = review(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        record, _record_token = sign_through_services(invitation)
    screening = record.payload["screening"]
    assert screening["review"]["decision"] == "go_ahead"
    assert screening["review"]["review_hash"] == decision.review_hash
    thinners = next(row for row in screening["answers"] if row["question"] == THINNERS)
    assert (thinners["answer_text"], thinners["needs_review"]) == ("Yes", True)


def test_the_pdf_lists_the_health_answers_and_the_review(
    questionnaire, invitation_and_token, django_capture_on_commit_callbacks
):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    review(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        record, _record_token = sign_through_services(invitation)
    text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(record_stored_pdf(record))).pages
    )
    assert "Health questions" in text
    assert "Discussed by phone" in text


def test_a_not_suitable_review_keeps_signing_blocked(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    review(invitation, decision="not_suitable", note="We need to see you first.")
    with pytest.raises(services.ConsentRefused) as refused:
        sign_through_services(invitation)
    assert [r.code for r in refused.value.refusals] == ["screening_not_suitable"]


def test_answers_changed_after_a_review_need_a_new_review(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    review(invitation)
    other = {**draft_of(invitation).answers["screening"]["answers"]}
    other[str(questionnaire["Which medicines do you take?"]["id"])] = "Warfarin"
    services.draft_save_screening(draft=draft_of(invitation), answers=other)
    with pytest.raises(services.ConsentRefused) as refused:
        sign_through_services(invitation)
    assert [r.code for r in refused.value.refusals] == ["screening_review"]


def test_reviews_are_chained_and_never_change(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    first = review(invitation, decision="not_suitable", note="Call first.")
    second = review(invitation, note="Called; fine.")
    assert second.previous_hash == first.review_hash
    first.note = "Changed"
    with pytest.raises(RecordImmutable):
        first.save()
    with pytest.raises(RecordImmutable):
        ScreeningReview.objects.filter(pk=first.pk).update(note="Changed")


def test_no_review_is_taken_when_no_answer_asks_for_one(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire)
    with pytest.raises(services.ReviewRefused):
        review(invitation)
    assert not ScreeningReview.objects.exists()


def test_the_patient_is_emailed_without_health_data(
    questionnaire, invitation_and_token, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        review(invitation, note="Warfarin stopped a week ago.")
    [email] = mailoutbox
    assert email.to == ["alex@example.com"]
    assert "go on with your consent" in email.body
    for private in ("thinner", "Warfarin", "Yes"):
        assert private not in email.body


def test_a_signed_record_without_questions_keeps_an_empty_screening(signed_record):
    record, _token = signed_record
    assert record.payload["screening"]["answers"] == []
    assert record.payload["screening"]["review"] is None


def test_a_version_without_questions_needs_no_health_answers(client, invitation_and_token):
    _invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    client.post(step_url("about"), {"agree": "on"})
    assert client.get(step_url("side-effects")).status_code == 200
    assert "no health questions" in client.get(step_url("health")).text


def test_the_date_answer_is_kept_as_iso_text(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    draft = complete_draft(invitation)
    key = str(questionnaire["When did you last have injections?"]["id"])
    services.draft_save_screening(draft=draft, answers={key: datetime.date(2026, 1, 5).isoformat()})
    assert draft_of(invitation).answers["screening"]["answers"][key] == "2026-01-05"


# The dashboard's state ---------------------------------------------------------------------------


def state_of(invitation):
    return with_state(ConsentInvitation.objects.filter(pk=invitation.pk)).get().state


def test_answers_needing_review_put_the_consent_in_a_state_of_its_own(
    questionnaire, invitation_and_token
):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    assert state_of(invitation) == ConsentState.HEALTH_REVIEW
    assert ConsentState.HEALTH_REVIEW.label == "Health answers to review"


def test_a_review_ends_the_health_review_state(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    review(invitation, decision="go_ahead", note="Call first.")
    assert state_of(invitation) == ConsentState.IN_PROGRESS


def test_a_not_suitable_review_ends_the_health_review_state_in_its_own(
    questionnaire, invitation_and_token
):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    review(invitation, decision="not_suitable", note="Call first.")
    assert state_of(invitation) == ConsentState.NOT_SUITABLE


def test_answers_without_a_review_rule_stay_in_progress(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire)
    assert state_of(invitation) == ConsentState.IN_PROGRESS


def test_answers_changed_after_a_review_are_to_review_again(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    review(invitation)
    changed = {**draft_of(invitation).answers["screening"]["answers"]}
    changed[str(questionnaire["Which medicines do you take?"]["id"])] = "Warfarin"
    services.draft_save_screening(draft=draft_of(invitation), answers=changed)
    assert state_of(invitation) == ConsentState.HEALTH_REVIEW


# PostgreSQL: the trigger refuses what goes round the ORM -----------------------------------------


@pytest.mark.postgres
def test_the_database_refuses_to_change_a_review(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    decision = review(invitation)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        models.QuerySet(ScreeningReview).filter(pk=decision.pk).update(note="changed")
    assert ScreeningReview.objects.get(pk=decision.pk).note == decision.note


@pytest.mark.postgres
def test_the_database_refuses_to_delete_a_review(questionnaire, invitation_and_token):
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    decision = review(invitation)
    with pytest.raises(IntegrityError, match="immutable"), transaction.atomic():
        models.QuerySet(ScreeningReview).filter(pk=decision.pk)._raw_delete(connection.alias)
    assert ScreeningReview.objects.filter(pk=decision.pk).exists()


# Retention: a purge takes the health answers and their reviews -----------------------------------


def test_purging_the_record_deletes_the_health_answers_and_their_reviews(
    questionnaire, invitation_and_token, clinic_admin, settings, django_capture_on_commit_callbacks
):
    settings.RECORD_RETENTION_DAYS = 2
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    review(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        record, _record_token = sign_through_services(invitation)
        services.record_purge(
            record=record,
            confirmed_by=clinic_admin,
            now=record.signed_at + datetime.timedelta(days=3),
        )
    assert not ScreeningReview.objects.filter(draft__invitation=invitation).exists()
    assert not ConsentDraft.objects.filter(invitation=invitation).exists()
    record.refresh_from_db()
    assert "screening" not in record.payload
