# ruff: noqa: F811  (fixtures imported from the consent tests are parameters)
"""A course of treatment in the practice area: the invitation form plans it, the dashboard shows
a side effect reported and a check-in to review, the record page lists check-ins, and the health
review decides a held course."""

import pytest
from django.urls import reverse

from consent.models import ConsentInvitation, ConsentRecord, TreatmentSession
from consent.state import ConsentState
from consent.state import record_state as stored_record_state
from tests.consent.course_helpers import CHECKIN_URL, checkin_token, open_checkin, sign_course
from tests.consent.test_screening import questionnaire  # noqa: F401

from .test_views import _state_of

pytestmark = pytest.mark.django_db


def record_state(record: ConsentRecord) -> str:
    """The consent's state as a page reads it now (a fresh read: the stored state is a row of
    its own, which the record object caches once read)."""
    return stored_record_state(ConsentRecord.objects.select_related("invitation").get(pk=record.pk))


def invitation_form_data(clinic, **extra):
    return {
        "patient_name": "Casey Course",
        "patient_email": "casey@example.com",
        "patient_date_of_birth": "1990-02-03",
        "procedure": clinic["procedure"].pk,
        "practitioner": clinic["practitioner"].pk,
        "location": clinic["location"].pk,
        "formulation": clinic["formulation"].pk,
        "language": "en",
        "expires_at": "2099-01-01 10:00",
        "minimum_decision_hours": 0,
        **extra,
    }


def test_staff_invite_a_patient_to_a_course_with_planned_dates(
    as_admin, clinic, django_capture_on_commit_callbacks
):
    data = invitation_form_data(
        clinic,
        course_kind="sessions",
        course_sessions=3,
        planned_dates="2099-01-10\n2099-01-24, 07/02/2099",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(reverse("practice:invitation_new"), data)
    assert response.status_code == 302
    invitation = ConsentInvitation.objects.get(patient_name="Casey Course")
    dates = [d.isoformat() for d in invitation.sessions.values_list("planned_on", flat=True)]
    assert dates == ["2099-01-10", "2099-01-24", "2099-02-07"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"course_kind": "sessions", "planned_dates": "2099-01-10"}, "between 2 and 52 sessions"),
        ({"course_kind": "single", "planned_dates": "soon"}, "is not a date"),
        ({"course_kind": "sessions", "course_sessions": "x"}, "Enter a whole number"),
        ({"course_kind": "fortnightly"}, "Select a valid choice"),
    ],
)
def test_a_course_that_does_not_add_up_is_a_form_error(as_admin, clinic, extra, message):
    response = as_admin.post(
        reverse("practice:invitation_new"), invitation_form_data(clinic, **extra)
    )
    assert response.status_code == 400
    assert message in response.text
    assert not ConsentInvitation.objects.filter(patient_name="Casey Course").exists()


def checked_in(client, record, number, capture, questionnaire, **data):
    open_checkin(client, checkin_token(record, number, capture))
    thinners = questionnaire["Do you take blood thinners?"]
    infection = questionnaire["Do you have an infection where you want treatment?"]
    option = {row["label"]: row["id"] for row in thinners["options"]}
    no_infection = next(o["id"] for o in infection["options"] if o["label"] == "No")
    post = {
        f"question_{thinners['id']}": option[data.pop("thinners", "No")],
        f"question_{infection['id']}": no_infection,
        "decision": "go_ahead",
        **data,
    }
    assert client.post(CHECKIN_URL, post).status_code == 200
    client.logout()


def test_a_side_effect_reported_shows_on_the_dashboard_and_the_record_page(
    client, practitioner_user, questionnaire, invite, django_capture_on_commit_callbacks
):
    from tests.conftest import login_verified

    record = sign_course(invite, django_capture_on_commit_callbacks)
    checked_in(
        client,
        record,
        2,
        django_capture_on_commit_callbacks,
        questionnaire,
        side_effect_note="A bruise that lasted a week",
    )
    login_verified(client, practitioner_user)
    assert _state_of(client, record.code, ConsentState.SIDE_EFFECT_REPORTED)
    page = client.get(reverse("practice:record", kwargs={"code": record.code}))
    assert "Side effect reported" in page.text
    assert "A bruise that lasted a week" in page.text


def test_a_held_check_in_is_reviewed_through_the_health_review(
    client, practitioner_user, questionnaire, invite, django_capture_on_commit_callbacks
):
    from tests.conftest import login_verified

    record = sign_course(invite, django_capture_on_commit_callbacks)
    checked_in(client, record, 2, django_capture_on_commit_callbacks, questionnaire, thinners="Yes")
    login_verified(client, practitioner_user)
    assert _state_of(client, record.code, ConsentState.CHECKIN_REVIEW)
    url = reverse("practice:health_review", kwargs={"pk": record.invitation_id})
    page = client.get(url)
    assert "These are the answers from a check-in" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "go_ahead", "note": "Fine to go on."})
    assert response.status_code == 302
    assert record_state(record) == ConsentState.AWAITING_ANSWERS
    assert client.get(url).status_code == 404  # nothing left to review


def test_the_health_review_of_a_signed_course_without_a_held_check_in_is_404(
    as_practitioner, invite, django_capture_on_commit_callbacks
):
    record = sign_course(invite, django_capture_on_commit_callbacks)
    url = reverse("practice:health_review", kwargs={"pk": record.invitation_id})
    assert as_practitioner.get(url).status_code == 404


def test_the_record_page_query_count_does_not_grow_with_check_ins(
    client,
    practitioner_user,
    questionnaire,
    invite,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    from tests.conftest import login_verified

    record = sign_course(
        invite, django_capture_on_commit_callbacks, sessions=5, days=(0, 1, 2, 3, 4)
    )
    for number in (2, 3, 4):
        checked_in(
            client,
            record,
            number,
            django_capture_on_commit_callbacks,
            questionnaire,
            side_effect_note=f"note {number}",
        )
    login_verified(client, practitioner_user)
    url = reverse("practice:record", kwargs={"code": record.code})
    client.get(url)
    with django_assert_max_num_queries(19):
        page = client.get(url)
    assert page.text.count("Side effect reported") >= 3
    assert TreatmentSession.objects.filter(invitation=record.invitation).count() == 5
