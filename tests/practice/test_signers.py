"""Signers in the practice area (issue 14): the staff witness, "Waiting for witness" on the
dashboard, every signer on the record page, in the PDF and in the FHIR export."""

import datetime
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from fhir.resources.consent import Consent
from pypdf import PdfReader

from consent import services
from consent.models import ConsentInvitation, EventKind, SignerRole
from consent.state import ConsentState
from practice import exports
from tests.consent.conftest import PATIENT_NAME, REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db

GUARDIAN = "Sam Rivera"


def minor_birth_date(age: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - age) - datetime.timedelta(days=30)


@pytest.fixture
def sign_as(invite, django_capture_on_commit_callbacks):
    """Sign a fresh invitation with `overrides` as `typed_name`; returns the record."""

    def make(typed_name=PATIENT_NAME, *, assent_name="", interpreter=None, **overrides):
        invitation, _token = invite(**overrides)
        draft = complete_draft(invitation)
        if assent_name:
            services.draft_save_assent(draft=draft, typed_name=assent_name, assent_text="Text")
        if interpreter:
            services.draft_save_interpreter(draft=draft, **interpreter)
        invitation = ConsentInvitation.objects.get(pk=invitation.pk)
        with django_capture_on_commit_callbacks(execute=True):
            record, _token = services.record_sign(
                invitation=invitation,
                typed_name=typed_name,
                drawn_signature="",
                request_meta=REQUEST_META,
            )
        return record

    return make


def guardian_record(sign_as):
    return sign_as(
        GUARDIAN,
        assent_name="Jordan Rivera",
        patient_name="Jordan Rivera",
        patient_date_of_birth=minor_birth_date(12),
        signer_role=SignerRole.GUARDIAN,
        representative_name=GUARDIAN,
        representative_relationship="Mother",
        witness_required=True,
    )


def pdf_text(record) -> str:
    with default_storage.open(record.stored_pdf.file.name, "rb") as handle:
        data = handle.read()
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# The staff witness ------------------------------------------------------------------------------


def test_the_record_page_offers_the_witness_form_while_it_waits(as_practitioner, sign_as):
    record = sign_as(witness_required=True)
    html = as_practitioner.get(reverse("practice:record", args=[record.code])).text
    assert "Waiting for witness" in html
    assert reverse("practice:witness", args=[record.code]) in html


def test_a_staff_member_records_that_they_witnessed_it(as_practitioner, sign_as):
    record = sign_as(witness_required=True)
    response = as_practitioner.post(
        reverse("practice:witness", args=[record.code]), {"witnessed": "on"}
    )
    assert response.status_code == 302
    event = record.events.get(kind=EventKind.WITNESSED)
    assert event.data["statement"].startswith("I saw the person named above sign")


def test_witnessing_without_the_statement_ticked_is_a_form_error(as_practitioner, sign_as):
    record = sign_as(witness_required=True)
    response = as_practitioner.post(reverse("practice:witness", args=[record.code]), {})
    assert response.status_code == 400
    assert not record.events.filter(kind=EventKind.WITNESSED).exists()


def test_witnessing_a_record_that_needs_no_witness_is_refused_on_the_page(as_practitioner, sign_as):
    record = sign_as()
    response = as_practitioner.post(
        reverse("practice:witness", args=[record.code]), {"witnessed": "on"}
    )
    assert response.status_code == 400
    assert "This consent is not waiting for a witness." in response.text


def test_another_practitioners_record_cannot_be_witnessed(client, sign_as):
    from tests import factories
    from tests.conftest import login_verified

    record = sign_as(witness_required=True)
    other = factories.PractitionerFactory()
    login_verified(client, other.user)
    response = client.post(reverse("practice:witness", args=[record.code]), {"witnessed": "on"})
    assert response.status_code in (403, 404)
    assert not record.events.filter(kind=EventKind.WITNESSED).exists()


def test_the_dashboard_lists_a_record_waiting_for_its_witness(as_admin, sign_as):
    sign_as(witness_required=True)
    url = f"{reverse('practice:dashboard')}?state={ConsentState.WAITING_FOR_WITNESS}"
    html = as_admin.get(url).text
    assert "Waiting for witness" in html
    assert PATIENT_NAME in html


