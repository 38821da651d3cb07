"""'Start on this device' on the dashboard: who may hand a clinic device to a patient, for which
invitations, and that the staff session on that device is over once they do."""

import datetime
import hashlib

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from consent import kiosk, services
from consent.models import ConsentInvitation, InvitationEvent, InvitationEventKind
from tests import factories
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

KIOSK_URL = reverse("consent:kiosk")


def start_url(invitation):
    return reverse("practice:invitation_kiosk", kwargs={"pk": invitation.pk})


@pytest.fixture
def invitation(invitation_and_token):
    return invitation_and_token[0]


def test_the_patients_practitioner_starts_the_kiosk(as_practitioner, invitation, practitioner_user):
    response = as_practitioner.post(start_url(invitation))
    assert response.status_code == 302
    assert response.url == KIOSK_URL
    event = InvitationEvent.objects.get(
        invitation=invitation, kind=InvitationEventKind.KIOSK_STARTED
    )
    assert event.data == {"started_by": practitioner_user.pk}


def test_a_clinic_admin_starts_the_kiosk_for_any_practitioners_patient(as_admin, invitation):
    assert as_admin.post(start_url(invitation)).url == KIOSK_URL


def test_another_practitioner_cannot_start_the_kiosk(client, invitation):
    stranger = factories.PractitionerFactory().user
    login_verified(client, stranger)
    assert client.post(start_url(invitation)).status_code == 404
    assert not InvitationEvent.objects.filter(kind=InvitationEventKind.KIOSK_STARTED).exists()
    assert kiosk.KIOSK_KEY not in client.session


def test_signed_out_visitor_is_sent_to_sign_in(client, invitation):
    response = client.post(start_url(invitation))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url
    assert kiosk.KIOSK_KEY not in client.session


def test_starting_the_kiosk_needs_a_post(as_practitioner, invitation):
    assert as_practitioner.get(start_url(invitation)).status_code == 405


def test_starting_the_kiosk_needs_the_csrf_token(practitioner_user, invitation):
    browser = login_verified(Client(enforce_csrf_checks=True), practitioner_user)
    assert browser.post(start_url(invitation)).status_code == 403
    assert kiosk.KIOSK_KEY not in browser.session


def test_a_signed_invitation_cannot_go_on_a_kiosk(as_practitioner, signed_record):
    record, _token = signed_record
    assert as_practitioner.post(start_url(record.invitation)).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"withdrawn_at": timezone.now()}, "withdrawn"),
        ({"locked_at": timezone.now()}, "locked"),
        ({"expires_at": timezone.now() - datetime.timedelta(minutes=1)}, "expired"),
    ],
)
def test_a_closed_invitation_stays_on_the_dashboard_with_why(
    as_practitioner, invitation, change, message
):
    ConsentInvitation.objects.filter(pk=invitation.pk).update(**change)
    response = as_practitioner.post(start_url(invitation), follow=True)
    assert response.redirect_chain[-1][0] == reverse("practice:dashboard")
    assert message in response.text
    assert kiosk.KIOSK_KEY not in as_practitioner.session


def test_the_staff_session_is_ended_on_the_server(as_practitioner, invitation):
    staff_key = as_practitioner.session.session_key
    as_practitioner.post(start_url(invitation))
    assert not Session.objects.filter(session_key=staff_key).exists()
    assert "_auth_user_id" not in as_practitioner.session


def test_the_old_staff_cookie_opens_nothing_afterwards(as_practitioner, invitation):
    staff_key = as_practitioner.session.session_key
    as_practitioner.post(start_url(invitation))
    thief = Client()
    thief.cookies["sessionid"] = staff_key
    response = thief.get(reverse("practice:dashboard"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_the_kiosk_session_refuses_the_practice_area(as_practitioner, invitation):
    as_practitioner.post(start_url(invitation))
    response = as_practitioner.get(reverse("practice:dashboard"))
    assert response.status_code == 403
    assert "This device is in use for a consent" in response.text


def test_the_dashboard_offers_start_on_this_device_for_an_open_invitation(
    as_practitioner, invitation
):
    html = as_practitioner.get(reverse("practice:dashboard")).text
    assert start_url(invitation) in html
    assert "Start on this device" in html


def test_the_dashboard_offers_no_kiosk_for_a_signed_record(as_practitioner, signed_record):
    record, _token = signed_record
    html = as_practitioner.get(reverse("practice:dashboard")).text
    assert start_url(record.invitation) not in html


def test_the_dashboard_offers_no_kiosk_for_an_expired_invitation(as_practitioner, invitation):
    ConsentInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    services.consent_status_refresh(invitation_ids=[invitation.pk])  # as the services would
    html = as_practitioner.get(reverse("practice:dashboard")).text
    assert start_url(invitation) not in html


def _bulk_invitations(count, clinic, start=0):
    now = timezone.now()
    created = ConsentInvitation.objects.bulk_create(
        ConsentInvitation(
            patient_name=f"Open Patient {start + n:04d}",
            patient_email=f"open{start + n}@example.com",
            patient_date_of_birth=datetime.date(1980, 1, 1),
            procedure=clinic["procedure"],
            practitioner=clinic["practitioner"],
            location=clinic["location"],
            formulation=clinic["formulation"],
            expires_at=now + datetime.timedelta(days=1),
            token_hash=hashlib.sha256(f"open{start + n}".encode()).hexdigest(),
            created_by=clinic["admin"],
        )
        for n in range(count)
    )
    # Written behind the services' back: the stored states are filled as they would be.
    services.consent_status_refresh(invitation_ids=[row.pk for row in created])


def test_the_kiosk_buttons_cost_no_query_per_row(as_admin, clinic, django_assert_max_num_queries):
    _bulk_invitations(3, clinic)
    as_admin.get(reverse("practice:dashboard"))
    with django_assert_max_num_queries(13) as few:
        html = as_admin.get(reverse("practice:dashboard")).text
    assert html.count("Start on this device<") == 3
    _bulk_invitations(22, clinic, start=3)
    with django_assert_max_num_queries(13) as many:
        html = as_admin.get(reverse("practice:dashboard")).text
    assert html.count("Start on this device<") == 25
    assert len(few.captured_queries) == len(many.captured_queries)


def test_kiosk_start_service_refuses_a_signed_invitation(signed_record, clinic):
    record, _token = signed_record
    with pytest.raises(ValidationError) as refused:
        services.kiosk_start(invitation=record.invitation, started_by=clinic["admin"])
    assert refused.value.code == "signed"
