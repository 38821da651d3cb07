"""Staff choose who signs when they invite (issue 14), from the practice area."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentInvitation, SignerRole

pytestmark = pytest.mark.django_db


def form_data(clinic, **extra):
    return {
        "patient_name": "Jordan Rivera",
        "patient_email": "family@example.com",
        "patient_date_of_birth": (
            timezone.localdate() - datetime.timedelta(days=12 * 366)
        ).isoformat(),
        "procedure": clinic["procedure"].pk,
        "practitioner": clinic["practitioner"].pk,
        "location": clinic["location"].pk,
        "formulation": clinic["formulation"].pk,
        "language": "en",
        "expires_at": (timezone.now() + datetime.timedelta(days=7)).strftime("%Y-%m-%d %H:%M"),
        "minimum_decision_hours": 0,
        **extra,
    }


def test_staff_invite_a_guardian_with_a_witness_required(
    as_practitioner, clinic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_practitioner.post(
            reverse("practice:invitation_new"),
            form_data(
                clinic,
                signer_role=SignerRole.GUARDIAN,
                representative_name="Sam Rivera",
                representative_relationship="Mother",
                witness_required="on",
            ),
        )
    assert response.status_code == 302
    invitation = ConsentInvitation.objects.get(patient_email="family@example.com")
    assert (invitation.signer_role, invitation.witness_required) == ("guardian", True)


def test_a_guardian_without_a_name_is_a_form_error(as_practitioner, clinic):
    response = as_practitioner.post(
        reverse("practice:invitation_new"),
        form_data(clinic, signer_role=SignerRole.GUARDIAN, representative_relationship="Mother"),
    )
    assert response.status_code == 400
    assert "Give the full name of the person who signs for the patient." in response.text
    assert not ConsentInvitation.objects.filter(patient_email="family@example.com").exists()


def test_a_representatives_document_is_stored_with_the_invitation(
    as_practitioner, clinic, django_capture_on_commit_callbacks
):
    adult = form_data(clinic, patient_date_of_birth="1950-01-01")
    document = SimpleUploadedFile("poa.pdf", b"%PDF-1.7 power of attorney", "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_practitioner.post(
            reverse("practice:invitation_new"),
            {
                **adult,
                "signer_role": SignerRole.REPRESENTATIVE,
                "representative_name": "Robin Rivera",
                "representative_relationship": "Son",
                "representative_authority": "Health care power of attorney",
                "representative_document": document,
            },
        )
    assert response.status_code == 302
    invitation = ConsentInvitation.objects.get(patient_email="family@example.com")
    assert invitation.representative_document.name.startswith("representative-authority/")


def test_representative_fields_typed_for_the_patient_alone_are_not_kept(
    as_practitioner, clinic, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_practitioner.post(
            reverse("practice:invitation_new"),
            form_data(
                clinic,
                patient_date_of_birth="1980-01-01",
                signer_role=SignerRole.PATIENT,
                representative_name="Someone",
            ),
        )
    assert response.status_code == 302
    invitation = ConsentInvitation.objects.get(patient_email="family@example.com")
    assert invitation.representative_name == ""
