"""The dashboard's link column: sent -> delivered or bounced -> opened -> identity confirmed ->
at step N -> signed, each with its time; a bounce offers to correct the address and resend."""

import datetime
import hashlib

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.roles import PRACTITIONERS
from consent import services
from consent.models import ConsentInvitation, InvitationEvent, InvitationEventKind
from tests import factories
from tests.conftest import login_verified

pytestmark = pytest.mark.django_db

Kind = InvitationEventKind


def note(invitation, kind, **data):
    return services.invitation_link_event_add(invitation_id=invitation.pk, kind=kind, data=data)


def link_cell(html: str, patient_name: str) -> str:
    row = html.split(patient_name, 1)[1].split("</tr>", 1)[0]
    return row.split('data-label="Link"', 1)[1].split("</td>", 1)[0]


def test_the_link_column_shows_each_moment_reached(as_admin, invitation_and_token):
    invitation, _token = invitation_and_token
    note(invitation, Kind.DELIVERED)
    note(invitation, Kind.OPENED)
    note(invitation, Kind.IDENTITY_CONFIRMED)
    note(invitation, Kind.STEP_REACHED, step=3)
    cell = link_cell(as_admin.get(reverse("practice:dashboard")).text, invitation.patient_name)
    for words in ("Sent", "Delivered", "Opened", "Identity confirmed", "At step 3 of"):
        assert words in cell
    assert cell.count("<time") == 5


def test_a_signed_consents_link_ends_with_signed(as_admin, signed_record):
    record, _token = signed_record
    cell = link_cell(
        as_admin.get(reverse("practice:dashboard")).text, record.invitation.patient_name
    )
    assert "Signed" in cell
    assert "At step" not in cell


def test_a_bounce_says_check_the_address_and_offers_the_correction(as_admin, invitation_and_token):
    invitation, _token = invitation_and_token
    note(invitation, Kind.BOUNCED)
    cell = link_cell(as_admin.get(reverse("practice:dashboard")).text, invitation.patient_name)
    assert "E-mail bounced: check the address" in cell
    assert reverse("practice:invitation_email", kwargs={"pk": invitation.pk}) in cell


def test_a_bounce_of_an_earlier_email_is_forgotten_once_the_link_is_sent_again(
    as_admin, invitation_and_token
):
    invitation, _token = invitation_and_token
    note(invitation, Kind.BOUNCED)
    note(invitation, Kind.SENT)
    cell = link_cell(as_admin.get(reverse("practice:dashboard")).text, invitation.patient_name)
    assert "bounced" not in cell


def test_staff_correct_the_address_and_the_link_is_resent(
    as_admin, invitation_and_token, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, _token = invitation_and_token
    note(invitation, Kind.BOUNCED)
    url = reverse("practice:invitation_email", kwargs={"pk": invitation.pk})
    assert as_admin.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = as_admin.post(url, {"patient_email": "alex.m@example.org"})
    assert response.status_code == 302
    assert mailoutbox[-1].to == ["alex.m@example.org"]
    assert InvitationEvent.objects.filter(invitation=invitation, kind=Kind.EMAIL_CORRECTED).exists()


def test_an_invalid_address_is_a_form_error(as_admin, invitation_and_token):
    invitation, _token = invitation_and_token
    url = reverse("practice:invitation_email", kwargs={"pk": invitation.pk})
    response = as_admin.post(url, {"patient_email": "not an address"})
    assert response.status_code == 400
    assert ConsentInvitation.objects.get(pk=invitation.pk).patient_email == "alex@example.com"


def test_a_signed_invitations_address_form_is_not_found(as_admin, signed_record):
    record, _token = signed_record
    url = reverse("practice:invitation_email", kwargs={"pk": record.invitation_id})
    assert as_admin.get(url).status_code == 404


def test_another_practitioners_invitation_is_not_found(client, invitation_and_token):
    invitation, _token = invitation_and_token
    other = factories.PractitionerFactory()
    other.user.groups.add(Group.objects.get(name=PRACTITIONERS))
    login_verified(client, other.user)
    url = reverse("practice:invitation_email", kwargs={"pk": invitation.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"patient_email": "x@example.org"}).status_code == 404


def _bulk_invited_with_events(count, clinic, start=0):
    now = timezone.now()
    invitations = ConsentInvitation.objects.bulk_create(
        ConsentInvitation(
            patient_name=f"Link Patient {start + n:04d}",
            patient_email=f"link{start + n}@example.com",
            patient_date_of_birth=datetime.date(1980, 1, 1),
            procedure=clinic["procedure"],
            practitioner=clinic["practitioner"],
            location=clinic["location"],
            formulation=clinic["formulation"],
            expires_at=now + datetime.timedelta(days=1),
            token_hash=hashlib.sha256(f"link-token{start + n}".encode()).hexdigest(),
            created_by=clinic["admin"],
        )
        for n in range(count)
    )
    InvitationEvent.objects.bulk_create(
        InvitationEvent(invitation=invitation, kind=kind, data=data)
        for invitation in invitations
        for kind, data in (
            (Kind.SENT, {}),
            (Kind.DELIVERED, {}),
            (Kind.OPENED, {}),
            (Kind.IDENTITY_CONFIRMED, {}),
            (Kind.STEP_REACHED, {"step": 1}),
            (Kind.STEP_REACHED, {"step": 2}),
        )
    )
    # Written behind the services' back: the stored states are filled as they would be.
    services.consent_status_refresh(invitation_ids=[invitation.pk for invitation in invitations])


def test_dashboard_query_count_is_the_same_with_5_and_60_links_in_progress(
    as_admin, clinic, django_assert_max_num_queries
):
    _bulk_invited_with_events(5, clinic)
    as_admin.get(reverse("practice:dashboard"))
    with django_assert_max_num_queries(13) as few:
        assert "At step 2 of" in as_admin.get(reverse("practice:dashboard")).text
    _bulk_invited_with_events(55, clinic, start=5)
    with django_assert_max_num_queries(13) as many:
        html = as_admin.get(reverse("practice:dashboard")).text
    assert "60 consents" in html
    assert len(few.captured_queries) == len(many.captured_queries)