def test_the_record_pages_queries_do_not_grow_with_its_signers(
    as_admin, sign_as, clinic, django_assert_max_num_queries
):
    alone = sign_as()
    as_admin.get(reverse("practice:record", args=[alone.code]))
    with django_assert_max_num_queries(20) as one:
        as_admin.get(reverse("practice:record", args=[alone.code]))
    many = sign_as(
        witness_required=True,
        interpreter_required=True,
        interpreter={"name": "Ana López", "language": "Spanish", "registration": "1"},
    )
    services.record_witness(record=many, staff_user=clinic["admin"], request_meta=REQUEST_META)
    as_admin.get(reverse("practice:record", args=[many.code]))
    with django_assert_max_num_queries(20) as several:
        as_admin.get(reverse("practice:record", args=[many.code]))
    assert len(several.captured_queries) == len(one.captured_queries)


# The record page, the PDF and FHIR --------------------------------------------------------------


def test_the_record_page_names_every_signer_in_their_role(as_admin, sign_as):
    record = guardian_record(sign_as)
    html = as_admin.get(reverse("practice:record", args=[record.code])).text
    assert "Parent or guardian:</strong> Sam Rivera" in html
    assert "The minor&#x27;s assent:</strong> Jordan Rivera" in html


def test_the_pdf_has_a_signature_block_for_each_signer(sign_as):
    record = guardian_record(sign_as)
    text = pdf_text(record)
    assert "Signature: Parent or guardian" in text
    assert "Signature: The minor’s assent" in text or "Signature: The minor's assent" in text
    assert "Waiting for witness" in text


def test_the_pdf_states_the_guardians_meaning_of_signature(sign_as):
    text = " ".join(pdf_text(guardian_record(sign_as)).split())
    assert "as the parent or guardian of the patient, Jordan Rivera" in text


def test_the_pdf_names_the_interpreter_and_their_language(sign_as):
    record = sign_as(
        interpreter_required=True,
        interpreter={"name": "Ana López", "language": "Spanish", "registration": "NB-1"},
    )
    text = pdf_text(record)
    assert "Signature: Interpreter" in text
    assert "Ana López" in text and "Spanish" in text


def fhir_of(record) -> dict:
    with default_storage.open(record.stored_pdf.file.name, "rb") as handle:
        data = handle.read()
    return exports.record_fhir_consent(record, pdf_bytes=data, base_url="https://clinic.example")


def test_fhir_verification_lists_every_signer_and_stays_valid_r5(sign_as, clinic):
    record = guardian_record(sign_as)
    services.record_witness(record=record, staff_user=clinic["admin"], request_meta=REQUEST_META)
    resource = fhir_of(record)
    Consent.model_validate(resource)
    kinds = [row["verificationType"]["text"] for row in resource["verification"]]
    assert kinds == ["Parent or guardian", "The minor's assent", "Witness"]


def test_fhir_grantor_is_the_guardian_as_a_related_person(sign_as):
    resource = fhir_of(guardian_record(sign_as))
    assert resource["grantor"] == [{"type": "RelatedPerson", "display": GUARDIAN}]
    roles = [
        actor["role"].get("coding", [{}])[0].get("code")
        for actor in resource["provision"][0]["actor"]
    ]
    assert roles == ["PRF", "GUARD"]


def test_the_pdf_names_the_representative_their_relationship_and_authority(sign_as):
    record = sign_as(
        "Robin Morgan",
        signer_role=SignerRole.REPRESENTATIVE,
        representative_name="Robin Morgan",
        representative_relationship="Son",
        representative_authority="Health care power of attorney dated 3 March 2024",
    )
    text = " ".join(pdf_text(record).split())
    assert "Signature: Legally authorised representative" in text
    assert f"Signed by Robin Morgan (Son) for the patient, {PATIENT_NAME}." in text
    assert "Authority: Health care power of attorney dated 3 March 2024" in text


def test_the_patients_pdf_names_them_as_the_patient_with_no_witness_to_wait_for(sign_as):
    text = pdf_text(sign_as())
    assert "Signature: Patient" in text
    assert "Waiting for witness" not in text
