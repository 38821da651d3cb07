"""The health review's loose ends: the record page shows the answers, the rules they triggered
and the review; "not suitable" is a state of its own; opening the answers is audited; the FHIR
export carries the answers."""

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.consent import Consent

from consent.models import InvitationEvent, InvitationEventKind
from consent.state import ConsentState, with_state
from tests.consent.test_screening import (  # noqa: F401  (a fixture)
    INFECTION,
    THINNERS,
    answered,
    questionnaire,
    review,
    sign_through_services,
)
from tests.practice.test_exports import fhir_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def to_review(questionnaire, invitation_and_token):  # noqa: F811
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    return invitation


@pytest.fixture
def reviewed_record(to_review, django_capture_on_commit_callbacks):
    review(to_review, note="Stopped aspirin a week before; fine.")
    with django_capture_on_commit_callbacks(execute=True):
        record, _token = sign_through_services(to_review)
    return record


def review_url(invitation):
    return reverse("practice:health_review", args=[invitation.pk])


def state_of(invitation):
    return with_state(type(invitation).objects.filter(pk=invitation.pk)).get().state


def test_the_record_page_shows_each_health_answer_with_the_rules_it_triggered(
    as_practitioner, reviewed_record
):
    html = as_practitioner.get(reverse("practice:record", args=[reviewed_record.code])).text
    assert THINNERS in html
    assert "Highlighted side effects: Bruising" in html
    assert "Added a note to the patient&#x27;s material" in html
    assert "Needs review by the practitioner" in html
    assert INFECTION in html


def test_the_record_page_shows_the_review_decision_and_note(as_practitioner, reviewed_record):
    html = as_practitioner.get(reverse("practice:record", args=[reviewed_record.code])).text
    assert "Review: Go ahead, by Maya Chen" in html
    assert "Stopped aspirin a week before; fine." in html


def test_a_not_suitable_decision_is_its_own_state(to_review):
    review(to_review, decision="not_suitable", note="Not while on warfarin.")
    assert state_of(to_review) == ConsentState.NOT_SUITABLE


def test_a_go_ahead_decision_is_not_the_not_suitable_state(to_review):
    review(to_review)
    assert state_of(to_review) == ConsentState.IN_PROGRESS


def test_the_same_answers_given_again_keep_the_not_suitable_decision(questionnaire, to_review):  # noqa: F811
    review(to_review, decision="not_suitable", note="Not while on warfarin.")
    answered(to_review, questionnaire, thinners="No")
    answered(to_review, questionnaire, thinners="Yes")
    assert state_of(to_review) == ConsentState.NOT_SUITABLE


def test_answers_changed_to_need_no_review_leave_the_not_suitable_state(
    questionnaire,  # noqa: F811
    to_review,
):
    review(to_review, decision="not_suitable", note="Not while on warfarin.")
    answered(to_review, questionnaire, thinners="No")
    assert state_of(to_review) == ConsentState.IN_PROGRESS


def test_the_dashboard_counts_and_filters_not_suitable(as_practitioner, to_review):
    review(to_review, decision="not_suitable", note="Not while on warfarin.")
    response = as_practitioner.get(reverse("practice:dashboard"), {"state": "not_suitable"})
    assert [row.pk for row in response.context["page"].object_list] == [to_review.pk]
    [state] = [row for row in response.context["states"] if row["value"] == "not_suitable"]
    assert state["count"] == 1
    assert "Not suitable after health review" in response.text


def test_opening_the_health_answers_is_audited_with_who_and_when(
    as_practitioner, practitioner_user, to_review
):
    as_practitioner.get(review_url(to_review))
    event = InvitationEvent.objects.get(
        invitation=to_review, kind=InvitationEventKind.HEALTH_ANSWERS_VIEWED
    )
    assert event.data == {"viewer_id": practitioner_user.pk, "viewer": "Maya Chen"}
    assert event.occurred_at is not None


def test_the_audit_event_holds_no_health_answer(as_practitioner, to_review):
    as_practitioner.get(review_url(to_review))
    event = InvitationEvent.objects.get(kind=InvitationEventKind.HEALTH_ANSWERS_VIEWED)
    assert "Yes" not in str(event.data) and THINNERS not in str(event.data)


def test_a_refused_look_at_the_health_answers_writes_no_audit_event(client, to_review):
    assert client.get(review_url(to_review)).status_code == 302  # to sign-in
    assert not InvitationEvent.objects.filter(
        kind=InvitationEventKind.HEALTH_ANSWERS_VIEWED
    ).exists()


def test_a_cross_site_look_at_the_health_answers_is_refused_and_not_audited(
    practitioner_user, to_review
):
    from tests.conftest import login_verified

    browser = Client()
    login_verified(browser, practitioner_user)
    response = browser.get(review_url(to_review), headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    assert not InvitationEvent.objects.filter(
        kind=InvitationEventKind.HEALTH_ANSWERS_VIEWED
    ).exists()


def test_fhir_carries_the_health_answers_as_a_questionnaire_response(reviewed_record):
    data = fhir_of(reviewed_record)
    [answers] = data["contained"]
    assert answers["resourceType"] == "QuestionnaireResponse"
    assert data["sourceReference"] == [{"reference": "#health-answers"}]
    thinners = next(item for item in answers["item"] if item["text"] == THINNERS)
    assert thinners["answer"][0]["valueCoding"]["display"] == "Yes"


def test_fhir_with_health_answers_is_a_valid_r5_consent(reviewed_record):
    resource = Consent.model_validate(fhir_of(reviewed_record))
    assert resource.contained[0].get_resource_type() == "QuestionnaireResponse"


def test_fhir_without_health_questions_has_no_questionnaire_response(signed_record):
    record, _token = signed_record
    data = fhir_of(record)
    assert "contained" not in data
    assert "sourceReference" not in data


def test_the_review_page_lists_who_opened_the_answers(as_practitioner, to_review):
    as_practitioner.get(review_url(to_review))
    response = as_practitioner.get(review_url(to_review))
    assert [v.data["viewer"] for v in response.context["viewings"]] == ["Maya Chen", "Maya Chen"]
    assert "Who opened these answers" in response.text
