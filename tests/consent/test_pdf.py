import base64
import copy
import io
import re
import socket
import struct
import urllib.request
import zlib

import pytest
from django.template.loader import render_to_string
from pypdf import PdfReader
from weasyprint.urls import FatalURLFetchingError

from consent import pdf, signature
from tests.consent.conftest import DATE_OF_BIRTH, PATIENT_NAME

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to resolve a name or open a connection fails the test, and is recorded."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return attempts


def png_bytes(width=40, height=12) -> bytes:
    """A small valid RGBA PNG: a dark stroke across a transparent background."""
    rows = b"".join(
        b"\x00" + (bytes([0, 0, 0, 255]) if y == height // 2 else bytes(4)) * width
        for y in range(height)
    )

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return (
        signature.PNG_MAGIC
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def png_data_url() -> str:
    return signature.SIGNATURE_PREFIX + base64.b64encode(png_bytes()).decode()


def fields_of(record, **payload_changes) -> dict:
    payload = copy.deepcopy(record.payload)
    for key, value in payload_changes.items():
        payload[key] = value
    return {
        "code": record.code,
        "payload": payload,
        "content_sha256": record.content_sha256,
        "signed_at": record.signed_at,
    }


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return "".join(text.split())


def stored_pdf(record) -> bytes:
    with record.stored_pdf.file.open("rb") as file:
        return file.read()


def test_stored_pdf_holds_patient_procedure_side_effects_code_and_signature(signed_record):
    record, _token = signed_record
    text = text_of(stored_pdf(record))

    assert PATIENT_NAME in text
    assert "12 April 1985" in text  # date of birth
    assert "Mesotherapy" in text
    assert "Version 1" in text
    assert flat(record.version_hash) in flat(text)
    for side_effect in record.payload["acknowledgements"]["side_effects"]:
        assert side_effect["name"] in text
    assert record.code in text
    assert flat(record.content_sha256) in flat(text)
    assert record.payload["signature"]["typed_name"] in text
    assert record.payload["clinic"]["location"] in text
    assert f"/consent/verify/?code={record.code}" in flat(text)


def test_pdf_shows_formulation_checklist_facts_and_questions(signed_record):
    record, _token = signed_record
    text = text_of(stored_pdf(record))
    formulation = record.payload["formulation"]

    assert formulation["name"] in text
    assert formulation["manufacturer"] in text
    assert formulation["lot_number"] in text
    assert "30 June 2099" in text  # expiry
    assert "Made by a compounding pharmacy" in text  # regulatory status, in words
    assert "Phosphatidylcholine" in text and "50 mg/mL" in text
    assert "American Board of Aesthetic Mesotherapy" in text  # credential fact
    assert "Verified and in date" in text
    assert "Will it hurt?" in text
    assert "Every question was answered correctly at the first attempt." in text


def test_pdf_times_are_clinic_local_with_zone_and_offset(signed_record):
    record, _token = signed_record
    text = text_of(stored_pdf(record))

    assert re.search(r"\d{2}:\d{2}:\d{2} E[SD]T \(UTC-0[45]:00\)", text)
    assert "America/New_York" in text


def test_pdf_title_metadata_names_the_record(signed_record):
    record, _token = signed_record
    reader = PdfReader(io.BytesIO(stored_pdf(record)))

    assert reader.metadata.title == f"Consent record {record.code}"


def test_questions_missed_at_first_are_listed_with_attempts(signed_record):
    record, _token = signed_record
    question = record.version.content["comprehension"][0]
    right = question["correct_choice"]
    attempts = [
        {"question_id": question["id"], "choice": right % 3 + 1, "correct": False, "at": "x"},
        {"question_id": question["id"], "choice": right, "correct": True, "at": "x"},
    ]

    text = text_of(pdf.render_record_pdf(fields_of(record, comprehension=attempts)))

    assert "Answered wrongly at first" in text
    assert text.count(question["question"]) == 2  # in the missed list and in the table
    assert "2 answers given in all." in text


def test_patient_question_with_markup_is_printed_as_text(signed_record):
    record, _token = signed_record
    question = "<script>alert('x')</script> Is <b>this</b> & that <img src=x> safe?"
    fields = fields_of(record, questions=question)

    html = render_to_string("consent/record_pdf.html", pdf.pdf_context(fields))
    text = text_of(pdf.render_record_pdf(fields))

    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>this</b>" not in html
    assert "<script>alert('x')</script> Is <b>this</b> & that <img src=x> safe?" in text


def test_typed_name_with_markup_is_printed_as_text(signed_record):
    record, _token = signed_record
    signature = {**record.payload["signature"], "typed_name": "<i>Alex</i> Morgan"}

    text = text_of(pdf.render_record_pdf(fields_of(record, signature=signature)))

    assert "<i>Alex</i> Morgan" in text


def test_drawn_png_signature_is_embedded(signed_record):
    record, _token = signed_record
    signature = {**record.payload["signature"], "drawn": png_data_url()}

    data = pdf.render_record_pdf(fields_of(record, signature=signature))

    pages = PdfReader(io.BytesIO(data)).pages
    images = {image.name: image.data for page in pages for image in page.images}
    assert len(images) == 1  # WeasyPrint shares one resource dictionary between pages


def test_drawn_signature_that_is_not_a_png_is_left_out(signed_record, no_network):
    record, _token = signed_record
    svg = "data:image/svg+xml;base64," + base64.b64encode(b"<svg/>").decode()
    signature = {**record.payload["signature"], "drawn": svg}

    data = pdf.render_record_pdf(fields_of(record, signature=signature))

    assert not [image for page in PdfReader(io.BytesIO(data)).pages for image in page.images]
    assert "is not a PNG image" in text_of(data)
    assert no_network == []


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/style.css",
        "https://example.com/logo.png",
        "HTTPS://example.com/logo.png",
        "file:///etc/passwd",
        "file://localhost/etc/hostname",
        "ftp://example.com/file",
        "data:text/css;base64,Ym9keXt9",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "data:image/png,notbase64",
        "data:image/png;base64,bm90IGEgcG5n",  # valid base64, but not a PNG
        "portal-static:../../portal/settings.py",
        "portal-static:/etc/passwd",
        "portal-static:css/does-not-exist.css",
        "portal-static:",
        "/static/css/record-pdf.css",
    ],
)
def test_fetcher_refuses_everything_but_our_static_files_and_png_signatures(url, no_network):
    with pytest.raises(pdf.ResourceRefused):
        pdf.RecordURLFetcher().fetch(url)
    assert no_network == []


