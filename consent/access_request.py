"""An access request: everything the portal holds about one patient, as one ZIP.

For each invitation: what the clinic typed to send the link (`invitation.json`), the patient's
unsigned answers if any (`draft.json`), the signed record with its hashes (`record.json`), every
event on its trail (`events.json`) and the stored PDF copy, byte for byte. `manifest.json` lists
every file with what it is and its SHA-256, each record's hashes, and when, by whom and through
which channel the export was made. Link tokens are kept only as hashes and are left out: they
are the clinic's secrets, not the patient's data.

The ZIP is written to a spooled temporary file, so one patient's export stays in memory only
while it is small and goes to disk beyond that; nothing here queries the database (the caller
passes invitations from `selectors.access_request_invitations`).
"""

import datetime
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Iterable

from .models import ConsentInvitation
from .storage import StoredPdfInvalid, record_pdf_sha256, record_stored_pdf
from .verification import purge_date

FORMAT = "access-request"
MANIFEST_VERSION = 1
SPOOL_IN_MEMORY = 8 * 1024 * 1024


def _moment(value) -> str | None:
    return value.isoformat() if value is not None else None


def _day(value) -> str | None:
    return value.isoformat() if value is not None else None


def _json_bytes(data) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=str).encode()


def _invitation_data(invitation: ConsentInvitation) -> dict:
    return {
        "id": invitation.pk,
        "patient_name": invitation.patient_name,
        "patient_email": invitation.patient_email,
        "patient_date_of_birth": _day(invitation.patient_date_of_birth),
        "purged_at": _moment(invitation.purged_at),
        "procedure": invitation.procedure.name,
        "practitioner": invitation.practitioner.display_name,
        "location": invitation.location.name,
        "formulation": invitation.formulation.name if invitation.formulation else None,
        "language": invitation.language,
        "minimum_decision_hours": invitation.minimum_decision_hours,
        "created_at": _moment(invitation.created_at),
        "sent_at": _moment(invitation.sent_at),
        "link_expires_at": _moment(invitation.expires_at),
        "first_opened_at": _moment(invitation.first_opened_at),
        "wrong_date_of_birth_answers": invitation.failed_attempts,
        "locked_at": _moment(invitation.locked_at),
        "withdrawn_at": _moment(invitation.withdrawn_at),
    }


def _draft_data(draft) -> dict:
    return {
        "version": draft.version.number if draft.version_id else None,
        "esign_agreed_at": _moment(draft.esign_agreed_at),
        "answers": draft.answers,
        "updated_at": _moment(draft.updated_at),
    }


def _record_data(record) -> dict:
    return {
        "code": record.code,
        "version": record.version.number,
        "version_hash": record.version_hash,
        "payload": record.payload,
        "content_sha256": record.content_sha256,
        "signed_at": _moment(record.signed_at),
        "ip_address": record.ip_address,
        "user_agent": record.user_agent,
        "pdf_sha256": record_pdf_sha256(record),
        "previous_hash": record.previous_hash,
        "record_hash": record.record_hash,
    }


def _event_data(event) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "occurred_at": _moment(event.occurred_at),
        "actor": event.actor_label,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "data": event.data,
        "previous_hash": event.previous_hash,
        "event_hash": event.event_hash,
    }


def _signed_record(invitation):
    try:
        return invitation.record
    except invitation._meta.model.record.RelatedObjectDoesNotExist:
        return None


def _draft(invitation):
    try:
        return invitation.draft
    except invitation._meta.model.draft.RelatedObjectDoesNotExist:
        return None


class _Archive:
    def __init__(self, zip_file: zipfile.ZipFile):
        self.zip = zip_file
        self.files: list[dict] = []

    def add(self, path: str, data: bytes, description: str) -> None:
        self.zip.writestr(path, data)
        self.files.append(
            {
                "path": path,
                "description": description,
                "bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )


def access_request_zip(
    *,
    invitations: Iterable[ConsentInvitation],
    exported_by: str,
    channel: str,
    exported_at: datetime.datetime,
):
    """The ZIP of everything held about the patient of `invitations`, as an open file at 0.

    Each invitation must come with its record (and the record's version and events), draft,
    procedure, practitioner, location and formulation loaded. A stored PDF that is missing or
    fails its SHA-256 check is not put in the ZIP; the manifest says so instead.
    """
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 (returned)
    records = []
    patient = None
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as zip_file:
        archive = _Archive(zip_file)
        for invitation in invitations:
            folder = f"invitation-{invitation.pk}"
            patient = patient or {
                "name": invitation.patient_name,
                "email": invitation.patient_email,
                "date_of_birth": _day(invitation.patient_date_of_birth),
            }
            archive.add(
                f"{folder}/invitation.json",
                _json_bytes(_invitation_data(invitation)),
                "What the clinic entered to invite the patient, and what happened to the link.",
            )
            draft = _draft(invitation)
            if draft is not None:
                archive.add(
                    f"{folder}/draft.json",
                    _json_bytes(_draft_data(draft)),
                    "The patient's answers as saved while going through the steps.",
                )
            record = _signed_record(invitation)
            if record is None:
                continue
            archive.add(
                f"{folder}/record-{record.code}.json",
                _json_bytes(_record_data(record)),
                "The signed consent record: what was shown, confirmed and signed, with its hashes.",
            )
            archive.add(
                f"{folder}/record-{record.code}-events.json",
                _json_bytes([_event_data(event) for event in record.events.all()]),
                "Every event on the record's trail, in order, with its hashes.",
            )
            entry = {
                "code": record.code,
                "content_sha256": record.content_sha256,
                "record_hash": record.record_hash,
                "pdf_sha256": record_pdf_sha256(record),
                "pdf_included": True,
                # The day the patient data in it (and its PDF) was purged under the retention
                # policy: what is left is its hashes and its events' kinds and times.
                "purged_on": _day(purge_date(record.events.all())),
            }
            try:
                pdf = record_stored_pdf(record)
            except StoredPdfInvalid:
                entry["pdf_included"] = False
            else:
                archive.add(
                    f"{folder}/consent-{record.code}.pdf",
                    pdf,
                    "The PDF copy made at signing, unchanged (its SHA-256 is the record's "
                    "pdf_sha256).",
                )
            records.append(entry)
        manifest = {
            "format": FORMAT,
            "manifest_version": MANIFEST_VERSION,
            "exported_at": _moment(exported_at),
            "exported_by": exported_by,
            "channel": channel,
            "patient": patient,
            "files": archive.files,
            "records": records,
        }
        zip_file.writestr("manifest.json", _json_bytes(manifest))
    spool.seek(0)
    return spool
