"""Exports of signed consent records for the practitioner's area, as plain functions.

- `record_pdf_with_history`: the patient's stored PDF copy, checked against its SHA-256, followed
  by pages listing everything that happened to the record since;
- `records_csv` / `stream_records_csv`: a spreadsheet of consents, streamed line by line;
- `record_fhir_consent`: an HL7 FHIR R5 Consent resource for filing in an electronic health
  record.

Nothing here writes: the views that call these record the download or export as an event.
"""

import base64
import csv
import datetime
import hashlib
import hmac
import io
from collections.abc import Iterable, Iterator

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader, PdfWriter

from .models import ConsentEvent, ConsentRecord, EventKind
from .pdf import STATIC_SCHEME, STYLESHEET, html_to_pdf
from .presentation.record import format_moment
from .records import payload_language, sha256


class StoredPdfInvalid(Exception):
    """The stored PDF copy of a record is missing, or is not the one that was signed."""


def record_stored_pdf(record: ConsentRecord) -> bytes:
    """The bytes of the record's stored PDF copy, after checking them against `pdf_sha256`."""
    try:
        with default_storage.open(record.pdf.name, "rb") as stored:
            data = stored.read()
    except FileNotFoundError as missing:
        raise StoredPdfInvalid(
            f"The stored PDF copy of record {record.code} ({record.pdf.name}) is missing."
        ) from missing
    if not hmac.compare_digest(sha256(data), record.pdf_sha256):
        raise StoredPdfInvalid(
            f"The stored PDF copy of record {record.code} ({record.pdf.name}) does not match the "
            f"SHA-256 recorded at signing: it has been changed or replaced."
        )
    return data


# The PDF with its history -------------------------------------------------------------------

DETAIL_LABELS = {
    "reason": gettext_lazy("Reason given"),
    "answer": gettext_lazy("Answer"),
    "typed_name": gettext_lazy("Typed name"),
    "statement": gettext_lazy("Statement"),
    "invitation_id": gettext_lazy("New invitation number"),
    "format": gettext_lazy("Format"),
}


def _event_details(data: dict) -> list[tuple[str, str]]:
    """An event's details as (label, text) pairs: known keys first, in a fixed order."""
    known = [(str(DETAIL_LABELS[key]), str(data[key])) for key in DETAIL_LABELS if key in data]
    others = [(key, str(data[key])) for key in sorted(data) if key not in DETAIL_LABELS]
    return known + others


def _event_row(event: ConsentEvent) -> dict:
    return {
        "when": format_moment(event.occurred_at),
        "what": event.get_kind_display(),
        "who": event.actor_label,
        "ip_address": event.ip_address or "—",
        "user_agent": event.user_agent,
        "details": _event_details(event.data or {}),
        "event_hash": event.event_hash,
    }


def render_history_pdf(record: ConsentRecord, events: Iterable[ConsentEvent]) -> bytes:
    """Pages listing the record's events in the order they were appended (by id)."""
    ordered = sorted(events, key=lambda event: event.pk)
    foreign = [event.pk for event in ordered if event.record_id != record.pk]
    if foreign:
        raise ValueError(f"Events {foreign} do not belong to record {record.code}.")
    payload = record.payload
    context = {
        "code": record.code,
        "title": _("History of consent record %s") % record.code,
        "stylesheet_url": STATIC_SCHEME + STYLESHEET,
        "clinic_name": settings.CLINIC_NAME,
        "payload": payload,
        "content_sha256": record.content_sha256,
        "signed_at": format_moment(record.signed_at),
        "time_zone": settings.TIME_ZONE,
        "events": [_event_row(event) for event in ordered],
        "last_event_at": format_moment(ordered[-1].occurred_at) if ordered else None,
    }
    return html_to_pdf(render_to_string("consent/record_history_pdf.html", context))


