"""21 CFR 11.50 and 11.70 as a reference design: a signed record shows who signed, when, and
what the signature means, and the signature cannot be cut from its record."""

import io

import pytest
from pypdf import PdfReader

from consent.records import SIGNATURE_MEANING, record_content_digest
from tests.consent.conftest import PATIENT_NAME, invitation_and_token, signed_record  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_record_and_its_pdf_show_the_name_the_time_and_the_meaning(signed_record):  # noqa: F811
    record, _token = signed_record
    signature = record.payload["signature"]

    assert signature["typed_name"] == PATIENT_NAME
    assert signature["signed_at"] == record.signed_at.isoformat()
    assert signature["meaning"] == str(SIGNATURE_MEANING)
    with record.stored_pdf.file.open("rb") as file:
        text = " ".join(
            " ".join(page.extract_text().split())
            for page in PdfReader(io.BytesIO(file.read())).pages
        )
    assert PATIENT_NAME in text
    assert " ".join(str(SIGNATURE_MEANING).split())[:60] in text
    assert record.signed_at.strftime("%Y") in text


def test_the_signature_is_inside_the_signed_content_digest(signed_record):  # noqa: F811
    """Changing or removing the signature changes the digest the record and its PDF carry."""
    record, _token = signed_record
    assert record_content_digest(record) == record.content_sha256

    record.payload = {
        **record.payload,
        "signature": {**record.payload["signature"], "typed_name": "X"},
    }
    assert record_content_digest(record) != record.content_sha256
    record.payload = {key: value for key, value in record.payload.items() if key != "signature"}
    assert record_content_digest(record) != record.content_sha256
