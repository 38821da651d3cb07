"""A patient session ends when the clinic resends, withdraws or renews the link, or when five
wrong dates of birth lock it: whoever had the old link open is sent to the "session ended" page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from consent import services
from consent.views.access import SESSION_KEY

from .conftest import DATE_OF_BIRTH, REQUEST_META

pytestmark = pytest.mark.django_db

SESSION_ENDED = reverse("consent:session_ended")


def signed_in(token) -> Client:
    """A browser that opened `token`'s link and gave the right date of birth."""
    browser = Client()
    response = browser.post(
        reverse("consent:open", kwargs={"token": token}),
        {"date_of_birth": DATE_OF_BIRTH.isoformat()},
    )
    assert response.status_code == 302
    return browser


def test_an_open_session_carries_on_while_nothing_happens_to_the_link(invitation_and_token):
    _invitation, token = invitation_and_token
    browser = signed_in(token)
    assert browser.get(reverse("consent:esign")).status_code == 200
    assert browser.get(reverse("consent:esign")).status_code == 200


def test_resending_the_invitation_ends_its_open_patient_sessions(
    invitation_and_token, django_capture_on_commit_callbacks
):
    invitation, token = invitation_and_token
    browser = signed_in(token)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_resend(invitation=invitation)
    response = browser.get(reverse("consent:esign"))
    assert response["Location"] == SESSION_ENDED
    assert SESSION_KEY not in browser.session


def test_a_session_opened_with_the_resent_link_carries_on(
    invitation_and_token, django_capture_on_commit_callbacks
):
    invitation, _token = invitation_and_token
    with django_capture_on_commit_callbacks(execute=True):
        new_token = services.invitation_resend(invitation=invitation)
    browser = signed_in(new_token)
    assert browser.get(reverse("consent:esign")).status_code == 200


def test_withdrawing_the_invitation_ends_its_open_patient_sessions(invitation_and_token):
    invitation, token = invitation_and_token
    browser = signed_in(token)
    services.invitation_withdraw(invitation=invitation)
    response = browser.get(reverse("consent:esign"))
    assert response["Location"] == SESSION_ENDED


def test_five_wrong_dates_of_birth_end_the_links_open_patient_sessions(invitation_and_token):
    _invitation, token = invitation_and_token
    patient = signed_in(token)
    guesser = Client()
    for _ in range(5):
        guesser.post(
            reverse("consent:open", kwargs={"token": token}),
            {"date_of_birth": datetime.date(1990, 1, 1).isoformat()},
        )
    response = patient.get(reverse("consent:esign"))
    assert response["Location"] == SESSION_ENDED


def test_renewing_a_records_link_ends_the_patients_open_sessions(signed_record, clinic):
    record, record_token = signed_record
    browser = signed_in(record_token)
    assert browser.get(reverse("consent:record")).status_code == 200
    services.record_link_renew(record=record, renewed_by=clinic["admin"], request_meta=REQUEST_META)
    response = browser.get(reverse("consent:record_pdf"))
    assert response["Location"] == SESSION_ENDED


def test_an_answer_from_the_practitioner_keeps_the_patients_session(
    signed_record, clinic, django_capture_on_commit_callbacks
):
    record, record_token = signed_record
    browser = signed_in(record_token)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_answer_questions(
            record=record,
            answered_by=clinic["practitioner"].user,
            answer="It stings a little.",
            request_meta=REQUEST_META,
        )
    assert browser.get(reverse("consent:record")).status_code == 200