def record_pdf_with_history(record: ConsentRecord, events: Iterable[ConsentEvent]) -> bytes:
    """The practitioner's download: the patient's stored PDF, unchanged, then its history.

    Raises StoredPdfInvalid if the stored copy is missing or its SHA-256 is not the one
    recorded at signing. The history pages are drawn by WeasyPrint with the record PDF's
    fetcher, which reaches nothing but our own stylesheet.
    """
    stored = record_stored_pdf(record)
    history = render_history_pdf(record, events)
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(stored)))
    writer.append(PdfReader(io.BytesIO(history)))
    writer.add_metadata(
        {
            "/Title": _("Consent record %s with its history") % record.code,
            "/Author": settings.CLINIC_NAME,
        }
    )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# CSV ---------------------------------------------------------------------------------------

CSV_HEADER = (
    "record code",
    "patient name",
    "procedure",
    "version",
    "practitioner",
    "location",
    "status",
    "signed at (UTC)",
    "invited at (UTC)",
    "withdrawn at (UTC)",
)
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    """A file-like object whose `write` hands back the line instead of keeping it."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value) -> str:
    """Text for one cell; text a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def _utc(moment: datetime.datetime | None) -> str:
    if moment is None:
        return ""
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _csv_row(invitation) -> list[str]:
    # Reading attributes only: the caller's select_related has loaded everything, and a
    # missing reverse one-to-one (no record yet) raises an AttributeError subclass.
    record = getattr(invitation, "record", None)
    status = getattr(invitation, "status", None)
    if status is None:
        status = getattr(invitation, "state", "")
    withdrawn_at = getattr(invitation, "consent_withdrawn_at", None) or invitation.withdrawn_at
    return [
        csv_cell(value)
        for value in (
            record.code if record else "",
            invitation.patient_name,
            invitation.procedure.name,
            record.version.number if record else "",
            invitation.practitioner.display_name,
            invitation.location.name,
            status,
            _utc(record.signed_at) if record else "",
            _utc(invitation.created_at),
            _utc(withdrawn_at),
        )
    ]


def records_csv(rows: Iterable) -> Iterator[str]:
    """CSV lines, header first, one per consent invitation, produced only as they are read.

    Each row is a ConsentInvitation (or anything with the same attributes): `record` (or
    None), `procedure`, `practitioner`, `location`, `patient_name`, `created_at`,
    `withdrawn_at` and an annotated `status` string (`state`, as `selectors.with_state` names
    it, is read when there is no `status`). "Withdrawn at" is the consent's withdrawal when the
    row carries an annotated `consent_withdrawn_at`, else the clinic's withdrawal of the
    invitation. Nothing here queries: pass a queryset with
    `select_related("record__version", "practitioner", "procedure", "location")` and
    `.iterator(chunk_size=...)` so that no more than one chunk is ever in memory.
    """
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield writer.writerow(CSV_HEADER)
    for row in rows:
        yield writer.writerow(_csv_row(row))


def stream_records_csv(rows: Iterable, filename: str) -> StreamingHttpResponse:
    """A download of `records_csv(rows)` that streams, so a large export never sits in memory."""
    return StreamingHttpResponse(
        records_csv(rows),
        content_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": content_disposition_header(as_attachment=True, filename=filename)
        },
    )


# FHIR --------------------------------------------------------------------------------------

LOINC = "http://loinc.org"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"


def _reference(resource_type: str, display: str) -> dict:
    """A display-only Reference: the patient and practitioner have no FHIR ids here."""
    return {"type": resource_type, "display": display}


