"""The signed record's stored PDF copy: where it stands, read it back, check it against its
SHA-256, and delete its file.

A worker renders the copy after signing (`consent.tasks.record_pdf_render`) and writes it once,
with its SHA-256, as the record's `RecordPdf`. Until then the record is complete without it and
the copy is "being prepared"; after a run's last attempt failed it is "failed" until staff start
it again. This module is the one place that reads the copy: whoever hands the file out (the
patient's own download, the practitioner's area, the FHIR export, the access-request ZIP) reads
it through `record_stored_pdf`, so a copy not made yet, changed or missing is refused rather
than served, and verification asks `stored_pdf_problems`, which streams the file instead of
holding it in memory.
"""

import hashlib
import hmac
from enum import StrEnum

from django.core.exceptions import SuspiciousFileOperation
from django.utils.translation import gettext as _

from .models import ConsentRecord, RecordPdf, RecordPdfFailure

READ_CHUNK = 1 << 16


class PdfStatus(StrEnum):
    READY = "ready"
    PREPARING = "preparing"
    FAILED = "failed"

    @property
    def label(self) -> str:
        return {
            "ready": _("Ready"),
            "preparing": _("Being prepared"),
            "failed": _("Failed: make the PDF again from the record page"),
        }[self.value]


class StoredPdfInvalid(Exception):
    """The stored PDF copy of a record is missing, or is not the one that was signed."""


class StoredPdfNotReady(StoredPdfInvalid):
    """The record's PDF copy has not been made yet (or its last run failed): nothing is wrong
    with the record; the copy is not there to hand out."""


def _record_pdf(record: ConsentRecord) -> RecordPdf | None:
    try:
        return record.stored_pdf
    except RecordPdf.DoesNotExist:
        return None


def record_pdf_stored(record: ConsentRecord) -> RecordPdf | None:
    """The record's `RecordPdf` (file name, SHA-256, when made), or None while there is none."""
    return _record_pdf(record)


def record_pdf_status(record: ConsentRecord) -> PdfStatus:
    """Ready (the copy exists), failed (the last attempt of its last run failed) or preparing."""
    if _record_pdf(record) is not None:
        return PdfStatus.READY
    last = RecordPdfFailure.objects.filter(record=record).order_by("-id").first()
    return PdfStatus.FAILED if last is not None and last.final else PdfStatus.PREPARING


def record_pdf_sha256(record: ConsentRecord) -> str:
    """The SHA-256 of the record's PDF copy, or "" while there is none."""
    stored = _record_pdf(record)
    return stored.sha256 if stored is not None else ""


def _matches(expected: str, digest: str) -> bool:
    return hmac.compare_digest(digest, expected)


def pdf_bytes_check(record: ConsentRecord, data: bytes) -> bytes:
    """`data`, if it is the PDF copy made for `record`; otherwise StoredPdfInvalid (or
    StoredPdfNotReady when there is no copy yet)."""
    stored = _record_pdf(record)
    if stored is None:
        raise StoredPdfNotReady(f"The PDF copy of record {record.code} is not ready yet.")
    if not _matches(stored.sha256, hashlib.sha256(data).hexdigest()):
        raise StoredPdfInvalid(
            f"The stored PDF copy of record {record.code} ({stored.file.name}) does not match "
            f"the SHA-256 recorded when it was made: it has been changed or replaced."
        )
    return data


def record_stored_pdf(record: ConsentRecord) -> bytes:
    """The bytes of the record's stored PDF copy, after checking them against its SHA-256.

    Raises StoredPdfNotReady if the copy has not been made yet, StoredPdfInvalid if the file is
    missing or its SHA-256 is not the one recorded when it was made.
    """
    stored = _record_pdf(record)
    if stored is None:
        raise StoredPdfNotReady(f"The PDF copy of record {record.code} is not ready yet.")
    try:
        with stored.file.storage.open(stored.file.name, "rb") as file:
            data = file.read()
    except (OSError, SuspiciousFileOperation) as missing:
        raise StoredPdfInvalid(
            f"The stored PDF copy of record {record.code} ({stored.file.name}) is missing."
        ) from missing
    return pdf_bytes_check(record, data)


def stored_pdf_problems(record: ConsentRecord) -> list[str]:
    """What is wrong with the stored PDF file, in words for verification; empty if nothing.

    A copy not made yet is not a problem: the record is complete without it. A copy that
    exists must hash to the SHA-256 recorded when it was made, and a record signed before the
    copy moved to a worker must keep the copy its record hash names. Files are read in chunks,
    so verifying every record of a clinic does not hold any whole file in memory.
    """
    stored = _record_pdf(record)
    if stored is None:
        if record.pdf.name:
            return [_("its PDF file %(name)s is missing") % {"name": record.pdf.name}]
        return []
    name = stored.file.name
    if record.pdf.name and (name != record.pdf.name or stored.sha256 != record.pdf_sha256):
        return [_("its PDF file %(name)s has changed since signing") % {"name": name}]
    digest = hashlib.sha256()
    try:
        with stored.file.storage.open(name, "rb") as file:
            for chunk in iter(lambda: file.read(READ_CHUNK), b""):
                digest.update(chunk)
    except (OSError, SuspiciousFileOperation):
        return [_("its PDF file %(name)s is missing") % {"name": name}]
    if not _matches(stored.sha256, digest.hexdigest()):
        return [_("its PDF file %(name)s has changed since signing") % {"name": name}]
    return []


def record_pdf_delete(record: ConsentRecord) -> None:
    """Delete the record's stored PDF file (the retention purge); its `RecordPdf` row (name and
    SHA-256) stays. The one place a PDF file is deleted."""
    stored = _record_pdf(record)
    if stored is not None and stored.file.name:
        stored.file.storage.delete(stored.file.name)
