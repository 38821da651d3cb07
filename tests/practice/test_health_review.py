"""The practitioner's review of a patient's health answers, from the dashboard."""

import pytest
from django.urls import reverse

from consent.models import ScreeningReview
from tests import factories
from tests.conftest import login_verified
from tests.consent.test_screening import answered, questionnaire  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def to_review(questionnaire, invitation_and_token):  # noqa: F811
    invitation, _token = invitation_and_token
    answered(invitation, questionnaire, thinners="Yes")
    return invitation


def review_url(invitation):
    return reverse("practice:health_review", args=[invitation.pk])


def test_the_dashboard_shows_health_answers_to_review_with_a_link(as_practitioner, to_review):
    response = as_practitioner.get(reverse("practice:dashboard"))
    assert "Health answers to review" in response.text
    assert review_url(to_review) in response.text
    [state] = [row for row in response.context["states"] if row["value"] == "health_review"]
    assert state["count"] == 1


def test_the_dashboard_filters_on_health_answers_to_review(as_practitioner, to_review):
    response = as_practitioner.get(reverse("practice:dashboard"), {"state": "health_review"})
    assert [row.pk for row in response.context["page"].object_list] == [to_review.pk]


def test_the_review_page_shows_the_answers(as_practitioner, to_review):
    response = as_practitioner.get(review_url(to_review))
    assert response.status_code == 200
    assert "Do you take blood thinners?" in response.text
    assert "needs review" in response.text


def test_the_practitioner_records_a_decision_with_a_note(as_practitioner, to_review, mailoutbox):
    response = as_practitioner.post(
        review_url(to_review), {"decision": "go_ahead", "note": "Spoke on the phone."}
    )
    assert response.status_code == 302
    review = ScreeningReview.objects.get()
    assert (review.decision, review.note) == ("go_ahead", "Spoke on the phone.")
    assert review.draft.invitation == to_review


def test_a_decision_without_a_note_is_a_form_error(as_practitioner, to_review):
    response = as_practitioner.post(review_url(to_review), {"decision": "go_ahead", "note": ""})
    assert response.status_code == 400
    assert "Write a note about your decision." in response.text
    assert not ScreeningReview.objects.exists()


def test_an_unknown_decision_is_a_form_error(as_practitioner, to_review):
    response = as_practitioner.post(review_url(to_review), {"decision": "maybe", "note": "x"})
    assert response.status_code == 400
    assert not ScreeningReview.objects.exists()


def test_another_practitioners_patient_is_not_found(client, to_review):
    other = factories.PractitionerFactory(display_name="Dr. Other")
    from django.contrib.auth.models import Group

    from accounts.roles import PRACTITIONERS

    other.user.groups.add(Group.objects.get(name=PRACTITIONERS))
    login_verified(client, other.user)
    assert client.get(review_url(to_review)).status_code == 404
    assert (
        client.post(review_url(to_review), {"decision": "go_ahead", "note": "x"}).status_code == 404
    )
    assert not ScreeningReview.objects.exists()


def test_a_signed_consent_has_no_review_page(as_practitioner, signed_record):
    record, _token = signed_record
    assert as_practitioner.get(review_url(record.invitation)).status_code == 404


def test_the_review_page_reads_in_a_fixed_number_of_queries(
    as_practitioner, to_review, django_assert_max_num_queries
):
    # 13: the page's reads, whether a signed record's check-in is under review (courses), and
    # the audit event its opening writes.
    with django_assert_max_num_queries(13):
        assert as_practitioner.get(review_url(to_review)).status_code == 200