def _fhir_moment(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def record_fhir_consent(record: ConsentRecord, *, pdf_bytes: bytes, base_url: str) -> dict:
    """The record as an HL7 FHIR R5 Consent resource, as a JSON-ready dict.

    `pdf_bytes` is the stored, signed PDF copy (see `record_stored_pdf`): it is checked against
    the record's SHA-256 and attached whole. Names come from the signed payload, so the export
    says what was signed even if the invitation is edited later. Mapping of what the issue asks:

    - status: "active", or "inactive" once the patient has withdrawn (one query for the
      withdrawal event); `period.end` is then the withdrawal time;
    - patient: `subject` and `grantor`, display-only References to a Patient;
    - performer: R5 has no `performer`; the practitioner who will carry out the procedure is
      the `grantee` (a display-only Practitioner) and, with the role v3-ParticipationType PRF
      (performer), the actor of the `provision`; the clinic is the `controller`;
    - date: `date`, the clinic-local day of signing (`period.start` has the exact time);
    - the procedure version as its source: `policyBasis`, with the version page's URL and a
      Reference whose identifier is the version's content SHA-256;
    - the PDF: `sourceAttachment` (application/pdf, base64 data, size, SHA-1 hash as FHIR
      specifies, title and creation time).
    """
    if not hmac.compare_digest(sha256(pdf_bytes), record.pdf_sha256):
        raise StoredPdfInvalid(
            f"The PDF given for record {record.code} is not the one stored at signing."
        )
    base_url = base_url.rstrip("/")
    payload = record.payload
    patient_name = payload["patient"]["name"]
    practitioner_name = payload["practitioner"]["name"]
    procedure = payload["procedure"]
    version = record.version
    withdrawn_at = (
        record.events.filter(kind=EventKind.WITHDRAWN)
        .order_by("id")
        .values_list("occurred_at", flat=True)
        .first()
    )
    period = {"start": _fhir_moment(record.signed_at)}
    if withdrawn_at is not None:
        period["end"] = _fhir_moment(withdrawn_at)
    signed_on = timezone.localtime(record.signed_at, timezone.get_default_timezone()).date()
    practitioner = _reference("Practitioner", practitioner_name)
    title = _("Consent record %s") % record.code
    return {
        "resourceType": "Consent",
        "id": record.code,
        "identifier": [
            {"use": "official", "system": f"{base_url}/consent/records", "value": record.code}
        ],
        "status": "inactive" if withdrawn_at is not None else "active",
        "category": [
            {
                "coding": [{"system": LOINC, "code": "59284-0", "display": "Patient Consent"}],
                "text": _("Consent to treatment"),
            }
        ],
        "subject": _reference("Patient", patient_name),
        "date": signed_on.isoformat(),
        "period": period,
        "grantor": [_reference("Patient", patient_name)],
        "grantee": [practitioner],
        "controller": [_reference("Organization", settings.CLINIC_NAME)],
        "sourceAttachment": [
            {
                "contentType": "application/pdf",
                "language": payload_language(payload),
                "data": base64.b64encode(pdf_bytes).decode("ascii"),
                "size": str(len(pdf_bytes)),
                "hash": base64.b64encode(hashlib.sha1(pdf_bytes).digest()).decode("ascii"),  # noqa: S324 -- FHIR Attachment.hash is defined as SHA-1
                "title": title,
                "creation": _fhir_moment(record.signed_at),
            }
        ],
        "policyBasis": {
            "reference": {
                "identifier": {
                    "system": f"{base_url}/procedures/versions/content-sha256",
                    "value": record.version_hash,
                },
                "display": _("%(procedure)s, information version %(number)s")
                % {"procedure": procedure["name"], "number": procedure["version"]},
            },
            "url": base_url + version.get_absolute_url(),
        },
        "decision": "permit",
        "provision": [
            {
                "actor": [
                    {
                        "role": {
                            "coding": [
                                {
                                    "system": PARTICIPATION_TYPE,
                                    "code": "PRF",
                                    "display": "performer",
                                }
                            ]
                        },
                        "reference": practitioner,
                    }
                ],
                "action": [{"text": _("Carry out %s") % procedure["name"]}],
                "purpose": [{"system": ACT_REASON, "code": "TREAT", "display": "treatment"}],
                "code": [{"text": procedure["name"]}],
            }
        ],
    }