def test_fetcher_serves_our_stylesheet():
    response = pdf.RecordURLFetcher().fetch("portal-static:css/record-pdf.css")

    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_fetcher_serves_a_png_signature():
    response = pdf.RecordURLFetcher().fetch(png_data_url())

    assert response.content_type == "image/png"
    assert response.read() == png_bytes()


@pytest.mark.parametrize(
    "tag",
    [
        '<img src="http://example.com/x.png">',
        '<link rel="stylesheet" href="https://example.com/x.css">',
        '<img src="file:///etc/passwd">',
        '<div style="background: url(http://example.com/x.png)">x</div>',
    ],
)
def test_rendering_stops_at_any_foreign_resource(tag, no_network):
    with pytest.raises(FatalURLFetchingError):
        pdf.html_to_pdf(f"<!doctype html><title>t</title><p>hello</p>{tag}")
    assert no_network == []


def test_hostile_payload_text_renders_without_fetching_anything(signed_record, no_network):
    record, _token = signed_record
    hostile = '<img src="http://example.com/x.png"><link rel=stylesheet href="file:///etc/passwd">'
    formulation = {**record.payload["formulation"], "name": f"Mix {hostile}"}

    data = pdf.render_record_pdf(
        fields_of(record, formulation=formulation, questions=f"Question {hostile}")
    )

    assert no_network == []
    assert "Mix <img src=" in text_of(data)


def test_signing_itself_fetches_nothing(
    invitation_and_token, no_network, django_capture_on_commit_callbacks
):
    from consent import services
    from tests.consent.conftest import REQUEST_META, complete_draft

    invitation, _token = invitation_and_token
    complete_draft(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        record, _record_token = services.record_sign(
            invitation=invitation,
            typed_name=PATIENT_NAME,
            drawn_signature=png_data_url(),
            request_meta=REQUEST_META,
        )

    assert no_network == []
    assert record.payload["patient"]["date_of_birth"] == DATE_OF_BIRTH.isoformat()
