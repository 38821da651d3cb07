"""The staff record page says where the patient's PDF copy stands, and after its last attempt
failed offers "make the PDF again" to a clinic admin or the record's practitioner (issue 15)."""

import pytest
from django.urls import reverse

from consent import services
from consent.models import ConsentRecord
from consent.services import pdfs
from consent.storage import PdfStatus, record_pdf_status
from tests import factories
from tests.conftest import login_verified
from tests.consent.conftest import PATIENT_NAME, REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db


def url(record, name):
    return reverse(name, kwargs={"code": record.code})


@pytest.fixture
def failed_record(invitation_and_token, django_capture_on_commit_callbacks, settings, monkeypatch):
    """A signed record whose PDF run failed at its last attempt."""
    settings.RECORD_PDF_ATTEMPTS = 2
    invitation, _token = invitation_and_token
    complete_draft(invitation)
    real = pdfs._render_pdf

    def fail(fields):
        raise RuntimeError("WeasyPrint fell over")

    monkeypatch.setattr(pdfs, "_render_pdf", fail)
    with django_capture_on_commit_callbacks(execute=True):
        record, _ = services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature="",
            request_meta=REQUEST_META,
        )
    monkeypatch.setattr(pdfs, "_render_pdf", real)
    assert record_pdf_status(record) == PdfStatus.FAILED
    return ConsentRecord.objects.get(pk=record.pk)


def test_record_page_says_the_pdf_failed_and_offers_to_make_it_again(
    as_practitioner, failed_record
):
    html = as_practitioner.get(url(failed_record, "practice:record")).text
    assert "Making the patient's PDF copy failed" in html
    assert url(failed_record, "practice:record_pdf_remake") in html


def test_record_page_says_nothing_about_the_pdf_once_it_is_ready(as_practitioner, signed_record):
    record, _ = signed_record
    html = as_practitioner.get(url(record, "practice:record")).text
    assert "PDF copy failed" not in html
    assert "being prepared" not in html


def test_the_records_practitioner_makes_the_pdf_again(
    as_practitioner, failed_record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_practitioner.post(url(failed_record, "practice:record_pdf_remake"))
    assert response.status_code == 302
    assert record_pdf_status(failed_record) == PdfStatus.READY


def test_a_clinic_admin_makes_the_pdf_again(
    as_admin, failed_record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        as_admin.post(url(failed_record, "practice:record_pdf_remake"))
    assert record_pdf_status(failed_record) == PdfStatus.READY


def test_another_practitioner_cannot_make_the_pdf_again(client, failed_record):
    login_verified(client, factories.PractitionerFactory().user)
    response = client.post(url(failed_record, "practice:record_pdf_remake"))
    assert response.status_code == 404
    assert record_pdf_status(failed_record) == PdfStatus.FAILED


def test_make_again_is_post_only(as_practitioner, failed_record):
    response = as_practitioner.get(url(failed_record, "practice:record_pdf_remake"))
    assert response.status_code == 405


def test_make_again_of_a_ready_pdf_queues_nothing(
    as_practitioner, signed_record, django_capture_on_commit_callbacks
):
    record, _ = signed_record
    with django_capture_on_commit_callbacks(execute=False) as queued:
        as_practitioner.post(url(record, "practice:record_pdf_remake"))
    assert queued == []


def test_staff_pdf_and_fhir_exports_before_the_copy_is_ready_say_so(as_practitioner, failed_record):
    for name in ("practice:record_pdf", "practice:record_fhir"):
        response = as_practitioner.post(url(failed_record, name))
        assert response.status_code == 409
        assert "The PDF copy is not ready" in response.text
