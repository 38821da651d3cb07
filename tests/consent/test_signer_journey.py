"""The wizard speaks to whoever is in front of it (issue 14): the patient, a parent or guardian
with the minor's assent, a representative, an interpreter and a witness on the same device."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consent.models import ConsentDraft, ConsentRecord, SignerRole
from consent.state import ConsentState, record_state
from tests.consent.conftest import PATIENT_NAME
from tests.consent.test_journey import open_link, sign, step_url, walk_to_sign

pytestmark = pytest.mark.django_db

GUARDIAN = "Sam Rivera"
MINOR = "Jordan Rivera"


def birth_date(age: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - age) - datetime.timedelta(days=30)


@pytest.fixture
def guardian_link(invite, client):
    """A guardian invitation for a 12-year-old (the clinic's age of assent is 7), opened."""
    dob = birth_date(12)
    invitation, token = invite(
        patient_name=MINOR,
        patient_date_of_birth=dob,
        signer_role=SignerRole.GUARDIAN,
        representative_name=GUARDIAN,
        representative_relationship="Mother",
    )
    open_link(client, token, date_of_birth=dob)
    return invitation


@pytest.fixture
def representative_link(invite, client):
    invitation, token = invite(
        signer_role=SignerRole.REPRESENTATIVE,
        representative_name="Robin Morgan",
        representative_relationship="Son",
        representative_authority="Health care power of attorney",
        witness_required=True,
    )
    open_link(client, token)
    return invitation


def test_the_patient_is_told_they_sign_for_themselves(client, invitation_and_token):
    _invitation, token = invitation_and_token
    open_link(client, token)
    client.post(reverse("consent:esign"), {"agree": "on"})
    html = client.get(step_url("about")).text
    assert f"You are reading and signing for yourself, {PATIENT_NAME}." in html


def test_every_step_names_the_patient_and_the_guardians_role(client, guardian_link):
    client.post(reverse("consent:esign"), {"agree": "on"})
    html = client.get(step_url("about")).text
    assert "You are reading and signing for the patient, Jordan Rivera, as their parent" in html
    assert "“You” on these pages means you, Sam Rivera." in html


def test_the_guardians_acknowledgements_are_worded_for_the_patient(client, guardian_link):
    client.post(reverse("consent:esign"), {"agree": "on"})
    client.post(step_url("about"), {"agree": "on"})
    html = client.get(step_url("side-effects")).text
    assert "may happen to the patient, Jordan Rivera." in html
    assert "may happen to me." not in html


def test_the_guardian_sees_the_patients_step_titles(client, guardian_link):
    client.post(reverse("consent:esign"), {"agree": "on"})
    html = client.get(step_url("about")).text
    assert "The patient&#x27;s health" in html or "The patient's health" in html


def test_a_minor_over_the_age_of_assent_has_the_assent_step_before_signing(client, guardian_link):
    walk_to_sign(client, guardian_link)
    response = client.get(step_url("sign"))
    assert response.status_code == 302
    assert response.url == step_url("assent")


def test_the_assent_step_is_written_for_the_minor(client, guardian_link):
    walk_to_sign(client, guardian_link)
    html = client.get(step_url("assent")).text
    assert "For you, Jordan Rivera" in html
    assert "Your practitioner will discuss this with you." in html


def test_the_minor_types_their_own_name_to_assent(client, guardian_link):
    walk_to_sign(client, guardian_link)
    response = client.post(step_url("assent"), {"typed_name": GUARDIAN, "assent": "on"})
    assert response.status_code == 400
    assert "Type your own name, as the clinic has it: Jordan Rivera." in response.text


def test_a_minor_under_the_age_of_assent_has_no_assent_step(client, invite):
    dob = birth_date(5)
    invitation, token = invite(
        patient_name=MINOR,
        patient_date_of_birth=dob,
        signer_role=SignerRole.GUARDIAN,
        representative_name=GUARDIAN,
        representative_relationship="Father",
    )
    open_link(client, token, date_of_birth=dob)
    walk_to_sign(client, invitation)
    assert client.get(step_url("sign")).status_code == 200
    assert client.get(step_url("assent")).status_code == 404


def test_the_guardian_signs_with_their_own_name_after_the_assent(client, guardian_link):
    walk_to_sign(client, guardian_link)
    client.post(step_url("assent"), {"typed_name": MINOR, "assent": "on"})
    html = client.get(step_url("sign")).text
    assert "as the parent or guardian of the patient, Jordan Rivera" in html
    response = sign(client, name=GUARDIAN)
    assert response.status_code == 302
    record = ConsentRecord.objects.get(invitation=guardian_link)
    assert [row["role"] for row in record.payload["signers"]] == ["guardian", "minor_assent"]


def test_a_guardian_typing_the_patients_name_is_warned_and_asked_to_confirm(client, guardian_link):
    walk_to_sign(client, guardian_link)
    client.post(step_url("assent"), {"typed_name": MINOR, "assent": "on"})
    response = sign(client, name=MINOR)
    assert response.status_code == 400
    assert "You typed the patient&#x27;s name." in response.text
    assert 'name="confirm_own_name"' in response.text
    assert not ConsentRecord.objects.filter(invitation=guardian_link).exists()


def test_a_confirmed_name_that_is_not_the_signers_is_still_refused(client, guardian_link):
    walk_to_sign(client, guardian_link)
    client.post(step_url("assent"), {"typed_name": MINOR, "assent": "on"})
    response = sign(client, name=MINOR, confirm_own_name="on")
    assert response.status_code == 400
    assert not ConsentRecord.objects.filter(invitation=guardian_link).exists()


def test_a_representative_signs_with_a_witness_present_on_the_device(client, representative_link):
    walk_to_sign(client, representative_link)
    response = sign(
        client,
        name="Robin Morgan",
        witness_name="Kim Lee",
        witness_typed_signature="kim lee",
        witness_attested="on",
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get(invitation=representative_link)
    assert record.payload["signers"][-1]["role"] == "witness"
    assert record_state(record) != ConsentState.WAITING_FOR_WITNESS


def test_the_representative_cannot_be_the_witness_on_the_device(client, representative_link):
    walk_to_sign(client, representative_link)
    response = sign(
        client,
        name="Robin Morgan",
        witness_name="Robin Morgan",
        witness_typed_signature="Robin Morgan",
        witness_attested="on",
    )
    assert response.status_code == 400
    assert "The person signing cannot also be the witness." in response.text


def test_without_a_witness_on_the_device_the_record_waits_for_one(client, representative_link):
    walk_to_sign(client, representative_link)
    assert sign(client, name="Robin Morgan").status_code == 302
    record = ConsentRecord.objects.get(invitation=representative_link)
    assert record_state(record) == ConsentState.WAITING_FOR_WITNESS


def test_the_interpreter_attests_before_signing(client, invite):
    invitation, token = invite(interpreter_required=True)
    open_link(client, token)
    walk_to_sign(client, invitation)
    assert client.get(step_url("sign")).url == step_url("interpreter")
    response = client.post(
        step_url("interpreter"),
        {"name": "Ana López", "language": "Spanish", "registration": "", "attested": "on"},
    )
    assert response.status_code == 302
    saved = ConsentDraft.objects.get(invitation=invitation).answers["interpreter"]
    assert (saved["name"], saved["language"]) == ("Ana López", "Spanish")


def test_the_interpreter_must_attest(client, invite):
    invitation, token = invite(interpreter_required=True)
    open_link(client, token)
    walk_to_sign(client, invitation)
    response = client.post(step_url("interpreter"), {"name": "Ana López", "language": "Spanish"})
    assert response.status_code == 400
    assert "The interpreter ticks the box to attest." in response.text
