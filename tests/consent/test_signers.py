"""Who signs (issue 14): the patient, a parent or guardian with the minor's assent, a
representative, a witness and an interpreter, as the services and the signed record see them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from consent import services
from consent.models import ConsentInvitation, EventKind, SignerRole
from consent.records import record_content_digest
from consent.signers import age_on, signer_plan
from consent.state import ConsentState, record_state
from consent.verification import verify_events, verify_record
from tests import factories
from tests.consent.conftest import PATIENT_NAME, REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db

GUARDIAN = "Sam Rivera"


def minor_birth_date(age: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - age) - datetime.timedelta(days=30)


def guardian_invitation(invite, *, age=12, **overrides):
    invitation, _token = invite(
        patient_name="Jordan Rivera",
        patient_date_of_birth=minor_birth_date(age),
        signer_role=SignerRole.GUARDIAN,
        representative_name=GUARDIAN,
        representative_relationship="Mother",
        **overrides,
    )
    return ConsentInvitation.objects.select_related("location", "procedure").get(pk=invitation.pk)


def representative_invitation(invite, **overrides):
    arguments = {
        "signer_role": SignerRole.REPRESENTATIVE,
        "representative_name": "Robin Morgan",
        "representative_relationship": "Son",
        "representative_authority": "Health care power of attorney dated 3 March 2024",
        **overrides,
    }
    invitation, _token = invite(**arguments)
    return ConsentInvitation.objects.select_related("location", "procedure").get(pk=invitation.pk)


def sign(invitation, typed_name, capture, **extra):
    with capture(execute=True):
        record, _token = services.record_sign(
            invitation=invitation,
            typed_name=typed_name,
            drawn_signature="",
            request_meta=REQUEST_META,
            **extra,
        )
    return record


def assent(invitation):
    draft = complete_draft(invitation)
    services.draft_save_assent(draft=draft, typed_name="Jordan Rivera", assent_text="Plain text")
    return draft


# Creating the invitation ---------------------------------------------------------------------


def test_age_counts_whole_years_until_the_birthday():
    assert age_on(datetime.date(2014, 6, 2), datetime.date(2026, 6, 1)) == 11
    assert age_on(datetime.date(2014, 6, 2), datetime.date(2026, 6, 2)) == 12


def test_a_guardian_invitation_keeps_the_guardians_name_and_relationship(invite):
    invitation = guardian_invitation(invite)
    assert (invitation.signer_role, invitation.representative_name) == ("guardian", GUARDIAN)
    assert invitation.representative_relationship == "Mother"


def test_a_representative_without_authority_is_refused(invite):
    with pytest.raises(ValidationError) as error:
        invite(
            signer_role=SignerRole.REPRESENTATIVE,
            representative_name="Robin Morgan",
            representative_relationship="Son",
        )
    assert error.value.error_dict["representative_authority"][0].code == "required"


def test_a_guardian_for_an_adult_is_refused(invite):
    with pytest.raises(ValidationError) as error:
        invite(
            signer_role=SignerRole.GUARDIAN,
            representative_name=GUARDIAN,
            representative_relationship="Mother",
        )
    assert error.value.error_dict["signer_role"][0].code == "guardian_for_adult"


def test_the_database_refuses_a_representative_without_a_name(invitation_and_token):
    invitation, _token = invitation_and_token
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentInvitation.objects.filter(pk=invitation.pk).update(signer_role="representative")


def test_the_database_refuses_an_unknown_signer_role(invitation_and_token):
    invitation, _token = invitation_and_token
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentInvitation.objects.filter(pk=invitation.pk).update(signer_role="neighbour")


def test_a_procedure_that_requires_a_witness_makes_every_invitation_require_one(clinic, invite):
    clinic["procedure"].requires_witness = True
    clinic["procedure"].save(update_fields=["requires_witness"])
    invitation, _token = invite()
    assert invitation.witness_required


# The minor's assent --------------------------------------------------------------------------


def test_a_minor_at_the_clinics_age_of_assent_gets_the_assent_step(invite, clinic):
    type(clinic["location"]).objects.filter(pk=clinic["location"].pk).update(assent_age=12)
    assert signer_plan(guardian_invitation(invite, age=12)).assent_required


def test_a_minor_under_the_clinics_age_of_assent_gets_no_assent_step(invite, clinic):
    type(clinic["location"]).objects.filter(pk=clinic["location"].pk).update(assent_age=12)
    assert not signer_plan(guardian_invitation(invite, age=11)).assent_required


def test_signing_for_a_minor_without_their_assent_is_refused(
    invite, django_capture_on_commit_callbacks
):
    invitation = guardian_invitation(invite)
    complete_draft(invitation)
    with pytest.raises(services.ConsentRefused) as refused:
        sign(invitation, GUARDIAN, django_capture_on_commit_callbacks)
    assert "incomplete" in {refusal.code for refusal in refused.value.refusals}


def test_the_guardians_record_names_the_guardian_and_the_minors_assent(
    invite, django_capture_on_commit_callbacks
):
    invitation = guardian_invitation(invite)
    assent(invitation)
    record = sign(invitation, GUARDIAN, django_capture_on_commit_callbacks)
    guardian, minor = record.payload["signers"]
    assert (guardian["role"], guardian["name"], guardian["on_behalf_of"]) == (
        "guardian",
        GUARDIAN,
        "Jordan Rivera",
    )
    assert guardian["relationship"] == "Mother"
    assert (minor["role"], minor["name"]) == ("minor_assent", "Jordan Rivera")
    assert minor["statement"] == "I know about this treatment, and I agree to have it."


def test_the_guardians_meaning_of_signature_names_the_patient_and_the_role(
    invite, django_capture_on_commit_callbacks
):
    invitation = guardian_invitation(invite)
    assent(invitation)
    record = sign(invitation, GUARDIAN, django_capture_on_commit_callbacks)
    meaning = record.payload["signature"]["meaning"]
    assert "as the parent or guardian of the patient, Jordan Rivera" in meaning
    assert "on their behalf" in meaning


# The representative and the name check --------------------------------------------------------


def test_a_representative_typing_the_patients_name_is_refused_unless_confirmed(
    invite, django_capture_on_commit_callbacks
):
    invitation = representative_invitation(invite)
    complete_draft(invitation)
    with pytest.raises(services.ConsentRefused) as refused:
        sign(invitation, PATIENT_NAME, django_capture_on_commit_callbacks)
    assert "signed_as_patient" in {refusal.code for refusal in refused.value.refusals}


def test_a_representative_whose_name_is_the_patients_signs_once_they_confirm_it(
    invite, django_capture_on_commit_callbacks
):
    invitation = representative_invitation(invite, representative_name=PATIENT_NAME)
    complete_draft(invitation)
    record = sign(
        invitation, PATIENT_NAME, django_capture_on_commit_callbacks, own_name_confirmed=True
    )
    assert record.payload["signers"][0]["role"] == "representative"


def test_the_representatives_record_keeps_their_authority(
    invite, django_capture_on_commit_callbacks
):
    invitation = representative_invitation(invite)
    complete_draft(invitation)
    record = sign(invitation, "robin  MORGAN", django_capture_on_commit_callbacks)
    signer = record.payload["signers"][0]
    assert signer["authority"] == "Health care power of attorney dated 3 March 2024"
    assert "legally authorised representative of the patient, Alex Morgan" in signer["statement"]
    assert record.payload["representative"]["relationship"] == "Son"


def test_every_signer_is_inside_the_records_hash(invite, django_capture_on_commit_callbacks):
    invitation = representative_invitation(invite)
    complete_draft(invitation)
    record = sign(invitation, "Robin Morgan", django_capture_on_commit_callbacks)
    record.payload["signers"][0]["name"] = "Someone Else"
    assert record_content_digest(record) != record.content_sha256


def test_a_patients_record_still_says_the_patient_signed_alone(
    signed_record,
):
    record, _token = signed_record
    assert record.payload["signer_role"] == "patient"
    assert [signer["role"] for signer in record.payload["signers"]] == ["patient"]
    assert record.payload["awaiting_witness"] is False


# The interpreter ------------------------------------------------------------------------------


def test_the_interpreters_attestation_is_in_the_record(invite, django_capture_on_commit_callbacks):
    invitation, _token = invite(interpreter_required=True)
    draft = complete_draft(invitation)
    services.draft_save_interpreter(
        draft=draft, name="Ana López", language="Spanish", registration="NBCMI-1234"
    )
    record = sign(invitation, PATIENT_NAME, django_capture_on_commit_callbacks)
    interpreter = record.payload["signers"][1]
    assert (interpreter["role"], interpreter["language"], interpreter["registration"]) == (
        "interpreter",
        "Spanish",
        "NBCMI-1234",
    )
    assert interpreter["statement"].startswith("I interpreted all of this information")


def test_signing_without_the_required_interpreter_is_refused(
    invite, django_capture_on_commit_callbacks
):
    invitation, _token = invite(interpreter_required=True)
    complete_draft(invitation)
    with pytest.raises(services.ConsentRefused):
        sign(invitation, PATIENT_NAME, django_capture_on_commit_callbacks)


# The witness ----------------------------------------------------------------------------------


def test_a_witness_present_on_the_device_completes_the_record_at_signing(
    invite, django_capture_on_commit_callbacks
):
    invitation, _token = invite(witness_required=True)
    complete_draft(invitation)
    record = sign(
        invitation, PATIENT_NAME, django_capture_on_commit_callbacks, witness={"name": "Kim Lee"}
    )
    assert record.payload["signers"][-1]["name"] == "Kim Lee"
    assert record_state(record) == ConsentState.AWAITING_ANSWERS  # complete; questions asked


def test_the_representative_cannot_be_the_witness(invite, django_capture_on_commit_callbacks):
    invitation = representative_invitation(invite, witness_required=True)
    complete_draft(invitation)
    with pytest.raises(services.ConsentRefused) as refused:
        sign(
            invitation,
            "Robin Morgan",
            django_capture_on_commit_callbacks,
            witness={"name": "Robin Morgan"},
        )
    assert "witness_is_signer" in {refusal.code for refusal in refused.value.refusals}


def test_a_record_signed_without_its_witness_waits_for_one(
    invite, django_capture_on_commit_callbacks
):
    invitation, _token = invite(witness_required=True)
    complete_draft(invitation)
    record = sign(invitation, PATIENT_NAME, django_capture_on_commit_callbacks)
    assert record_state(record) == ConsentState.WAITING_FOR_WITNESS


def test_a_staff_witness_is_a_chained_event_that_completes_the_record(
    invite, clinic, django_capture_on_commit_callbacks
):
    invitation, _token = invite(witness_required=True)
    complete_draft(invitation)
    record = sign(invitation, PATIENT_NAME, django_capture_on_commit_callbacks)
    payload_before = dict(record.payload)
    event = services.record_witness(
        record=record, staff_user=clinic["admin"], request_meta=REQUEST_META
    )
    record.refresh_from_db()
    assert event.kind == EventKind.WITNESSED
    assert event.data["account"] == clinic["admin"].get_username()
    assert event.previous_hash == record.events.order_by("-id")[1].event_hash
    assert record.payload == payload_before
    assert record_state(record) == ConsentState.AWAITING_ANSWERS  # complete; questions asked
    assert verify_record(record) == []
    assert verify_events(record, record.events.order_by("id")) == []


def test_a_record_is_witnessed_once_only(invite, clinic, django_capture_on_commit_callbacks):
    invitation, _token = invite(witness_required=True)
    complete_draft(invitation)
    record = sign(invitation, PATIENT_NAME, django_capture_on_commit_callbacks)
    services.record_witness(record=record, staff_user=clinic["admin"], request_meta=REQUEST_META)
    with pytest.raises(ValidationError) as error:
        services.record_witness(
            record=record, staff_user=clinic["admin"], request_meta=REQUEST_META
        )
    assert error.value.code == "not_awaiting"


def test_the_representative_cannot_witness_from_the_practice_area(
    invite, clinic, django_capture_on_commit_callbacks
):
    staff = factories.ClinicAdminFactory(first_name="Robin", last_name="Morgan")
    invitation = representative_invitation(invite, witness_required=True)
    complete_draft(invitation)
    record = sign(invitation, "Robin Morgan", django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as error:
        services.record_witness(record=record, staff_user=staff, request_meta=REQUEST_META)
    assert error.value.code == "witness_is_signer"


def test_countersigning_waits_for_the_witness(invite, clinic, django_capture_on_commit_callbacks):
    invitation, _token = invite(witness_required=True)
    complete_draft(invitation)
    record = sign(invitation, PATIENT_NAME, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as error:
        services.record_countersign(
            record=record,
            practitioner_user=clinic["practitioner"].user,
            typed_name=clinic["practitioner"].display_name,
            request_meta=REQUEST_META,
        )
    assert error.value.code == "awaiting_witness"


# Changing who must sign -------------------------------------------------------------------------


def test_removing_the_required_witness_after_signing_is_refused(
    invite, django_capture_on_commit_callbacks
):
    invitation, _token = invite(witness_required=True)
    complete_draft(invitation)
    sign(invitation, PATIENT_NAME, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as error:
        services.invitation_signers_change(
            invitation=invitation, witness_required=False, interpreter_required=False
        )
    assert error.value.code == "signer_removed_after_signing"


def test_removing_the_interpreter_after_they_attested_is_refused(invite):
    invitation, _token = invite(interpreter_required=True)
    draft = complete_draft(invitation)
    services.draft_save_interpreter(
        draft=draft, name="Ana López", language="Spanish", registration=""
    )
    with pytest.raises(ValidationError) as error:
        services.invitation_signers_change(
            invitation=invitation, witness_required=False, interpreter_required=False
        )
    assert error.value.code == "signer_removed_after_signing"


def test_removing_a_signer_before_anyone_signed_is_allowed(invite):
    invitation, _token = invite(witness_required=True)
    changed = services.invitation_signers_change(
        invitation=invitation, witness_required=False, interpreter_required=True
    )
    assert (changed.witness_required, changed.interpreter_required) == (False, True)


# Retention ----------------------------------------------------------------------------------------


def test_a_purge_erases_the_representative_and_their_document(
    invite, clinic, django_capture_on_commit_callbacks
):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    invitation = representative_invitation(invite)
    name = default_storage.save("representative-authority/poa.pdf", ContentFile(b"%PDF-1.7"))
    ConsentInvitation.objects.filter(pk=invitation.pk).update(representative_document=name)
    complete_draft(invitation)
    record = sign(invitation, "Robin Morgan", django_capture_on_commit_callbacks)
    later = timezone.now() + datetime.timedelta(days=365 * 30)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_purge(record=record, confirmed_by=clinic["admin"], now=later)
    invitation.refresh_from_db()
    assert (invitation.representative_name, invitation.representative_authority) == ("", "")
    assert not default_storage.exists(name)
